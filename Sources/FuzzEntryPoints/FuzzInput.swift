/// Helpers that turn one flat fuzz input into the pieces a parser sees.
enum FuzzInput {
    /// Separates the parts of a multi-part input (the files of a DVR recording). Chosen so that it
    /// does not occur in the seeds; libFuzzer's comparison tracing finds it quickly.
    static let separator: [UInt8] = Array("\n--LSC-FUZZ-PART--\n".utf8)

    /// Splits `bytes` at every occurrence of `separator`.
    static func parts(_ bytes: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        var index = 0
        let count = separator.count
        while index + count <= bytes.count {
            if bytes[index] == separator[0], bytes[index..<index + count].elementsEqual(separator) {
                parts.append(Array(bytes[start..<index]))
                index += count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(Array(bytes[start...]))
        return parts
    }

    /// Slices `bytes` into pieces of a size derived from the input's length, as TCP would deliver
    /// them: the same input always splits the same way, different lengths split differently.
    static func pieces(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        let size = 1 + bytes.count % 509
        return stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min(bytes.count, $0 + size)] }
    }
}
