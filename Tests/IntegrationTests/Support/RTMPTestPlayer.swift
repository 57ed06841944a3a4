import Foundation
import NIOCore
import RTMP

/// A minimal RTMP player over `RawSocket` for live tests that need to see exactly what the relay
/// sends: `connect`, `createStream`, `play(name, start)`, `seek`, and every message received
/// (status codes, data messages, media timestamps).
final class RTMPTestPlayer {
    let socket: RawSocket
    private var decoder = ChunkDecoder()
    /// Everything received so far, in order.
    private(set) var messages: [RTMPMessage] = []

    /// `enhanced`: E-RTMP capabilities announced in `connect` (fourCcList, capsEx).
    init(port: Int, app: String = "livestreamcast_origin", enhanced: EnhancedCapabilities? = nil) throws {
        socket = try RawSocket(port: port)
        guard socket.handshake() else { throw ToolError.missing("an RTMP handshake on port \(port)") }
        send(CommandMessage(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string(app))] + (enhanced?.properties ?? []))))
        send(CommandMessage(name: "createStream", transactionID: 2))
    }

    func send(_ command: CommandMessage, streamID: UInt32 = 0) {
        socket.send(Array(ChunkEncoder.encode(command.message(streamID: streamID), chunkStreamID: 3, chunkSize: 128).readableBytesView))
    }

    /// `play(name, start)` on message stream 1 (what `createStream` returns on a fresh connection).
    func play(_ name: String, start: Double? = nil) {
        send(CommandMessage(name: "play", transactionID: 0, arguments: [.string(name)] + (start.map { [.number($0)] } ?? [])), streamID: 1)
    }

    func seek(_ milliseconds: Double) {
        send(CommandMessage(name: "seek", transactionID: 0, arguments: [.number(milliseconds)]), streamID: 1)
    }

    /// Reads until `predicate` holds for the messages so far or `timeout` seconds pass.
    @discardableResult
    func read(timeout: TimeInterval, until predicate: ([RTMPMessage]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(messages) { return true }
            if let bytes = socket.readAvailable() {
                decoder.append(bytes: bytes)
                while let message = try? decoder.nextMessage() { messages.append(message) }
            }
        }
        return predicate(messages)
    }

    /// `onStatus` codes received, in order.
    static func statusCodes(_ messages: some Sequence<RTMPMessage>) -> [String] {
        messages.compactMap { message in
            guard message.typeID == 20, let command = try? CommandMessage(message: message), command.name == "onStatus" else { return nil }
            return command.arguments.first?["code"]?.stringValue
        }
    }

    /// `onPlayStatus` / `onMetaData` style data messages: (handler name, first argument).
    static func dataMessages(_ messages: some Sequence<RTMPMessage>) -> [(String, AMF0Value?)] {
        messages.compactMap { message in
            guard message.typeID == 18, let data = try? DataMessage(message: message), let name = data.values.first?.stringValue else { return nil }
            return (name, data.values.dropFirst().first)
        }
    }
}

extension RawSocket {
    /// Whatever the peer has sent (up to 64 KiB), waiting at most the socket's receive timeout;
    /// nil when nothing came or the peer closed.
    func readAvailable() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : nil
    }
}
