import NIOCore
import Testing
@testable import RTMP

@Suite struct ChunkTests {
    static func message(_ type: UInt8, stream: UInt32, timestamp: UInt32, size: Int) -> RTMPMessage {
        RTMPMessage(typeID: type, streamID: stream, timestamp: timestamp,
                    payload: ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7) }))
    }

    static let cases: [(csid: UInt32, chunkSize: Int, message: RTMPMessage)] = [
        (3, 128, message(20, stream: 0, timestamp: 0, size: 10)),
        (6, 128, message(9, stream: 1, timestamp: 40, size: 300)),
        (64, 4096, message(8, stream: 1, timestamp: 0x00FF_FFFE, size: 5000)),
        (319, 60, message(9, stream: 7, timestamp: 0x0100_0000, size: 1000)),   // extended timestamp on fmt 3 too
        (320, 1, message(18, stream: 1, timestamp: 5, size: 3)),
        (65599, 128, message(9, stream: 1, timestamp: 0xFFFF_FFFF, size: 0)),
    ]

    @Test(arguments: 0..<cases.count)
    func roundTripsWholeAndByteByByte(_ index: Int) throws {
        let (csid, chunkSize, message) = Self.cases[index]
        var wire = ChunkEncoder.encode(message, chunkStreamID: csid, chunkSize: chunkSize)
        var decoder = ChunkDecoder()
        if chunkSize != 128 {
            decoder.append(ChunkEncoder.encode(ProtocolControl.setChunkSize(chunkSize), chunkStreamID: 2, chunkSize: 128))
            #expect(try decoder.nextMessage()?.type == .setChunkSize)
        }
        var byteByByte = decoder
        decoder.append(wire)
        #expect(try decoder.nextMessage() == message)
        #expect(try decoder.nextMessage() == nil)

        var decoded: [RTMPMessage] = []
        while let byte = wire.readInteger(as: UInt8.self) {
            byteByByte.append(bytes: [byte])
            while let next = try byteByByte.nextMessage() { decoded.append(next) }
        }
        #expect(decoded == [message])
    }

    @Test func decodesCompressedHeadersWithDeltas() throws {
        // fmt 0 at t=100, then fmt 1 (delta 40, new length), fmt 2 (delta 40), fmt 3 (repeat delta).
        var wire = ByteBuffer()
        wire.writeBytes([0x06, 0, 0, 100, 0, 0, 2, 9, 1, 0, 0, 0, 0xAA, 0xBB])
        wire.writeBytes([0x46, 0, 0, 40, 0, 0, 1, 9, 0xCC])
        wire.writeBytes([0x86, 0, 0, 40, 0xDD])
        wire.writeBytes([0xC6, 0xEE])
        var decoder = ChunkDecoder()
        decoder.append(wire)
        var timestamps: [UInt32] = []
        while let message = try decoder.nextMessage() {
            #expect(message.streamID == 1)
            timestamps.append(message.timestamp)
        }
        #expect(timestamps == [100, 140, 180, 220])
    }

    @Test func hostileChunkSizesAreRefused() {
        for size in [0, Int(Int32.max)] {
            var decoder = ChunkDecoder()
            decoder.append(ChunkEncoder.encode(ProtocolControl.setChunkSize(size), chunkStreamID: 2, chunkSize: 128))
            #expect(throws: ChunkDecoderError.self) { try decoder.nextMessage() }
        }
    }

    @Test func messageDeclaringSixteenMebibytesIsRefusedBeforeBuffering() {
        var decoder = ChunkDecoder()
        decoder.append(bytes: [0x06, 0, 0, 0, 0xFF, 0xFF, 0xFF, 9, 1, 0, 0, 0, 1, 2, 3])
        #expect(throws: ChunkDecoderError.messageTooLarge(0xFF_FFFF, limit: 8 << 20)) { try decoder.nextMessage() }
    }

    @Test func tenThousandChunkStreamsAreRefused() throws {
        var decoder = ChunkDecoder(limits: .init(maxChunkStreams: 64))
        var thrown: ChunkDecoderError?
        for csid in 3..<10_003 {
            // Each opens a partial message on a new chunk stream.
            var chunk = ByteBuffer()
            ChunkEncoder.writeBasicHeader(format: 0, chunkStreamID: UInt32(csid), into: &chunk)
            chunk.writeBytes([0, 0, 0, 0, 0x10, 0, 9, 1, 0, 0, 0])
            chunk.writeBytes([UInt8](repeating: 0, count: 128))
            decoder.append(chunk)
            do { _ = try decoder.nextMessage() } catch { thrown = error; break }
        }
        #expect(thrown == .tooManyChunkStreams(limit: 64))
    }

    @Test func continuationWithoutHeaderIsRefused() {
        var decoder = ChunkDecoder()
        decoder.append(bytes: [0xC5, 0x00])
        #expect(throws: ChunkDecoderError.continuationWithoutHeader(chunkStreamID: 5)) { try decoder.nextMessage() }
    }

    @Test func acknowledgementIsDueEveryWindow() {
        var tracker = AcknowledgementTracker(windowSize: 1000)
        #expect(tracker.received(999) == nil)
        #expect(tracker.received(1) == 1000)
        #expect(tracker.received(500) == nil)
        #expect(tracker.received(600) == 2100)
    }
}
