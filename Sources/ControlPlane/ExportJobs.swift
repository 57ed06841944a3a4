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
/// cancelled or disk-full job leaves nothing behind.
///
/// Bounded (`Limits`): items per job, jobs not yet finished (a POST beyond is a 429), jobs
/// running at once, finished jobs remembered. Jobs waiting for a live recording hold no thread
/// and no open source: one timer re-checks them, and only a job whose out-points are recorded
/// takes a worker. A running job opens each distinct source once, and the exporter releases
/// each item's source as soon as its media is written.
public final class ExportJobs: ExportJobsProvider, @unchecked Sendable {
    /// How much the runner takes on, with the documented defaults.
    public struct Limits: Sendable {
        /// Items in one edit list.
        public var itemsPerJob: Int
        /// Jobs queued, waiting or running together; a POST beyond is refused (429).
        public var pendingJobs: Int
        /// Jobs running (remuxing) at once; the others wait their turn without a thread.
        public var concurrency: Int
        /// Finished jobs kept for `GET /api/v1/exports` (the oldest are forgotten first).
        public var finishedJobsKept: Int

        public init(itemsPerJob: Int = 100, pendingJobs: Int = 32, concurrency: Int = 2, finishedJobsKept: Int = 500) {
            self.itemsPerJob = itemsPerJob
            self.pendingJobs = pendingJobs
            self.concurrency = concurrency
            self.finishedJobsKept = finishedJobsKept
        }
    }

    public let mediaRoot: String
    public let limits: Limits
    private let files: any DVRFileSystem
    private let logger: Logger
    /// Seconds between checks of the live recordings waiting jobs depend on.
    private let pollInterval: TimeInterval
    private let workers = DispatchQueue(label: "export-jobs", attributes: .concurrent)
    private let checks = DispatchQueue(label: "export-jobs.wait")

    // Guarded by `lock`.
    private let lock = NIOLock()
    private var records: [String: Record] = [:]
    private var order: [String] = []
    private var nextID = 1
    /// Queued jobs in arrival order, waiting for a worker.
    private var ready: [String] = []
    private var running = 0
    private var checkScheduled = false

    private struct Record {
        var dto: ExportJobDTO
        var items: [HighlightItem]
        var cancelled = false
        var isFinished: Bool { ["done", "failed", "cancelled"].contains(dto.state) }
    }

    private struct Request: Decodable {
        var output: String
        var items: [HighlightItem]
    }

    public init(mediaRoot: String, limits: Limits = Limits(), pollInterval: TimeInterval = 0.5,
                files: any DVRFileSystem = LocalDVRFileSystem(), logger: Logger = Logger(label: "export")) {
        self.mediaRoot = mediaRoot
        self.limits = limits
        self.files = files
        self.logger = logger
        self.pollInterval = pollInterval
    }

    private var exportsDirectory: String { mediaRoot + "/exports" }

    /// The 429 of a POST beyond `Limits.pendingJobs`.
    static func tooManyJobs(_ limit: Int) -> APIError {
        APIError(status: 429, code: "too-many-jobs",
                 message: "\(limit) export jobs are already queued, waiting or running: retry when one has finished, or cancel one")
    }

