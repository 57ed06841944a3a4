import Foundation

/// Frame numbers burned into test video twice: as text (`drawtext`, for a person looking at the
/// output; needs Debian's fonts-dejavu-core) and as a 16-bit bar code in the top 40 lines (`geq`:
/// bit b is the 20-pixel column b, white for 1), which tests read back from raw pixels — no OCR,
/// and robust to compression (each bit is a 20x40 block of full contrast).
enum FrameNumberCode {
    static let font = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    static let width = 320
    static let bandHeight = 40

    /// A filter chain for 320-pixel-wide video that burns in `n + offset` for frame `n` (from 0).
    static func filter(offset: Int = 0) -> String {
        let bit = "mod(floor((N+\(offset))/pow(2,floor(X/20))),2)"
        var chain = "geq=lum='if(lt(Y,\(bandHeight)),if(\(bit),235,16),lum(X,Y))'"
            + ":cb='if(lt(Y,\(bandHeight / 2)),128,cb(X,Y))':cr='if(lt(Y,\(bandHeight / 2)),128,cr(X,Y))'"
        if FileManager.default.fileExists(atPath: font) {
            chain += ",drawtext=fontfile=\(font):text='%{n}':fontsize=36:x=8:y=190:fontcolor=white:box=1:boxcolor=black"
        }
        return chain
    }

    /// The number burned into every video frame of `path`, in presentation order (one entry per
    /// decoded frame: no frame duplicated or dropped to fit a frame rate).
    static func read(_ path: String) throws -> [Int] {
        let raw = TestDirectory.make("frame-codes").appendingPathComponent("band.gray")
        let decode = try Tools.run("ffmpeg", ["-v", "error", "-y", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
                                              "-vf", "crop=\(width):\(bandHeight):0:0", "-pix_fmt", "gray", "-f", "rawvideo", raw.path],
                                   timeout: 60)
        guard decode.status == 0 else { throw ToolError.missing("a decodable video in \(path): \(decode.stderr)") }
        let bytes = [UInt8](try Data(contentsOf: raw))
        let frameSize = width * bandHeight
        return stride(from: 0, to: bytes.count - frameSize + 1, by: frameSize).map { start in
            (0..<16).reduce(0) { value, bit in
                // The mean of the middle of the bit's block, away from block edges.
                var sum = 0
                for y in 10..<30 { for x in (bit * 20 + 5)..<(bit * 20 + 15) { sum += Int(bytes[start + y * width + x]) } }
                return sum / 200 > 128 ? value | 1 << bit : value
            }
        }
    }

    /// Runs of consecutive numbers (each frame one more than the previous): (first number, frames).
    static func runs(_ numbers: [Int]) -> [(first: Int, count: Int)] {
        var runs: [(first: Int, count: Int)] = []
        for (index, number) in numbers.enumerated() {
            if index > 0, number == numbers[index - 1] + 1, !runs.isEmpty {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((number, 1))
            }
        }
        return runs
    }
}
