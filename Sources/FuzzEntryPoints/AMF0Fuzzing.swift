import NIOCore
import RTMP

/// AMF0 values read back to back, as in a command or data message body. Whatever decodes must
/// encode, and its encoding must decode to the same encoding (the relay re-sends metadata and
/// command arguments it decoded).
enum AMF0Fuzzing {
    static func run(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        var values: [AMF0Value] = []
        while buffer.readableBytes > 0, let value = try? buffer.readAMF0Value() { values.append(value) }
        for value in values {
            var first = ByteBuffer()
            _ = first.writeAMF0Value(value)
            var reread = first
            guard let again = try? reread.readAMF0Value() else {
                fatalError("AMF0 value \(value) encodes to bytes that do not decode")
            }
            var second = ByteBuffer()
            _ = second.writeAMF0Value(again)
            precondition(first == second, "AMF0 value \(value) does not survive a round trip")
        }
    }
}

/// Command and data message bodies (AMF0 and AMF3-wrapped) decoded into typed commands: the
/// first byte picks the message type, the rest is the body.
enum CommandFuzzing {
    static let types: [RTMPMessageType] = [.commandAMF0, .commandAMF3, .dataAMF0, .dataAMF3, .userControl]

    static func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let type = types[Int(selector) % types.count]
        let message = RTMPMessage(typeID: type.rawValue, streamID: 1, timestamp: 0, payload: ByteBuffer(bytes: bytes.dropFirst()))
        MessageFuzzing.decode(message)
    }
}
