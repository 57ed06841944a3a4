import NIOCore

/// Expands the run-length sample tables of an `stbl` (stts, ctts, stss, stsc, stsz, stco/co64)
/// into one `MP4Sample` per sample, checking every count against the bytes present.
struct SampleTableParser {
    var stbl: ByteBuffer
    var maximumSampleCount: Int
    var descriptionCount: Int

    func samples() throws -> [MP4Sample] {
        let sizes = try sampleSizes()
        let count = sizes.count
        var samples: [MP4Sample] = []
        samples.reserveCapacity(count)

        // stts: (count, delta) runs.
        let stts = try table("stts", entrySize: 8)
        var durations: [UInt32] = []
        durations.reserveCapacity(count)
        for (runCount, delta, _) in stts {
            let run = min(Int(runCount), count - durations.count)
            durations.append(contentsOf: repeatElement(UInt32(truncatingIfNeeded: delta), count: run))
        }
        var offsets = [Int32](repeating: 0, count: count)
        if let ctts = try optionalTable("ctts", entrySize: 8) {
            var index = 0
            for (runCount, offset) in ctts {
                let run = min(Int(runCount), count - index)
                for _ in 0..<run {
                    offsets[index] = Int32(bitPattern: UInt32(truncatingIfNeeded: offset))
                    index += 1
                }
            }
        }
        var sync: [Bool]
        if let stss = try optionalTable("stss", entrySize: 4) {
            sync = [Bool](repeating: false, count: count)
            for (number, _) in stss where number >= 1 && Int(number) <= count { sync[Int(number) - 1] = true }
        } else {
            sync = [Bool](repeating: true, count: count)
        }
        let chunkOffsets = try self.chunkOffsets()
        let stsc = try table("stsc", entrySize: 12, thirdField: true)

        var sampleIndex = 0
        var decodeTime: Int64 = 0
        for (entryIndex, entry) in stsc.enumerated() {
            let firstChunk = Int(entry.0)
            let lastChunk = entryIndex + 1 < stsc.count ? Int(stsc[entryIndex + 1].0) - 1 : chunkOffsets.count
            guard firstChunk >= 1, lastChunk <= chunkOffsets.count else { throw ISOBMFFError.malformed("stsc chunk out of range") }
            let description = Int(entry.2) - 1
            guard description >= 0, description < max(descriptionCount, 1) else {
                throw ISOBMFFError.malformed("stsc sample description index \(entry.2)")
            }
            guard firstChunk <= lastChunk else { continue }
            for chunk in firstChunk...lastChunk {
                var offset = chunkOffsets[chunk - 1]
                for _ in 0..<min(Int(entry.1), count - sampleIndex) {
                    let duration = sampleIndex < durations.count ? durations[sampleIndex] : 0
                    samples.append(MP4Sample(decodeTime: decodeTime, compositionOffset: offsets[sampleIndex], duration: duration,
                                             size: sizes[sampleIndex], offset: offset, isSync: sync[sampleIndex],
                                             descriptionIndex: description))
                    offset &+= UInt64(sizes[sampleIndex])
                    decodeTime += Int64(duration)
                    sampleIndex += 1
                }
            }
        }
        guard sampleIndex == count else { throw ISOBMFFError.malformed("stsc covers \(sampleIndex) of \(count) samples") }
        return samples
    }

    private func sampleSizes() throws -> [UInt32] {
        var stsz = try stbl.requireChild("stsz", in: "stbl")
        stsz.moveReaderIndex(forwardBy: min(4, stsz.readableBytes))
        guard let fixed = stsz.readInteger(as: UInt32.self), let count = stsz.readInteger(as: UInt32.self) else {
            throw ISOBMFFError.truncated(context: "stsz")
        }
        guard Int(count) <= maximumSampleCount else { throw ISOBMFFError.tooLarge("\(count) samples") }
        if fixed != 0 { return [UInt32](repeating: fixed, count: Int(count)) }
        guard Int(count) <= stsz.readableBytes / 4 else { throw ISOBMFFError.truncated(context: "stsz entries") }
        return (0..<Int(count)).map { _ in stsz.readInteger(as: UInt32.self) ?? 0 }
    }

    private func chunkOffsets() throws -> [UInt64] {
        if let co64 = try optionalTable("co64", entrySize: 8, wide: true) { return co64.map(\.0) }
        guard let stco = try optionalTable("stco", entrySize: 4) else { throw ISOBMFFError.missingBox("stco", in: "stbl") }
        return stco.map(\.0)
    }

    private func optionalTable(_ type: FourCC, entrySize: Int, wide: Bool = false) throws -> [(UInt64, UInt64)]? {
        guard try stbl.child(type) != nil else { return nil }
        return try table(type, entrySize: entrySize, wide: wide).map { ($0.0, $0.1) }
    }

    /// Reads a full box table: entry_count then entries of one to three 32-bit fields
    /// (or one 64-bit field when `wide`).
    private func table(_ type: FourCC, entrySize: Int, wide: Bool = false, thirdField: Bool = false) throws -> [(UInt64, UInt64, UInt64)] {
        var box = try stbl.requireChild(type, in: "stbl")
        box.moveReaderIndex(forwardBy: min(4, box.readableBytes))
        guard let count = box.readInteger(as: UInt32.self) else { throw ISOBMFFError.truncated(context: "\(type)") }
        guard Int(count) <= maximumSampleCount, Int(count) <= box.readableBytes / entrySize else {
            throw ISOBMFFError.truncated(context: "\(type) entries")
        }
        var entries: [(UInt64, UInt64, UInt64)] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            if wide {
                entries.append((box.readInteger(as: UInt64.self) ?? 0, 0, 0))
            } else if entrySize == 4 {
                entries.append((UInt64(box.readInteger(as: UInt32.self) ?? 0), 0, 0))
            } else {
                let a = UInt64(box.readInteger(as: UInt32.self) ?? 0)
                let b = UInt64(box.readInteger(as: UInt32.self) ?? 0)
                let c = thirdField ? UInt64(box.readInteger(as: UInt32.self) ?? 0) : 0
                entries.append((a, b, c))
            }
        }
        return entries
    }
}
