import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard logs [--service S] [--build] [--deployment ID] [--follow] [--lines N] [--json]`: a
/// deployment's runtime log (by default the service's latest deployment), or its build log; with
/// `--http [--status 5xx] [--path /api]`, the service's HTTP access log through the edge.
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
    @Flag(help: "Show the service's HTTP access log through the edge instead (time, method, path, status, duration, bytes, request id).")
    var http = false
    @Option(help: "With --http: only this status (404) or class (5xx).")
    var status: String?
    @Option(help: "With --http: only paths starting with this.")
    var path: String?
    @Option(help: "Search the service's runtime logs (every deployment's) for this text, any case.")
    var search: String?
    @Option(help: "With --search: deployments alive this far back (1h, 7d; default 1d).")
    var since: String?
    @OptionGroup var output: OutputOptions

    /// One line of `--json` output.
    struct Line: Codable, Equatable {
        var deploymentId: String
        var stream: LogStream
        var message: String
    }

    func validate() throws {
        if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more") }
        if search == nil, since != nil { throw ValidationError("--since goes with --search") }
        if search != nil, http || build || deployment != nil || follow {
            throw ValidationError("--search looks through every deployment's runtime log: it takes --since and --service only")
        }
        if !http, status != nil || path != nil { throw ValidationError("--status and --path filter the HTTP log: add --http") }
        if http, build || deployment != nil || follow {
            throw ValidationError("--http shows the service's access log: it takes --status, --path and --lines, not --build, --deployment or --follow")
        }
    }

    func run() async throws {
        if http { return try await showHTTPLog() }
        if let search { return try await searchLogs(search) }
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
        try await LogPrinter(lines: lines, follow: follow, fetch: fetch, emit: emit).run()
    }

    /// `--search`: matching lines, prefixed with their deployment's id and line number.
    private func searchLogs(_ text: String) async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let result = try await client.searchLogs(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, query: text, since: since ?? "1d"
        )
        if output.json { return try Output.json(result) }
        guard !result.matches.isEmpty else { return Output.line("No line of \(target.label)'s logs in the last \(since ?? "1d") contains '\(text)'") }
        for match in result.matches { Output.line("\(match.deploymentId.prefix(8)):\(match.line)  \(match.text)") }
        if result.truncated { Output.line("… more lines matched; narrow the search or --since") }
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

extension LogsCommand {
    /// `--http`: the newest requests (100, or `--lines`) that pass the filters, oldest first.
    func showHTTPLog() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let records = try await client.httpLogs(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id,
            status: status, path: path, limit: max(1, min(lines ?? 100, 5000))
        )
        if output.json { return try Output.json(records) }
        for record in records { Output.line(Self.describe(record)) }
    }

    /// One access-log line: `time method path status duration bytes request-id`.
    static func describe(_ record: AccessRecord) -> String {
        let time = ISO8601DateFormatter().string(from: record.time)
        let status = record.status == 0 ? "---" : String(record.status)
        return "\(time) \(record.method) \(record.path) \(status) \(String(format: "%.1f", record.durationMs))ms \(record.bytes)B \(record.requestId)"
    }
}
