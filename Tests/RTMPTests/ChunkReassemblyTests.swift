import NIOCore
import Testing
@testable import RTMP

/// Reassembly of interleaved chunk streams, its cost, and the per-connection budget.
@Suite struct ChunkReassemblyTests {
    static func payload(_ size: Int, seed: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) })
    }

    /// The chunks of `message` (fmt 0 then fmt 3), each one a separate buffer.
    static func chunks(of message: RTMPMessage, chunkStreamID: UInt32, chunkSize: Int) -> [ByteBuffer] {
        var wire = ChunkEncoder.encode(message, chunkStreamID: chunkStreamID, chunkSize: chunkSize)
        let basic = chunkStreamID < 64 ? 1 : chunkStreamID < 320 ? 2 : 3
        var remaining = message.payload.readableBytes
        var result: [ByteBuffer] = []
        var first = true
        repeat {
            let body = min(chunkSize, remaining)
            let header = basic + (first ? 11 : 0)
            result.append(wire.readSlice(length: header + body)!)
            remaining -= body
            first = false
        } while remaining > 0
        return result
    }

    /// Audio, video and a command interleaved chunk by chunk, as a publisher sends them.
    static func interleaved() -> (wire: ByteBuffer, messages: [RTMPMessage]) {
        let messages = [
            RTMPMessage(typeID: 9, streamID: 1, timestamp: 40, payload: payload(1000, seed: 1)),
            RTMPMessage(typeID: 8, streamID: 1, timestamp: 42, payload: payload(300, seed: 2)),
            RTMPMessage(typeID: 20, streamID: 0, timestamp: 0, payload: payload(200, seed: 3)),
            RTMPMessage(typeID: 8, streamID: 1, timestamp: 44, payload: payload(10, seed: 4)),
        ]
        let perStream = [
            chunks(of: messages[0], chunkStreamID: 6, chunkSize: 128),
            chunks(of: messages[1], chunkStreamID: 4, chunkSize: 128) + chunks(of: messages[3], chunkStreamID: 4, chunkSize: 128),
            chunks(of: messages[2], chunkStreamID: 70, chunkSize: 128),
        ]
        var wire = ByteBuffer()
        var index = 0
        while perStream.contains(where: { index < $0.count }) {
            for stream in perStream where index < stream.count {
                var chunk = stream[index]
                wire.writeBuffer(&chunk)
            }
            index += 1
        }
        return (wire, messages)
    }

    @Test func interleavedChunkStreamsDecodeAtEverySplitPoint() throws {
        let (wire, messages) = Self.interleaved()
        var whole = ChunkDecoder()
        whole.append(wire)
        var expected: [RTMPMessage] = []
        while let message = try whole.nextMessage() { expected.append(message) }
        #expect(expected.count == messages.count)
        for message in messages { #expect(expected.contains(message)) }
        #expect(whole.partialBytes == 0)

        for split in 0...wire.readableBytes {
            var decoder = ChunkDecoder()
            var decoded: [RTMPMessage] = []
            var input = wire
            var head = input.readSlice(length: split)!
            // Both halves through `decode(from:)` as the NIO decoder does, keeping the leftover.
            while let message = try decoder.decode(from: &head) { decoded.append(message) }
            head.writeBuffer(&input)
            while let message = try decoder.decode(from: &head) { decoded.append(message) }
            #expect(decoded == expected, "split at \(split)")
            #expect(head.readableBytes == 0)
        }
    }

    @Test func eightMebibyteMessageInSmallChunksIsReassembledInLinearTime() throws {
        let size = 8 << 20
        let message = RTMPMessage(typeID: 9, streamID: 1, timestamp: 7, payload: Self.payload(size, seed: 9))
        var decoder = ChunkDecoder()
        decoder.append(ChunkEncoder.encode(message, chunkStreamID: 6, chunkSize: 128))
        #expect(try decoder.nextMessage() == message)
        // Growth by doubling moves at most the bytes received once more in all. Copying the
        // partial message on every appended chunk (copy-on-write) would move ~256 GiB here.
        #expect(decoder.bytesMoved <= size)
        #expect(decoder.partialBytes == 0)
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func unfinishedMessagesHoldOnlyTheBytesReceived() throws {
        // 63 chunk streams each declare an 8 MiB message and send one 128-byte chunk.
        var decoder = ChunkDecoder()
        var wire = ByteBuffer()
        for csid in UInt8(3)...63 + 2 {
            // fmt 0: timestamp 0, length 8 MiB, video, stream 1; then 128 bytes of payload.
            if csid < 64 { wire.writeInteger(csid) } else { wire.writeBytes([0, csid - 64]) }
            wire.writeBytes([0, 0, 0, 0x80, 0, 0, 9, 1, 0, 0, 0])
            wire.writeRepeatingByte(0xAB, count: 128)
        }
        decoder.append(wire)
        #expect(try decoder.nextMessage() == nil)
        #expect(decoder.partialBytes == 63 * 128)
    }

    @Test func connectionBudgetCoversAllUnfinishedMessagesTogether() throws {
        var decoder = ChunkDecoder(limits: .init(maxBufferedBytes: 1000))
        let video = Self.chunks(of: RTMPMessage(typeID: 9, streamID: 1, timestamp: 0, payload: Self.payload(900, seed: 1)),
                                chunkStreamID: 6, chunkSize: 128)
        let audio = Self.chunks(of: RTMPMessage(typeID: 8, streamID: 1, timestamp: 0, payload: Self.payload(900, seed: 2)),
                                chunkStreamID: 4, chunkSize: 128)
        var thrown: ChunkDecoderError?
        do {
            for index in 0..<video.count {
                decoder.append(video[index])
                decoder.append(audio[index])
                while try decoder.nextMessage() != nil {}
            }
        } catch {
            thrown = error
        }
        #expect(thrown == .bufferBudgetExceeded(limit: 1000))
        #expect(decoder.partialBytes <= 1000)
    }

    @Test func abortReleasesTheUnfinishedMessage() throws {
        var decoder = ChunkDecoder()
        let chunks = Self.chunks(of: RTMPMessage(typeID: 9, streamID: 1, timestamp: 0, payload: Self.payload(500, seed: 1)),
                                 chunkStreamID: 6, chunkSize: 128)
        decoder.append(chunks[0])
        #expect(try decoder.nextMessage() == nil)
        #expect(decoder.partialBytes == 128)
        decoder.append(ChunkEncoder.encode(ProtocolControl.abort(chunkStreamID: 6), chunkStreamID: 2, chunkSize: 128))
        #expect(try decoder.nextMessage()?.type == .abort)
        #expect(decoder.partialBytes == 0)
        // The stream starts over with a new message.
        let next = RTMPMessage(typeID: 9, streamID: 1, timestamp: 5, payload: Self.payload(20, seed: 3))
        decoder.append(ChunkEncoder.encode(next, chunkStreamID: 6, chunkSize: 128))
        #expect(try decoder.nextMessage() == next)
    }
}
