import FLV
import HTTPMedia
import NIOCore
import XCTest

final class FMP4MuxerTests: XCTestCase {
    private func run(_ frames: [MediaFrame], configuration: FMP4Muxer.Configuration = .init()) -> (inits: [ByteBuffer], parts: [FMP4Part]) {
        var muxer = FMP4Muxer(configuration: configuration)
        var inits: [ByteBuffer] = []
        var parts: [FMP4Part] = []
        for frame in frames {
            for output in muxer.append(frame) {
                switch output {
                case .initialization(let bytes, _): inits.append(bytes)
                case .part(let part): parts.append(part)
                }
            }
        }
        return (inits, parts)
    }

    func testInitializationSegmentHasFragmentedMovieWithBothTracks() throws {
        let (inits, _) = run(MediaFrames.stream(seconds: 1))
        XCTAssertEqual(inits.count, 1)
        let initialization = try XCTUnwrap(inits.first)
        XCTAssertEqual(Boxes.top(initialization).map(\.type), ["ftyp", "moov"])
        let ftyp = try XCTUnwrap(Boxes.find(["ftyp"], in: initialization))
        XCTAssertEqual(String(decoding: ftyp.payload.getBytes(at: ftyp.payload.readerIndex, length: 4)!, as: UTF8.self), "iso6")
        let mvex = try XCTUnwrap(Boxes.find(["moov", "mvex"], in: initialization))
        XCTAssertEqual(Boxes.top(mvex.payload).map(\.type), ["trex", "trex"])
        let traks = Boxes.top(Boxes.find(["moov"], in: initialization)!.payload).filter { $0.type == "trak" }
        XCTAssertEqual(traks.count, 2)
        XCTAssertNotNil(Boxes.find(["moov", "trak", "mdia", "minf", "stbl", "stsd", "avc1"], in: initialization))
    }

    func testPartsStartAtKeyframesStayUnderTargetAndDecodeTimesAreContinuous() throws {
        let (_, parts) = run(MediaFrames.stream(seconds: 4, gop: 25), configuration: .init(partTarget: 0.3, segmentTarget: 1.0))
        XCTAssertGreaterThan(parts.count, 8)
        var videoEnd: UInt64?
        for part in parts {
            XCTAssertLessThanOrEqual(part.duration, 0.3 + 1e-9)
            let boxes = Boxes.top(part.bytes)
            XCTAssertEqual(boxes.map(\.type), ["moof", "mdat"])
            let moof = boxes[0]
            let traf = try XCTUnwrap(Boxes.top(moof.payload).first { $0.type == "traf" })
            let tfdt = try XCTUnwrap(Boxes.top(traf.payload).first { $0.type == "tfdt" })
            let base = tfdt.payload.getInteger(at: tfdt.payload.readerIndex + 4, as: UInt64.self)!
            let trun = try XCTUnwrap(Boxes.top(traf.payload).first { $0.type == "trun" })
            let count = Int(trun.payload.getInteger(at: trun.payload.readerIndex + 4, as: UInt32.self)!)
            var duration: UInt64 = 0
            for index in 0..<count {
                duration += UInt64(trun.payload.getInteger(at: trun.payload.readerIndex + 12 + index * 16, as: UInt32.self)!)
            }
            if let videoEnd { XCTAssertEqual(base, videoEnd, "tfdt continues where the previous part ended") }
            videoEnd = base + duration
            // data_offset points just past the mdat header.
            let dataOffset = Int(trun.payload.getInteger(at: trun.payload.readerIndex + 8, as: Int32.self)!)
            XCTAssertEqual(dataOffset, boxes[1].start + 8)
        }
        // Every second (25 frames) a keyframe ends a segment; the next part is independent.
        for (index, part) in parts.enumerated() where part.endsSegment && index + 1 < parts.count {
            XCTAssertTrue(parts[index + 1].isIndependent)
        }
        XCTAssertEqual(parts.filter(\.endsSegment).count, 3)
        XCTAssertTrue(parts[0].isIndependent)
    }

    func testSplicedTimestampsKeepDecodeTimesContinuous() {
        // The relay continues timestamps across a splice; a wrap of the 32-bit clock is continuous too.
        let near = UInt32.max - 1000
        let (_, parts) = run(MediaFrames.stream(seconds: 3, from: near), configuration: .init(partTarget: 0.5, segmentTarget: 1.0))
        XCTAssertGreaterThan(parts.count, 4)
        for pair in zip(parts, parts.dropFirst()) {
            XCTAssertEqual(pair.0.startTime + pair.0.duration, pair.1.startTime, accuracy: 1e-6)
        }
    }

    func testNewSequenceHeaderStartsNewGeneration() {
        var frames = MediaFrames.stream(seconds: 2)
        frames.append(MediaFrames.videoHeader(at: 2000, sps: [0x67, 0x64, 0x00, 0x1F, 0xAC]))
        frames.append(MediaFrames.video(at: 2000, key: true))
        frames.append(MediaFrames.video(at: 2040, key: false))
        frames.append(MediaFrames.video(at: 2080, key: true))
        let (inits, parts) = run(frames)
        XCTAssertEqual(inits.count, 2)
        XCTAssertEqual(parts.last?.generation, 2)
        XCTAssertTrue(parts.contains { $0.generation == 1 && $0.endsSegment })
    }

    func testAudioOnlyStreamStartsAfterOneSecond() {
        var frames = [MediaFrames.audioHeader()]
        for index in 0..<100 { frames.append(MediaFrames.audio(at: UInt32(Double(index) * 23.2))) }
        let (inits, parts) = run(frames)
        XCTAssertEqual(inits.count, 1)
        XCTAssertFalse(parts.isEmpty)
        XCTAssertTrue(parts.allSatisfy(\.isIndependent))
    }
}