    public func submit(_ body: [UInt8]) -> Result<ExportJobDTO, APIError> {
        let request: Request
        do { request = try JSONDecoder().decode(Request.self, from: Data(body)) }
        catch { return .failure(.badRequest("the body must be {\"output\": \"name.f4v\", \"items\": [...]}: \(error)")) }
        guard request.items.count <= limits.itemsPerJob else {
            return .failure(.badRequest("an export job holds at most \(limits.itemsPerJob) items, this one has \(request.items.count)"))
        }
        if lock.withLock({ pendingCount }) >= limits.pendingJobs { return .failure(Self.tooManyJobs(limits.pendingJobs)) }
        do {
            try HighlightEditList.validateOutputName(request.output)
            for (index, item) in request.items.enumerated() { try Self.checkName(of: item, index: index) }
            if files.fileSize(exportsDirectory + "/" + request.output) != nil {
                return .failure(.badRequest("output '\(request.output)' exists"))
            }
            var resolved: [HighlightEditList.ResolvedItem]? = try resolve(request.items)
            let waiting = resolved?.contains { $0.end > $0.source.availableDuration } ?? false
            let (result, startNow): (Result<ExportJobDTO, APIError>, String?) = lock.withLock {
                if pendingCount >= limits.pendingJobs { return (.failure(Self.tooManyJobs(limits.pendingJobs)), nil) }
                if records.values.contains(where: { $0.dto.output == request.output && !$0.isFinished }) {
                    return (.failure(.badRequest("output '\(request.output)' is being exported by another job")), nil)
                }
                let id = String(nextID)
                nextID += 1
                let dto = ExportJobDTO(id: id, output: request.output, state: waiting ? "waiting" : "queued", progress: 0, createdAt: Date(),
                                       items: request.items.map { ExportJobItemDTO(source: $0.source.rawValue, name: $0.name) })
                records[id] = Record(dto: dto, items: request.items)
                order.append(id)
                forgetOldFinishedJobs()
                if waiting { return (.success(dto), nil) }
                if running < max(1, limits.concurrency) {
                    running += 1
                    return (.success(dto), id)
                }
                ready.append(id)
                return (.success(dto), nil)
            }
            if case .success(let dto) = result {
                if let startNow {
                    // The sources opened to validate the POST are reused: the job runs at once
                    // (opening a long MP4 clip parses its whole `moov`).
                    let handoff = SourceHandoff(resolved)
                    workers.async { self.run(startNow, validated: handoff) }
                } else if dto.state == "waiting" {
                    scheduleWaitCheck()
                }
            }
            resolved = nil
            return result
        } catch {
            return .failure(.badRequest("\(error)"))
        }
    }

    public func jobs() -> [ExportJobDTO] { lock.withLock { order.compactMap { records[$0]?.dto } } }
    public func job(id: String) -> ExportJobDTO? { lock.withLock { records[id]?.dto } }

    public func cancel(id: String) -> ExportJobDTO? {
        lock.withLock {
            guard var record = records[id] else { return nil }
            if !record.isFinished {
                record.cancelled = true
                if record.dto.state != "running" { record.dto.state = "cancelled"; record.dto.finishedAt = Date() }
            }
            records[id] = record
            ready.removeAll { $0 == id }
            return record.dto
        }
    }

    /// Jobs not finished (queued, waiting, running). Lock held.
    private var pendingCount: Int { records.values.reduce(0) { $0 + ($1.isFinished ? 0 : 1) } }

    /// Drops the oldest finished jobs beyond `finishedJobsKept`. Lock held.
    private func forgetOldFinishedJobs() {
        var finished = order.filter { records[$0]?.isFinished == true }
        guard finished.count > limits.finishedJobsKept else { return }
        finished.removeLast(limits.finishedJobsKept)
        let forget = Set(finished)
        for id in forget { records[id] = nil }
        order.removeAll { forget.contains($0) }
    }

    /// Refuses item names that cannot name something under the media root (400).
    static func checkName(of item: HighlightItem, index: Int) throws {
        do {
            switch item.source {
            case .dvr: try MediaFileName.checkStream(item.name)
            case .clip: try MediaFileName.check(item.name)
            }
        } catch {
            throw ExportError.sourceFailed("item \(index): \(item.source.rawValue) name refused: \(error)")
        }
    }

    /// Resolves an edit list, opening each distinct source once.
    private func resolve(_ items: [HighlightItem]) throws -> [HighlightEditList.ResolvedItem] {
        let now = Date()
        var opened: [String: any ExportSampleSource] = [:]
        return try HighlightEditList.resolve(items, allowWaiting: true) { item in
            let key = item.source.rawValue + "/" + item.name
            if let source = opened[key] { return source }
            let source = try source(for: item, now: now)
            opened[key] = source
            return source
        }
    }

