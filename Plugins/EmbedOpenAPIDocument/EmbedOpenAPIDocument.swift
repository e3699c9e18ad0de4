import Foundation
import PackagePlugin

/// Embeds `docs/openapi.yaml` into the target it is applied to, at build time, as
/// `enum OpenAPIDocument { static let yaml: String }` (internal), so that the daemon serves the
/// document at `GET /openapi.yaml` from inside its binary: one source, no generated copy in git,
/// and nothing to install beside the binary (a SwiftPM resource bundle would have to be copied
/// next to it, which `scripts/install.sh` does not do).
///
/// The file is an input of the build command, so editing it rebuilds the target.
@main struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "docs/openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument.swift")
        return [
            .buildCommand(
                displayName: "Embedding docs/openapi.yaml in \(target.name)",
                executable: try context.tool(named: "embed-text").url,
                arguments: [document.path(), output.path(), "OpenAPIDocument", "yaml"],
                inputFiles: [document],
                outputFiles: [output])
        ]
    }
}
