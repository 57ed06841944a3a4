import Foundation

/// A child process started by a live test: output goes to a log file, and it is ended by its own
/// PID only (never by name), so tests never touch processes they did not start.
final class TestProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logURL: URL

    /// Starts `executable` (an absolute path, or a name looked up on PATH) with `arguments`.
    init(_ executable: String, _ arguments: [String], name: String? = nil,
         workingDirectory: URL? = nil, environment: [String: String]? = nil) throws {
        self.name = name ?? (executable as NSString).lastPathComponent
        let path = executable.hasPrefix("/") ? executable : try Tools.which(executable)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        logURL = TestDirectory.logs.appendingPathComponent("\(self.name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Everything the process printed so far.
    var output: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { if process.isRunning { kill(pid, signal) } }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds. Returns the exit status.
    @discardableResult
    func stop(grace: TimeInterval = 5) -> Int32 {
        signal(SIGTERM)
        if !waitForExit(timeout: grace) { signal(SIGKILL); _ = waitForExit(timeout: 5) }
        return process.isRunning ? -1 : process.terminationStatus
    }

    /// Waits up to `timeout` seconds for the process to exit on its own.
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    deinit { if process.isRunning { kill(pid, SIGKILL) } }
}

/// Result of a tool run to completion.
struct ToolResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
}

enum Tools {
    /// Absolute path of `name` on PATH, or an error naming the missing tool.
    static func which(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ToolError.missing(name)
    }

    static func available(_ name: String) -> Bool { (try? which(name)) != nil }

    /// Runs a tool to completion (or kills it after `timeout` seconds) and captures its output.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60,
                    workingDirectory: URL? = nil) throws -> ToolResult {
        let process = Process()
        let path = executable.hasPrefix("/") ? executable : try which(executable)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let outURL = TestDirectory.logs.appendingPathComponent("run-\(UUID().uuidString).out")
        let errURL = TestDirectory.logs.appendingPathComponent("run-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { timedOut = true; kill(process.processIdentifier, SIGKILL) }
            usleep(20_000)
        }
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        return ToolResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
    }
}

enum ToolError: Error, CustomStringConvertible {
    case missing(String)
    case timeout(String)
    var description: String {
        switch self {
        case .missing(let name): return "\(name) is not installed (run scripts/install-deps.sh)"
        case .timeout(let what): return "timed out waiting for \(what)"
        }
    }
}