    /// The export source of an item: a DVR recording, or an MP4/F4V or FLV clip in `<media>/sources/`.
    /// A name that is not a plain name, or a file or recording whose real path (symbolic links
    /// resolved) leaves its directory (`sources/`, `dvr/`), is refused.
    func source(for item: HighlightItem, now: Date) throws -> (any ExportSampleSource)? {
        switch item.source {
        case .dvr:
            let store = DVRStore(files: files, mediaRoot: mediaRoot)
            guard let directory = store.directory(forStream: item.name), files.resolvedPath(directory) != nil else { return nil }
            guard store.isInsideDVRDirectory(directory) else {
                throw ExportError.sourceFailed("recording '\(item.name)' is a symbolic link leading outside the media root")
            }
            guard let recording = store.recording(stream: item.name) else { return nil }
            return try DVRExportSource(recording: recording, files: files, now: now)
        case .clip:
            let name = item.name
            guard (try? MediaFileName.check(name)) != nil else { return nil }
            let lower = name.lowercased()
            guard [".mp4", ".f4v", ".m4v", ".mov", ".flv"].contains(where: { lower.hasSuffix($0) }) else {
                throw ExportError.sourceFailed("clip '\(name)': only MP4/F4V and FLV clips can be exported")
            }
            let path = mediaRoot + "/sources/" + name
            guard files.fileSize(path) != nil else { return nil }
            guard MediaRootPath(mediaRoot + "/sources", files: files).contains(path) else {
                throw ExportError.sourceFailed("clip '\(name)' is a symbolic link leading outside the media root")
            }
            return try MediaFileSource.open(files: files, path: path)
        }
    }

    private func update(_ id: String, _ change: (inout ExportJobDTO) -> Void) { lock.withLock { if var record = records[id] { change(&record.dto); records[id] = record } } }
    private func isCancelled(_ id: String) -> Bool { lock.withLock { records[id]?.cancelled ?? true } }

    // MARK: Waiting jobs: one timer, no thread each

    private func scheduleWaitCheck() {
        let schedule: Bool = lock.withLock {
            guard !checkScheduled else { return false }
            checkScheduled = true
            return true
        }
        if schedule { checks.asyncAfter(deadline: .now() + pollInterval) { self.checkWaitingJobs() } }
    }

    /// Moves waiting jobs whose out-points are recorded to the queue; fails those whose
    /// recording ended before them.
    private func checkWaitingJobs() {
        let waiting: [(String, [HighlightItem])] = lock.withLock {
            checkScheduled = false
            return order.compactMap { id in records[id].flatMap { $0.dto.state == "waiting" && !$0.cancelled ? (id, $0.items) : nil } }
        }
        var stillWaiting = false
        for (id, items) in waiting {
            do {
                if try outPointsRecorded(items) {
                    lock.withLock {
                        guard records[id]?.dto.state == "waiting" else { return }
                        records[id]?.dto.state = "queued"
                        ready.append(id)
                    }
                } else {
                    stillWaiting = true
                }
            } catch {
                finish(id, state: "failed", error: "\(error)")
            }
        }
        startReadyJobs()
        if stillWaiting { scheduleWaitCheck() }
    }

    /// True when every DVR item's out-point is recorded; throws when a recording stopped before
    /// it (or is gone). Only recordings' indexes are read: clips were checked when the job was
    /// submitted and do not change.
    private func outPointsRecorded(_ items: [HighlightItem]) throws -> Bool {
        let now = Date()
        for (index, item) in items.enumerated() where item.source == .dvr {
            guard let source = try source(for: item, now: now) else { throw ExportError.unknownSource(item: index, name: item.name) }
            let end: Double
            switch item.end {
            case .seconds(let seconds): end = seconds
            case .wallClock(let date):
                guard let seconds = source.streamTime(atWallClock: date) else { return false }
                end = seconds
            }
            if end > source.availableDuration {
                if !source.isLive { throw ExportError.beyondEnd(item: index, end: end, duration: source.availableDuration) }
                return false
            }
        }
        return true
    }

