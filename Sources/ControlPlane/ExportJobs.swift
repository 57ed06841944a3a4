import AdminAPI
import Foundation
import HighlightExport
import ISOBMFF
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Recording

/// Runs highlight export jobs in the control plane (never in the relay): validates edit lists,
/// waits for live recordings to reach future out-points, remuxes with `HighlightExporter` into a
/// hidden temporary file in `<media>/exports/` and renames it when complete, so a failed,
/// cancelled or disk-full job leaves nothing behind. At most `concurrency` jobs run at once.
public final class ExportJobs: ExportJobsProvider, @unchecked Sendable {
    public let mediaRoot: String
    private let files: any DVRFileSystem
    private let logger: Logger
    private let lock = NIOLock()
    private var records: [String: Record] = [:]
    private var order: [String] = []
    private var nextID = 1
    private let queue = DispatchQueue(label: "export-jobs", attributes: .concurrent)
    private let slots: DispatchSemaphore
    /// Seconds between checks of a live recording a waiting job depends on.
    private let pollInterval: TimeInterval

    private struct Record {
        var dto: ExportJobDTO
        var items: [HighlightItem]
        /// The sources opened to validate the POST, reused when the job can run at once (opening
        /// a long MP4 clip parses its whole `moov`).
        var validated: [HighlightEditList.ResolvedItem]?
        var cancelled = false
    }

    private struct Request: Decodable {
        var output: String
        var items: [HighlightItem]
    }

    public init(mediaRoot: String, concurrency: Int = 2, pollInterval: TimeInterval = 0.5,
                files: any DVRFileSystem = LocalDVRFileSystem(), logger: Logger = Logger(label: "export")) {
        self.mediaRoot = mediaRoot
        self.files = files
        self.logger = logger
        self.pollInterval = pollInterval
        slots = DispatchSemaphore(value: max(1, concurrency))
    }

    private var exportsDirectory: String { mediaRoot + "/exports" }

    public func submit(_ body: [UInt8]) -> Result<ExportJobDTO, APIError> {
        let request: Request
        do { request = try JSONDecoder().decode(Request.self, from: Data(body)) }
        catch { return .failure(.badRequest("the body must be {\"output\": \"name.f4v\", \"items\": [...]}: \(error)")) }
        do {
            try HighlightEditList.validateOutputName(request.output)
            if files.fileSize(exportsDirectory + "/" + request.output) != nil {
                return .failure(.badRequest("output '\(request.output)' exists"))
            }
            let resolved = try HighlightEditList.resolve(request.items, allowWaiting: true) { try source(for: $0, now: Date()) }
            let waiting = resolved.contains { $0.end > $0.source.availableDuration }
            return lock.withLock { () -> Result<ExportJobDTO, APIError> in
                if records.values.contains(where: { $0.dto.output == request.output && ["queued", "waiting", "running"].contains($0.dto.state) }) {
                    return .failure(.badRequest("output '\(request.output)' is being exported by another job"))
                }
                let id = String(nextID)
                nextID += 1
                let dto = ExportJobDTO(id: id, output: request.output, state: waiting ? "waiting" : "queued", progress: 0, createdAt: Date(),
                                       items: request.items.map { ExportJobItemDTO(source: $0.source.rawValue, name: $0.name) })
                records[id] = Record(dto: dto, items: request.items, validated: waiting ? nil : resolved)
                order.append(id)
                queue.async { self.run(id) }
                return .success(dto)
            }
        } catch {
            return .failure(.badRequest("\(error)"))
        }
    }

    public func jobs() -> [ExportJobDTO] { lock.withLock { order.compactMap { records[$0]?.dto } } }
    public func job(id: String) -> ExportJobDTO? { lock.withLock { records[id]?.dto } }

    public func cancel(id: String) -> ExportJobDTO? {
        lock.withLock {
            guard var record = records[id] else { return nil }
            if ["queued", "waiting", "running"].contains(record.dto.state) {
                record.cancelled = true
                if record.dto.state != "running" { record.dto.state = "cancelled"; record.dto.finishedAt = Date() }
            }
            records[id] = record
            return record.dto
        }
    }

