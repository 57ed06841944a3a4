/// File and directory names of the DVR store under `<media>/dvr/`.
///
/// Layout (one directory per stream, names escaped so that nothing from the network can leave
/// the media root):
/// ```
/// <media>/dvr/<escaped stream>/recording.json   written once, atomically: stream, wall-clock start
/// <media>/dvr/<escaped stream>/index.dvx        append-only fixed-size records (DVRIndexRecord)
/// <media>/dvr/<escaped stream>/seg-00000001.flv append-only FLV files (header + tags)
/// ```
public enum DVRName {
    public static let dvrDirectory = "dvr"
    public static let infoFile = "recording.json"
    public static let indexFile = "index.dvx"
    /// Longest stream name accepted for recording (bytes, before escaping).
    public static let maxStreamNameLength = 200

    /// The directory name for `stream`: ASCII letters, digits, `-`, `_` and `.` are kept, every
    /// other byte (and `%`, and a leading `.`) is `%XX`, so the result has no `/` and is never
    /// `.` or `..`. Nil for empty or over-long names.
    public static func directoryName(forStream stream: String) -> String? {
        let bytes = Array(stream.utf8)
        guard !bytes.isEmpty, bytes.count <= maxStreamNameLength else { return nil }
        var out = ""
        for (index, byte) in bytes.enumerated() {
            let keep = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || (byte == 0x2E && index > 0)
            if keep {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + hex(byte)
            }
        }
        return out
    }

    /// The stream name a directory stands for; nil when the name is not one we produce.
    public static func streamName(forDirectory directory: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(directory.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == 0x25 {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let name = String(validating: bytes, as: UTF8.self),
              directoryName(forStream: name) == directory else { return nil }
        return name
    }

    /// `seg-00000001.flv` for segment 1.
    public static func segmentFile(_ number: UInt32) -> String {
        let digits = String(number)
        return "seg-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".flv"
    }

    /// The segment number of a segment file name, nil for other names.
    public static func segmentNumber(fromFile name: String) -> UInt32? {
        guard name.hasPrefix("seg-"), name.hasSuffix(".flv") else { return nil }
        let digits = name.dropFirst(4).dropLast(4)
        guard digits.count == 8, digits.allSatisfy(\.isASCII) else { return nil }
        return UInt32(digits)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }
}
