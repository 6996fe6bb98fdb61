import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard up [--service NAME] [--detach] [--json]`: packs the linked folder, uploads it as a new
/// deployment, and follows the build until the deployment succeeds (printing its URL) or fails.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Upload the linked folder and deploy it.",
        discussion: """
            Packs the folder this one is linked through (honouring .gitignore and .railyardignore, never \
            .git or a Railyard data folder), uploads it, follows the build log and the deployment's \
            status, and prints the URL. With no service in the project, one named after the folder is \
            created and linked.
            """
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Flag(name: [.short, .long], help: "Print the deployment id once uploaded instead of following it.")
    var detach = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var context = try CommandContext.load()
        let folder = try context.requireLink().path
        let client = try context.client()
        let target = try await DeployTarget.resolve(
            context: &context, client: client, serviceFlag: service, createIfEmpty: true
        )
        let json = output.json
        if target.created {
            Output.progress("Created service \(target.service.name) and linked \(folder) to it", json: json)
        }
        if let repo = target.service.source.repo {
            // As on Railway, `up` deploys the working copy even for a service that deploys from git.
            Output.progress(
                "Service \(target.service.name) deploys from \(repo) (\(target.service.source.effectiveBranch)); uploading this folder anyway. Run `railyard redeploy --latest` to deploy the branch.",
                json: json
            )
        }

        let archive = FileManager.default.temporaryDirectory
            .appendingPathComponent("railyard-up-\(UUID().uuidString).tar.gz").path
        defer { unlink(archive) }
        let summary = try SourcePacker().pack(folder, to: archive)
        for skipped in summary.scan.skipped {
            Output.standardError("warning: left out \(skipped.path): \(skipped.reason)\n")
        }
        Output.progress(Self.describe(summary, folder: folder), json: json)

        let deployment = try await client.deploy(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id,
            archivePath: archive
        )
        Output.progress("Uploaded to \(target.label): deployment \(deployment.id)", json: json)
        try await DeploymentReport.finish(deployment, target: target, client: client, detach: detach, json: json)
    }

    /// `Packed /app: 12 files, 48.0 KiB (9.5 KiB compressed)`.
    static func describe(_ summary: PackSummary, folder: String) -> String {
        let files = summary.scan.fileCount
        return "Packed \(folder): \(files) file\(files == 1 ? "" : "s"), \(ByteCount.format(summary.scan.contentBytes)) (\(ByteCount.format(summary.archiveBytes)) compressed)"
    }
}
