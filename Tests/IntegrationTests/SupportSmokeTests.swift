import Foundation
import Testing

@Suite struct SupportSmokeTests {
    @Test func freePortsAreDistinct() {
        let ports = (0..<5).map { _ in FreePort.next() }
        #expect(Set(ports).count == 5)
    }

    @Test func runsAToolAndCapturesOutput() throws {
        let result = try Tools.run("/bin/sh", ["-c", "echo hello; echo oops >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.stdout == "hello\n")
        #expect(result.stderr == "oops\n")
    }
}