    // MARK: Running jobs

    /// Starts queued jobs while workers are free.
    private func startReadyJobs() {
        let start: [String] = lock.withLock {
            var start: [String] = []
            while running < max(1, limits.concurrency), !ready.isEmpty {
                let id = ready.removeFirst()
                guard records[id]?.dto.state == "queued", records[id]?.cancelled == false else { continue }
                running += 1
                start.append(id)
            }
            return start
        }
        for id in start { workers.async { self.run(id, validated: nil) } }
    }

    /// Runs one job on a worker (the caller took a worker slot).
    private func run(_ id: String, validated: SourceHandoff?) {
        defer {
            lock.withLock { running -= 1 }
            startReadyJobs()
        }
        guard let (items, output) = lock.withLock({ records[id].map { ($0.items, $0.dto.output) } }) else { return }
        if isCancelled(id) { return finish(id, state: "cancelled", error: nil) }
        update(id) { $0.state = "running" }
        try? files.createDirectory(exportsDirectory)
        let temporary = exportsDirectory + "/.\(output).\(id).part"
        let final = exportsDirectory + "/" + output
        do {
            // Taken out of the handoff: from here only the plan holds the sources.
            let plan = try ExportPlanner().plan(validated?.take() ?? resolve(items))
            let plannedItems = plan.items
            // A leftover of an earlier run with the same job number is not appended to.
            try files.removeItem(temporary)
            let file = try files.openForAppend(temporary)
            var sink = FileSink(file: file)
            let size: UInt64
            do {
                // The plan is handed over: each item's source is released once written.
                size = try HighlightExporter().export(consume plan, to: &sink, progress: { fraction in self.update(id) { $0.progress = fraction } },
                                                      isCancelled: { self.isCancelled(id) })
                try file.sync()
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            guard files.fileSize(final) == nil else { throw ExportError.invalidOutputName(output, reason: "exists") }
            guard rename(temporary, final) == 0 else { throw DVRError.io(path: final, reason: String(cString: strerror(errno))) }
            update(id) { job in
                job.items = zip(job.items, plannedItems).map { item, planned in
                    ExportJobItemDTO(source: item.source, name: item.name, actualStart: planned.start, actualEnd: planned.end)
                }
                job.duration = plannedItems.reduce(0) { $0 + $1.duration }
                job.size = size
                job.progress = 1
            }
            finish(id, state: "done", error: nil)
        } catch {
            try? files.removeItem(temporary)
            if case ExportError.cancelled = error { return finish(id, state: "cancelled", error: nil) }
            if case DVRError.io = error {
                // Disk full, or the directory not writable: say so, and that nothing was left.
                return finish(id, state: "failed", error: "writing the export failed: \(error) (nothing was left in exports/)")
            }
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

/// Hands the sources opened on the request thread to the worker that runs the job at once.
/// Exactly one thread reads it after the other wrote it, ordered by the dispatch.
final class SourceHandoff: @unchecked Sendable {
    private var items: [HighlightEditList.ResolvedItem]?
    init(_ items: [HighlightEditList.ResolvedItem]?) { self.items = items }
    func take() -> [HighlightEditList.ResolvedItem]? {
        defer { items = nil }
        return items
    }
}

/// Writes exported bytes to a file; a failed write (e.g. ENOSPC) throws `DVRError.io` naming the
/// file and the reason.
struct FileSink: ExportByteSink {
    let file: any DVRAppendFile
    mutating func write(_ bytes: ByteBuffer) throws {
        // Straight from the buffer's storage (LocalAppendFile writes its readable bytes).
        try file.write(bytes)
    }
}
