import ISOBMFF
import NIOCore

// One movie fragment (ISO/IEC 14496-12 8.8; CMAF ISO/IEC 23000-19 7.3.2):
//
//   moof
//     mfhd                 sequence_number
//     traf (per track)
//       tfhd               flags 0x020000 default-base-is-moof, track_ID
//       tfdt  v1           baseMediaDecodeTime (64-bit): the first sample's decode time
//       trun  v1           flags 0xF01: data_offset, and per sample duration, size, flags,
//                          signed composition offset
//   mdat                   the samples of every traf, in traf order
//
// data_offset counts from the first byte of `moof` (default-base-is-moof) to the run's first
// sample in `mdat`.

/// One sample of a fragment, in its track's timescale.
public struct FMP4Sample: Sendable, Equatable {
    public var decodeTime: UInt64
    public var duration: UInt32
    public var compositionOffset: Int32
    public var isSync: Bool
    public var payload: ByteBuffer

    public init(decodeTime: UInt64, duration: UInt32, compositionOffset: Int32 = 0, isSync: Bool, payload: ByteBuffer) {
        self.decodeTime = decodeTime
        self.duration = duration
        self.compositionOffset = compositionOffset
        self.isSync = isSync
        self.payload = payload
    }
}

/// The samples of one track in one fragment.
public struct FMP4TrackRun: Sendable, Equatable {
    public var trackID: UInt32
    public var samples: [FMP4Sample]

    public init(trackID: UInt32, samples: [FMP4Sample]) {
        self.trackID = trackID
        self.samples = samples
    }
}

/// Writes `moof` + `mdat` pairs.
public enum FMP4FragmentWriter {
    /// sample_flags (8.8.3.1): sample_depends_on = 2 (an I picture) for sync samples;
    /// sample_depends_on = 1 plus sample_is_non_sync_sample for the others.
    static let syncFlags: UInt32 = 0x0200_0000
    static let nonSyncFlags: UInt32 = 0x0101_0000

    /// The fragment holding `runs` (empty runs are left out).
    public static func fragment(sequenceNumber: UInt32, runs: [FMP4TrackRun]) -> ByteBuffer {
        let runs = runs.filter { !$0.samples.isEmpty }
        var out = ByteBuffer()
        var offsetFields: [Int] = []
        let moofStart = out.writerIndex
        out.writeBox("moof") { moof in
            moof.writeFullBox("mfhd") { $0.writeInteger(sequenceNumber) }
            for run in runs {
                moof.writeBox("traf") { traf in
                    traf.writeFullBox("tfhd", flags: 0x02_0000) { $0.writeInteger(run.trackID) }
                    traf.writeFullBox("tfdt", version: 1) { $0.writeInteger(run.samples[0].decodeTime) }
                    traf.writeFullBox("trun", version: 1, flags: 0x000F01) { box in
                        box.writeInteger(UInt32(run.samples.count))
                        offsetFields.append(box.writerIndex)
                        box.writeInteger(Int32(0))  // data_offset, patched below
                        for sample in run.samples {
                            box.writeInteger(sample.duration)
                            box.writeInteger(UInt32(sample.payload.readableBytes))
                            box.writeInteger(sample.isSync ? syncFlags : nonSyncFlags)
                            box.writeInteger(sample.compositionOffset)
                        }
                    }
                }
            }
        }
        let payloadSize = runs.reduce(0) { total, run in run.samples.reduce(total) { $0 + $1.payload.readableBytes } }
        let mdatHeader = out.writeBoxHeader("mdat", payloadSize: UInt64(payloadSize))
        var dataOffset = out.writerIndex - moofStart
        for (run, field) in zip(runs, offsetFields) {
            out.setInteger(Int32(truncatingIfNeeded: dataOffset), at: field)
            for sample in run.samples {
                var payload = sample.payload
                out.writeBuffer(&payload)
                dataOffset += sample.payload.readableBytes
            }
        }
        _ = mdatHeader
        return out
    }
}
