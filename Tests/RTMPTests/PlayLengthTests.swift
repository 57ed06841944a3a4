import Testing
@testable import RTMP

/// `play(name, start, length)`: librtmp sends `--start`/`--stop` as start and length in ms.
@Suite struct PlayLengthTests {
    @Test func theLengthArgumentIsDecoded() {
        let full = RTMPCommand(CommandMessage(name: "play", transactionID: 0, arguments: ["mp4:x", 1000, 2000]))
        #expect(full == .play(transactionID: 0, name: "mp4:x", start: 1000, length: 2000))
        let noLength = RTMPCommand(CommandMessage(name: "play", transactionID: 0, arguments: ["live", -1000]))
        #expect(noLength == .play(transactionID: 0, name: "live", start: -1000, length: nil))
    }
}