    /// The export source of an item: a DVR recording, or an MP4/F4V or FLV clip in `<media>/sources/`.
    func source(for item: HighlightItem, now: Date) throws -> (any ExportSampleSource)? {
        switch item.source {
        case .dvr:
            guard let recording = DVRStore(files: files, mediaRoot: mediaRoot).recording(stream: item.name) else { return nil }
            return try DVRExportSource(recording: recording, files: files, now: now)
        case .clip:
            let name = item.name
            guard !name.isEmpty, !name.contains("/"), !name.contains(".."), !name.hasPrefix(".") else { return nil }
            let lower = name.lowercased()
            guard [".mp4", ".f4v", ".m4v", ".mov", ".flv"].contains(where: { lower.hasSuffix($0) }) else {
                throw ExportError.sourceFailed("clip '\(name)': only MP4/F4V and FLV clips can be exported")
            }
            return try MediaFileSource.open(files: files, path: mediaRoot + "/sources/" + name)
        }
    }

    private func update(_ id: String, _ change: (inout ExportJobDTO) -> Void) { lock.withLock { if var record = records[id] { change(&record.dto); records[id] = record } } }
    private func isCancelled(_ id: String) -> Bool { lock.withLock { records[id]?.cancelled ?? true } }

    private func run(_ id: String) {
        guard let (items, validated) = lock.withLock({ records[id].map { ($0.items, $0.validated) } }),
              let output = job(id: id)?.output else { return }
        lock.withLock { records[id]?.validated = nil }
        // Wait (without a slot) until every out-point is recorded; a recording that stops being
        // live before that fails the job (`beyondEnd`).
        var resolved: [HighlightEditList.ResolvedItem]
        do {
            while true {
                if let validated {
                    resolved = validated
                    break
                }
                if isCancelled(id) { return finish(id, state: "cancelled", error: nil) }
                resolved = try HighlightEditList.resolve(items, allowWaiting: true) { try source(for: $0, now: Date()) }
                if !resolved.contains(where: { $0.end > $0.source.availableDuration }) { break }
                Thread.sleep(forTimeInterval: pollInterval)
            }
        } catch {
            return finish(id, state: "failed", error: "\(error)")
        }
        slots.wait()
        defer { slots.signal() }
        if isCancelled(id) { return finish(id, state: "cancelled", error: nil) }
        update(id) { $0.state = "running" }
        try? files.createDirectory(exportsDirectory)
        let temporary = exportsDirectory + "/.\(output).\(id).part"
        let final = exportsDirectory + "/" + output
        do {
            let plan = try ExportPlanner().plan(resolved)
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw DVRError.io(path: temporary, reason: "cannot create")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            var sink = FileSink(handle: handle)
            let size: UInt64
            do {
                size = try HighlightExporter().export(plan, to: &sink, progress: { fraction in self.update(id) { $0.progress = fraction } },
                                                      isCancelled: { self.isCancelled(id) })
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            guard files.fileSize(final) == nil else { throw ExportError.invalidOutputName(output, reason: "exists") }
            guard rename(temporary, final) == 0 else { throw DVRError.io(path: final, reason: String(cString: strerror(errno))) }
            update(id) { job in
                job.items = zip(job.items, plan.items).map { item, planned in
                    ExportJobItemDTO(source: item.source, name: item.name, actualStart: planned.start, actualEnd: planned.end)
                }
                job.duration = plan.items.reduce(0) { $0 + $1.duration }
                job.size = size
                job.progress = 1
            }
            finish(id, state: "done", error: nil)
        } catch {
            try? files.removeItem(temporary)
            if case ExportError.cancelled = error { return finish(id, state: "cancelled", error: nil) }
            finish(id, state: "failed", error: "\(error)")
        }
    }

    private func finish(_ id: String, state: String, error: String?) {
        update(id) { job in
            job.state = state
            job.error = error
            job.finishedAt = Date()
        }
        logger.info("export job finished", metadata: ["id": "\(id)", "state": "\(state)", "error": "\(error ?? "")"])
    }
}

/// Writes exported bytes to a file handle.
struct FileSink: ExportByteSink {
    let handle: FileHandle
    mutating func write(_ bytes: ByteBuffer) throws {
        // Straight from the buffer's storage: no copy into an Array first.
        try bytes.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
    }
}
