import NIOCore

/// Writes the boxes of one track's `stbl`, run-length encoding what the tables allow.
struct SampleTableWriter {
    var track: F4VTrack
    var chunkOffsets: [UInt64]
    var chunkSizes: [Int]
    var largeOffsets: Bool

    func write(into stbl: inout ByteBuffer) {
        stbl.writeFullBox("stsd") { stsd in
            stsd.writeInteger(UInt32(track.sampleDescriptions.count))
            for description in track.sampleDescriptions { writeSampleEntry(description, into: &stsd) }
        }
        let durations = runs(track.samples.map { UInt32($0.duration) })
        stbl.writeFullBox("stts") { box in
            box.writeInteger(UInt32(durations.count))
            for run in durations {
                box.writeInteger(UInt32(run.count))
                box.writeInteger(run.value)
            }
        }
        if track.samples.contains(where: { $0.compositionOffset != 0 }) {
            let negative = track.samples.contains { $0.compositionOffset < 0 }
            let offsets = runs(track.samples.map { UInt32(bitPattern: $0.compositionOffset) })
            stbl.writeFullBox("ctts", version: negative ? 1 : 0) { box in
                box.writeInteger(UInt32(offsets.count))
                for run in offsets {
                    box.writeInteger(UInt32(run.count))
                    box.writeInteger(run.value)
                }
            }
        }
        if !track.samples.allSatisfy(\.isSync) {
            let syncNumbers = track.samples.indices.filter { track.samples[$0].isSync }
            stbl.writeFullBox("stss") { box in
                box.writeInteger(UInt32(syncNumbers.count))
                for index in syncNumbers { box.writeInteger(UInt32(index + 1)) }
            }
        }
        // stsc: a new entry whenever samples-per-chunk or the sample description changes.
        var entries: [(firstChunk: Int, count: Int, description: Int)] = []
        var sampleIndex = 0
        for (chunkIndex, count) in chunkSizes.enumerated() {
            let description = track.samples[sampleIndex].descriptionIndex + 1
            if let last = entries.last, last.count == count, last.description == description {
                // Same run continues.
            } else {
                entries.append((chunkIndex + 1, count, description))
            }
            sampleIndex += count
        }
        stbl.writeFullBox("stsc") { box in
            box.writeInteger(UInt32(entries.count))
            for entry in entries {
                box.writeInteger(UInt32(entry.firstChunk))
                box.writeInteger(UInt32(entry.count))
                box.writeInteger(UInt32(entry.description))
            }
        }
        stbl.writeFullBox("stsz") { box in
            box.writeInteger(UInt32(0))
            box.writeInteger(UInt32(track.samples.count))
            for sample in track.samples { box.writeInteger(sample.size) }
        }
        if largeOffsets {
            stbl.writeFullBox("co64") { box in
                box.writeInteger(UInt32(chunkOffsets.count))
                for offset in chunkOffsets { box.writeInteger(offset) }
            }
        } else {
            stbl.writeFullBox("stco") { box in
                box.writeInteger(UInt32(chunkOffsets.count))
                for offset in chunkOffsets { box.writeInteger(UInt32(offset)) }
            }
        }
    }

    private func runs(_ values: [UInt32]) -> [(count: Int, value: UInt32)] {
        var result: [(count: Int, value: UInt32)] = []
        for value in values {
            if let last = result.last, last.value == value {
                result[result.count - 1].count += 1
            } else {
                result.append((1, value))
            }
        }
        return result
    }

    private func writeSampleEntry(_ description: SampleDescription, into stsd: inout ByteBuffer) {
        switch description {
        case let .avc(entry):
            stsd.writeBox("avc1") { box in
                Self.writeVisualFields(width: entry.width, height: entry.height, into: &box)
                box.writeBox("avcC") { $0.writeBytes(entry.decoderConfiguration) }
            }
        case let .aac(entry):
            stsd.writeBox("mp4a") { box in
                Self.writeAudioFields(channelCount: entry.channelCount, sampleRate: entry.sampleRate, into: &box)
                box.writeFullBox("esds") { ElementaryStreamDescriptor.write(audioSpecificConfig: entry.audioSpecificConfig, into: &$0) }
            }
        case let .codec(entry) where entry.kind == .video:
            stsd.writeBox(entry.format) { box in
                Self.writeVisualFields(width: entry.width, height: entry.height, into: &box)
                if entry.configurationIsFullBox {
                    box.writeBox(entry.configurationType) { config in
                        config.writeInteger(UInt32(0x0100_0000))  // version 1, flags 0
                        config.writeBytes(entry.configuration)
                    }
                } else {
                    box.writeBox(entry.configurationType) { $0.writeBytes(entry.configuration) }
                }
            }
        case let .codec(entry):
            stsd.writeBox(entry.format) { box in
                Self.writeAudioFields(channelCount: entry.channelCount, sampleRate: entry.sampleRate, into: &box)
                box.writeBox(entry.configurationType) { $0.writeBytes(entry.configuration) }
            }
        case let .unsupported(type):
            stsd.writeBox(type) { $0.writeRepeatingByte(0, count: 8) }
        }
    }

    /// VisualSampleEntry fields (ISO/IEC 14496-12, 12.1.3), before the codec's boxes.
    private static func writeVisualFields(width: UInt16, height: UInt16, into box: inout ByteBuffer) {
        box.writeRepeatingByte(0, count: 6)
        box.writeInteger(UInt16(1))  // data_reference_index
        box.writeRepeatingByte(0, count: 16)
        box.writeInteger(width)
        box.writeInteger(height)
        box.writeInteger(UInt32(0x0048_0000))  // 72 dpi
        box.writeInteger(UInt32(0x0048_0000))
        box.writeInteger(UInt32(0))
        box.writeInteger(UInt16(1))  // frame_count
        box.writeRepeatingByte(0, count: 32)  // compressorname
        box.writeInteger(UInt16(0x0018))  // depth
        box.writeInteger(Int16(-1))
    }

    /// AudioSampleEntry fields (ISO/IEC 14496-12, 12.2.3), before the codec's boxes.
    private static func writeAudioFields(channelCount: UInt16, sampleRate: UInt32, into box: inout ByteBuffer) {
        box.writeRepeatingByte(0, count: 6)
        box.writeInteger(UInt16(1))  // data_reference_index
        box.writeRepeatingByte(0, count: 8)
        box.writeInteger(channelCount)
        box.writeInteger(UInt16(16))  // samplesize
        box.writeInteger(UInt32(0))
        box.writeInteger(UInt32(min(sampleRate, 0xFFFF)) << 16)
    }
}
