import Foundation
import Testing

/// The control socket drives the relay (stop recordings, kick players): mode 0600 whatever the
/// umask, and a peer of another uid is refused by its credentials even if it can reach the socket.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ControlSocketAccessTests {
    static let foreignUser = "lsc-foreign"

    /// Connects to `path` as `user` (nil: this process's user) and reports how many bytes the
    /// relay sent before closing or within 3 s (its `hello` and snapshot when accepted).
    static func bytesReceived(from path: String, as user: String?) throws -> Int {
        let script = """
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print("refused", e.errno); sys.exit(0)
            s.settimeout(0.5)
            got, deadline = 0, time.time() + 3
            while time.time() < deadline:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    continue
                if not b: break
                got += len(b)
            print("bytes", got)
            """
        let command = (user.map { ["runuser", "-u", $0, "--"] } ?? []) + ["python3", "-c", script, path]
        let result = try Tools.run(command[0], Array(command.dropFirst()), timeout: 20)
        let words = result.stdout.split(separator: " ")
        guard words.first == "bytes", let count = words.last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            return -1  // could not even connect
        }
        return count
    }

    @Test func socketIsPrivateAndForeignUsersAreRefused() throws {
        guard getuid() == 0, Tools.available("useradd"), Tools.available("runuser") else {
            Issue.record("this test needs root, useradd and runuser (CI runs as root)")
            return
        }
        if (try Tools.run("id", ["-u", Self.foreignUser])).status != 0 {
            let created = try Tools.run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", Self.foreignUser])
            #expect(created.status == 0, "useradd failed: \(created.stderr)")
        }
        let dir = TestDirectory.make("control-socket")
        chmod(dir.path, 0o755)
        let socketPath = dir.appendingPathComponent("relay.sock").path
        let port = FreePort.next()
        // Under umask 000 the socket used to be created 0777.
        let relay = try TestProcess("/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", Binaries.path("lsc-relay"),
                                                "--rtmp", "127.0.0.1:\(port)", "--media", dir.appendingPathComponent("media").path,
                                                "--control-socket", socketPath], name: "lsc-relay-umask0")
        defer { relay.stop() }
        try waitUntil("control socket", timeout: 15) { FileManager.default.fileExists(atPath: socketPath) && isListening(port: port) }
        var info = stat()
        #expect(stat(socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600, "control socket mode is \(String(info.st_mode & 0o777, radix: 8))")

        #expect(try Self.bytesReceived(from: socketPath, as: Self.foreignUser) < 0, "a foreign user could connect to a 0600 socket")
        // Even if the file mode is loosened, the peer credentials check refuses the foreign uid…
        chmod(socketPath, 0o666)
        #expect(try Self.bytesReceived(from: socketPath, as: Self.foreignUser) == 0, "the relay talked to a foreign user")
        try waitUntil("refusal logged", timeout: 5) { relay.output.contains("refusing control connection") }
        // …and the relay's own user is served (hello and snapshot).
        #expect(try Self.bytesReceived(from: socketPath, as: nil) > 0)
        #expect(relay.isRunning)
    }
}
