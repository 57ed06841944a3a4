import ControlProtocol
import Foundation
import NIOCore

/// JSON-lines coding of the control socket's messages: one object per line, the same encoder
/// configuration on both sides.
public enum ControlLinkCoding {
    /// Longest line either side accepts (a reply listing tens of thousands of clients fits).
    public static let maxLineLength = 16 << 20

    static func encodeLine<T: Encodable>(_ value: T, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let data = try JSONEncoder().encode(value)
        var buffer = allocator.buffer(capacity: data.count + 1)
        buffer.writeBytes(data)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    /// The line answering `listClients` request `id`: the reply with `clients`, or, when that line
    /// would be longer than `limit` (the peer would drop the link), a "too-large" error reply.
    static func clientListLine(id: UInt64, clients: [ClientSnapshot], allocator: ByteBufferAllocator,
                               limit: Int = maxLineLength) throws -> ByteBuffer {
        let line = try encodeLine(DataPlaneMessage.reply(CommandReply(id: id, ok: true, clients: clients)), allocator: allocator)
        guard line.readableBytes - 1 > limit else { return line }
        let refusal = CommandReply(id: id, ok: false, errorCode: "too-large",
                                   message: "the list of \(clients.count) clients is longer than the control link's \(limit)-byte line limit")
        return try encodeLine(DataPlaneMessage.reply(refusal), allocator: allocator)
    }

    /// nil for a message this side does not know (a newer peer's type): ignored, not an error.
    static func decodeLine<T: Decodable>(_ type: T.Type, from line: ByteBuffer) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(line.readableBytesView))
    }
}

/// Where the two processes of a node meet when started without `--control-socket`.
public enum ControlSocketPath {
    /// `./lsc-<role>.sock` in the working directory, e.g. `./lsc-origin.sock`: `lsc-relay` and
    /// `lsc-control` started in the same directory with the same role find each other.
    public static func defaultPath(role: String) -> String { "./lsc-\(role).sock" }
}
