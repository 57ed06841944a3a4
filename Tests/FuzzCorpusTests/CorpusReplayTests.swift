import Foundation
import FuzzEntryPoints
import Testing

/// Replays every committed seed and every input that once crashed a fuzz target
/// (`FuzzTesting/Corpus/<Target>/`, `FuzzTesting/Regressions/<Target>/`) through the same entry
/// points as the libFuzzer executables, so `swift test` alone keeps them all passing.
@Suite struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzTesting")

    static func inputs(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let directory = root.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func corpusReplaysWithoutCrashing(_ target: FuzzTarget) throws {
        let seeds = Self.inputs("Corpus", target)
        #expect(seeds.count >= 3, "every target has real seeds in FuzzTesting/Corpus/\(target.rawValue)")
        for url in seeds + Self.inputs("Regressions", target) {
            target.run(Array(try Data(contentsOf: url)))
        }
    }
}
