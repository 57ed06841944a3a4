import ArgumentParser
import Foundation
import HighlightExport
import ISOBMFF

/// `lsc-export`: exports a highlight edit list of MP4/F4V clips into one F4V file, the way the
/// control plane's export jobs do, for scripts and benchmarks.
@main
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsc-export",
        abstract: "Cut items from MP4/F4V clips and join them into one F4V (remux, no re-encoding).")

    @Option(name: .shortAndLong, help: "Output file (written to a temporary name, renamed when complete).")
    var output: String

    @Argument(help: "Items as FILE:START:END, times in seconds from the start of the clip.")
    var items: [String]

    func run() throws {
        var readers: [String: FileByteReader] = [:]
        var movies: [String: MP4Movie] = [:]
        let parsed = try items.map { text -> (String, Double, Double) in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, let start = Double(parts[parts.count - 2]), let end = Double(parts[parts.count - 1]) else {
                throw ValidationError("item '\(text)' is not FILE:START:END")
            }
            return (parts.dropLast(2).joined(separator: ":"), start, end)
        }
        let highlightItems = parsed.map { HighlightItem(source: .clip, name: $0.0, start: .seconds($0.1), end: .seconds($0.2)) }
        let resolved = try HighlightEditList.resolve(highlightItems) { item -> (any ExportSampleSource)? in
            if readers[item.name] == nil {
                let reader = try FileByteReader(path: item.name)
                readers[item.name] = reader
                movies[item.name] = try MP4Reader().read(reader)
            }
            guard let reader = readers[item.name], let movie = movies[item.name] else { return nil }
            return MP4ClipSource(movie: movie, reader: reader)
        }
        let started = Date()
        let plan = try ExportPlanner().plan(resolved)
        let temporary = output + ".partial"
        var sink = try FileByteSink(path: temporary)
        do {
            let size = try HighlightExporter().export(plan, to: &sink)
            try sink.close()
            _ = rename(temporary, output)
            let elapsed = Date().timeIntervalSince(started)
            let itemsJSON = plan.items.map { #"{"start":\#($0.start),"end":\#($0.end)}"# }.joined(separator: ",")
            print(#"{"output":"\#(output)","duration":\#(plan.duration),"size":\#(size),"seconds":\#(elapsed),"items":[\#(itemsJSON)]}"#)
        } catch {
            try? sink.close()
            unlink(temporary)
            throw error
        }
    }
}
