import Foundation
import PackagePlugin

/// Embeds the files in a target's `Page/` folder (the HTML page's JavaScript and CSS) into the target as
/// string constants of `enum PageFiles`, generated at build time by the `LanesEmbed` tool. The folder is
/// excluded from the target's sources in Package.swift; this plugin lists it on every build.
@main
struct LanesEmbedPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Page")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".js") || $0.hasSuffix(".css") }
            .sorted()
        let inputs = names.map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "PageFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.joined(separator: ", ")) into \(target.name)",
                executable: try context.tool(named: "LanesEmbed").url,
                arguments: [output.path, "PageFiles"] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
