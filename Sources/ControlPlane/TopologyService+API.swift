import AdminAPI
import Failover
import Foundation
import Topology

extension TopologyService: TopologyProvider {
    public func topology() -> TopologyResponse {
        let milliseconds = FailoverConfiguration(idleInterval: idleInterval).idleIntervalMilliseconds
        guard let loaded = current, let machine = driver?.machine else {
            return TopologyResponse(role: role, hostIni: hostINIPath, idleIntervalMs: milliseconds)
        }
        return TopologyResponse(
            role: role, hostIni: hostINIPath, loadedAt: loaded.loadedAt, idleIntervalMs: milliseconds,
            groups: machine.groups.map(Self.group),
            streams: machine.streams.keys.sorted().compactMap { machine.sources(of: $0) }.map(Self.stream),
            failovers: machine.history.map(Self.failover))
    }

    public func reload() -> Result<TopologyResponse, APIError> {
        switch reloadHostINI() {
        case .success:
            return .success(topology())
        case .failure(.noHostINI):
            return .failure(APIError(status: 409, code: "no-host-ini",
                                     message: "this \(role) node runs without a host.ini (only intermediate and edge nodes have upstream groups)"))
        case .failure(.invalid(let error)):
            return .failure(APIError(status: 422, code: "invalid-host-ini",
                                     message: "\(hostINIPath ?? "host.ini") was rejected; the running configuration is kept",
                                     lines: Self.lines(of: error)))
        }
    }

    // MARK: DTOs

    private static func group(_ connection: GroupConnection) -> TopologyGroupDTO {
        let group = connection.group
        var dto = TopologyGroupDTO(label: group.label, line: group.line, primary: group.primary.description,
                                   secondary: group.secondary.description, app: group.appPath,
                                   singleMachine: group.isSingleMachine, state: "idle",
                                   failedAttempts: connection.failedAttempts, totalRetries: connection.totalRetries,
                                   publishers: connection.publishers, lastError: connection.lastError)
        switch connection.state {
        case .idle:
            break
        case .connecting(let server):
            dto.state = "connecting"
            dto.attempting = server.id
        case .connected(let server):
            dto.state = "connected"
            dto.server = server.id
            dto.serverRole = server == group.primaryServer ? "primary" : "secondary"
        case .waitingToRetry(let next):
            dto.state = "retrying"
            dto.attempting = next.id
        }
        return dto
    }

    private static func stream(_ sources: StreamSources) -> RelayedStreamDTO {
        RelayedStreamDTO(name: sources.stream, active: sources.active?.id, available: sources.available.map(\.id),
                         pending: sources.pending.map(\.id).sorted())
    }

    private static func failover(_ record: FailoverRecord) -> FailoverEventDTO {
        FailoverEventDTO(time: record.time, stream: record.stream, from: record.from?.id, to: record.to?.id, reason: record.reason)
    }

    private static func lines(of error: HostINILoadError) -> [APIErrorLine] {
        switch error {
        case .unreadable(let file, let reason):
            [APIErrorLine(file: file, line: 0, message: "cannot read host.ini: \(reason)")]
        case .invalid(let errors):
            errors.errors.map { APIErrorLine(file: $0.file, line: $0.line, message: $0.message) }
        }
    }
}
