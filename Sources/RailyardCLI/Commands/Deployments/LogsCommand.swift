import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard logs [--service S] [--build] [--deployment ID] [--follow] [--lines N] [--json]`: a
/// deployment's runtime log (by default the service's latest deployment), or its build log.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show a deployment's runtime or build log."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Flag(name: [.short, .long], help: "Show the build log instead of the runtime log.")
    var build = false
    @Option(name: [.customShort("d"), .long], help: "The deployment's id (default: the service's latest).")
    var deployment: String?
    @Flag(name: [.short, .long], help: "Keep printing new lines until interrupted or the log ends.")
    var follow = false
    @Option(name: [.customShort("n"), .long], help: "Print only the last N lines.")
    var lines: Int?
    @OptionGroup var output: OutputOptions

    /// One line of `--json` output.
    struct Line: Codable, Equatable {
        var deploymentId: String
        var stream: LogStream
        var message: String
    }

    func validate() throws {
        if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more") }
    }

    func run() async throws {
        var context = try CommandContext.load()
        let client = try context.client()
        let chosen = try await chooseDeployment(context: &context, client: client)
        let stream: LogStream = build ? .build : .runtime
        let fetch: (Int64, Int) async throws -> LogChunk = { offset, wait in
            try await client.deploymentLogs(
                projectId: chosen.projectId, deploymentId: chosen.deployment.id, stream: stream, offset: offset, wait: wait
            )
        }
        let emit: (String) -> Void = { text in self.show(text, deploymentId: chosen.deployment.id, stream: stream) }

        // What is there now: streamed, or only its last lines.
        var tail = lines.map(LogTail.init(limit:))
        var offset: Int64 = 0
        var complete = false
        while true {
            let chunk = try await fetch(offset, 0)
            offset = chunk.nextOffset
            complete = chunk.complete
            if tail != nil { tail?.append(chunk.text) } else if !chunk.text.isEmpty { emit(chunk.text) }
            if chunk.text.isEmpty || chunk.complete { break }
        }
        if let tail, !tail.lines.isEmpty { emit(tail.text) }
        guard follow else { return }

        while !complete {
            let started = ContinuousClock.now
            let chunk = try await fetch(offset, RailyardClient.maxLogWait)
            offset = chunk.nextOffset
            complete = chunk.complete
            if !chunk.text.isEmpty {
                emit(chunk.text)
            } else if ContinuousClock.now - started < .seconds(1) {
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The deployment whose log to show and the project it belongs to.
    private func chooseDeployment(
        context: inout CommandContext, client: RailyardClient
    ) async throws -> (projectId: String, deployment: Deployment) {
        if let deployment {
            let link = try context.requireLink().link
            do {
                return (link.projectId, try await client.deployment(projectId: link.projectId, id: deployment))
            } catch let error as RailyardClientError where error.status == 404 {
                throw CLIError("no deployment \(deployment) in the linked project; list them with `railyard status`")
            }
        }
        let target = try await DeployTarget.resolve(context: &context, client: client, serviceFlag: service)
        guard let latest = try await target.latestDeployment(client) else {
            throw CLIError("\(target.label) has no deployments yet; deploy it with `railyard up`")
        }
        return (target.projectId, latest)
    }

    /// Prints log text as it is, or as one JSON object per line with `--json`.
    private func show(_ text: String, deploymentId: String, stream: LogStream) {
        guard output.json else {
            Output.write(text.hasSuffix("\n") ? text : text + "\n")
            return
        }
        let encoder = RailyardJSON.encoder()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            let record = Line(deploymentId: deploymentId, stream: stream, message: String(line))
            if let data = try? encoder.encode(record) { Output.line(String(decoding: data, as: UTF8.self)) }
        }
    }
}
