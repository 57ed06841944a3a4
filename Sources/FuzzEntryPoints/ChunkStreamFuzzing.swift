import FLV
import NIOCore
import RTMP

/// The chunk stream a peer sends after the handshake, delivered in pieces as TCP would, with every
/// complete message decoded as the relay decodes it (commands, data, user control, protocol
/// control, audio/video tag headers).
enum ChunkStreamFuzzing {
    static func run(_ bytes: [UInt8]) {
        // 64 KiB messages instead of the relay's 8 MiB: the decoder reserves a message's declared
        // size up front (issue 9, being replaced by a per-connection budget), so under ASan most
        // executions would allocate up to 8 MiB instead of parsing.
        var decoder = ChunkDecoder(limits: ChunkDecoderLimits(maxMessageSize: 64 << 10))
        for piece in FuzzInput.pieces(bytes) {
            decoder.append(bytes: piece)
            while true {
                let message: RTMPMessage?
                do { message = try decoder.nextMessage() } catch { return }
                guard let message else { break }
                MessageFuzzing.decode(message)
            }
        }
    }
}

/// Decodes one RTMP message the way the relay's connection does with a message of its type.
enum MessageFuzzing {
    static func decode(_ message: RTMPMessage) {
        switch message.type {
        case .commandAMF0?, .commandAMF3?:
            if let command = try? CommandMessage(message: message) { _ = RTMPCommand(command) }
        case .dataAMF0?, .dataAMF3?:
            if let data = try? DataMessage(message: message) {
                _ = data.unwrappingSetDataFrame.payload
            }
        case .userControl?:
            _ = UserControlEvent(payload: message.payload)
        case .video?:
            MediaFuzzing.video(message.payload)
        case .audio?:
            MediaFuzzing.audio(message.payload)
        default:
            _ = ProtocolControl.uint32Value(of: message)
        }
    }
}
