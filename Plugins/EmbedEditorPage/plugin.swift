import Foundation
import PackagePlugin

/// Compiles the editor page (`web/editor/`) into the target that uses this plugin: `lsc-embed-assets`
/// writes every file as base64 into one generated Swift file, so `lsc-control` carries its page
/// and runs from any directory (no resource bundle beside the binary). Runs offline at build time.
@main
struct EmbedEditorPage: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "web/editor")
        let output = context.pluginWorkDirectoryURL.appending(path: "EditorAssets+Embedded.swift")
        return [.buildCommand(
            displayName: "Embedding web/editor into \(target.name)",
            executable: try context.tool(named: "lsc-embed-assets").url,
            arguments: [root.path(), output.path()],
            inputFiles: Self.files(under: root),
            outputFiles: [output])]
    }

    /// Every regular file under `root`, so that editing one of them re-runs the command.
    static func files(under root: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
    }
}
