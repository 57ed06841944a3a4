import AdminAPI
import ControlProtocol
import Failover
import Foundation
import Testing
import Topology
@testable import ControlPlane

/// Loading and reloading `host.ini`, the topology the API shows, and the flags around it.
@Suite struct TopologyServiceTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lsc-topology-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
    var file: String { directory.appendingPathComponent("host.ini").path }

    private func write(_ text: String) throws {
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    private func edge(sender: FakeCommandSender = FakeCommandSender()) throws -> TopologyService {
        try TopologyService(role: "edge", hostINIPath: file, configuration: FailoverConfiguration(), sender: sender, events: nil,
                            now: { Date(timeIntervalSince1970: 1_800_000_000) })
    }

    @Test func aBadFileRefusesToStartWithEveryLine() throws {
        try write("good 10.0.0.1;10.0.0.2 app\nbad 10.0.0.1 app\n# fine\n;10.0.0.1 app\n")
        #expect {
            _ = try edge()
        } throws: { error in
            guard let error = error as? HostINILoadError else { return false }
            return error.lines == [
                "\(file):2: expected '<label> <primary>;<secondary> <app>[/<instance>]': no ';' between primary and secondary",
                "\(file):4: missing server group label before the addresses",
                "\(file):4: empty primary address",
            ]
        }
        #expect(throws: HostINILoadError.self) {
            _ = try TopologyService(role: "edge", hostINIPath: directory.appendingPathComponent("missing.ini").path,
                                    configuration: FailoverConfiguration(), sender: FakeCommandSender(), events: nil)
        }
    }

    @Test func reloadKeepsTheOldGroupsWhenTheNewFileIsBad() throws {
        try write("origins 10.0.0.1;10.0.0.2 livestreamcast_origin\n")
        let service = try edge()
        try write("origins 10.0.0.1;10.0.0.2 livestreamcast_origin\nbroken line\n")
        guard case .failure(.invalid(let error)) = service.reloadHostINI() else {
            Issue.record("a bad file must be rejected")
            return
        }
        #expect(error.lines.count == 1)
        #expect(service.topology().groups.map(\.label) == ["origins"])
        #expect(service.driver?.machine.groups.map(\.group.label) == ["origins"])

        // The API's reload: 422 with the lines.
        guard case .failure(let apiError) = service.reload() else { Issue.record("expected 422"); return }
        #expect(apiError.status == 422)
        #expect(apiError.code == "invalid-host-ini")
        #expect(apiError.lines == [APIErrorLine(file: file, line: 2, message: "expected '<label> <primary>;<secondary> <app>[/<instance>]': no ';' between primary and secondary")])

        try write("origins 10.0.0.1;10.0.0.2 livestreamcast_origin\nmore 10.0.0.7;10.0.0.7 livestreamcast_origin\n")
        guard case .success(let topology) = service.reload() else { Issue.record("a good file must load"); return }
        #expect(topology.groups.map(\.label) == ["origins", "more"])
        #expect(service.driver?.machine.groups.map(\.group.label) == ["origins", "more"])
    }

    @Test func topologyShowsGroupsStreamsAndFailovers() async throws {
        try write("# origins\norigins 10.0.0.1;10.0.0.2 livestreamcast_origin\nsolo [::1]:19400;[::1]:19400 app/inst\n")
        let sender = FakeCommandSender()
        let service = try edge(sender: sender)
        let driver = try #require(service.driver)
        let runner = Task { await driver.run() }
        defer { runner.cancel() }
        let groups = try #require(service.current?.configuration.groups)
        let p1 = groups[0].primaryServer, solo = groups[1].primaryServer

        var topology = service.topology()
        #expect(topology.role == "edge")
        #expect(topology.hostIni == file)
        #expect(topology.loadedAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(topology.idleIntervalMs == 1000)
        #expect(topology.groups == [
            TopologyGroupDTO(label: "origins", line: 2, primary: "10.0.0.1:1935", secondary: "10.0.0.2:1935",
                             app: "livestreamcast_origin", singleMachine: false, state: "idle"),
            TopologyGroupDTO(label: "solo", line: 3, primary: "[::1]:19400", secondary: "[::1]:19400",
                             app: "app/inst", singleMachine: true, state: "idle"),
        ])

        driver.handle(.connected(Hello(softwareVersion: "test", role: "edge", startedAt: Date())))
        _ = await pollUntil { driver.machine.groups.allSatisfy { $0.state != .idle } }
        for event: DataPlaneEvent in [
            .upstreamConnected(server: p1.id), .upstreamStreamAdded(server: p1.id, stream: "live"),
            .upstreamDisconnected(server: solo.id, reason: "refused"),
            .streamDemanded(name: "live"), .upstreamPlayStarted(server: p1.id, stream: "live"),
        ] { driver.handle(.event(event)) }
        topology = service.topology()
        #expect(topology.groups[0].state == "connected")
        #expect(topology.groups[0].server == "10.0.0.1:1935/livestreamcast_origin")
        #expect(topology.groups[0].serverRole == "primary")
        #expect(topology.groups[0].publishers == ["live"])
        #expect(topology.groups[1].state == "retrying")
        #expect(topology.groups[1].attempting == "[::1]:19400/app/inst")
        #expect(topology.groups[1].failedAttempts == 1)
        #expect(topology.streams == [RelayedStreamDTO(name: "live", active: p1.id, available: [p1.id])])
        #expect(topology.failovers == [FailoverEventDTO(time: Date(timeIntervalSince1970: 1_800_000_000), stream: "live",
                                                        to: p1.id, reason: "first to answer")])
    }

    @Test func anOriginHasAnEmptyTopologyAndNothingToReload() throws {
        let origin = try TopologyService(role: "origin", hostINIPath: nil, configuration: FailoverConfiguration(),
                                         sender: FakeCommandSender(), events: nil)
        #expect(origin.driver == nil)
        #expect(origin.topology() == TopologyResponse(role: "origin", idleIntervalMs: 1000))
        #expect(origin.reloadHostINI() == .failure(.noHostINI))
        guard case .failure(let error) = origin.reload() else { Issue.record("expected 409"); return }
        #expect(error.status == 409)
    }

    @Test func idleIntervalsParse() {
        let good: [(String, Duration)] = [
            ("1s", .seconds(1)), ("500ms", .milliseconds(500)), ("1.5s", .milliseconds(1500)), ("2", .seconds(2)),
            ("0.25", .milliseconds(250)), ("3600s", .seconds(3600)), ("1ms", .milliseconds(1)),
        ]
        for (text, duration) in good { #expect(DurationArgument.parse(text) == duration, "\(text)") }
        for bad in ["", "0", "0s", "0ms", "-1s", "0.0001s", "abc", "1 s", "1m", "1.2.3s", "inf", "nan", "1e3", ".", "s", "ms", "3601s", "0x10"] {
            #expect(DurationArgument.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func rolesAndHostINI() throws {
        let loopback = try #require(ListenAddress(parsing: "127.0.0.1:8080"))
        var configuration = ControlPlaneConfiguration(role: "edge", http: loopback, controlSocket: "x.sock")
        #expect(throws: ControlPlaneError.self) { try configuration.validate() }
        configuration.hostINI = "host.ini"
        try configuration.validate()
        configuration.idleInterval = .zero
        #expect(throws: ControlPlaneError.self) { try configuration.validate() }

        var origin = ControlPlaneConfiguration(role: "origin", http: loopback, controlSocket: "x.sock")
        try origin.validate()
        origin.hostINI = "host.ini"
        #expect(throws: ControlPlaneError.self) { try origin.validate() }
    }
}
