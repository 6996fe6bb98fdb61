import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard metrics [--service S] [--since 1h] [--replicas] [--json]`.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Show the service's CPU, memory, network and disk use over time.",
        discussion: "Sampled every 5 s and kept for an hour, per minute for two days, per 10 minutes for 8 days."
    )

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Option(help: "How far back: 30m, 6h, 7d (1m to 8d).")
    var since = "1h"
    @Option(help: "At most this many rows, the newest.")
    var limit = 20
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let report = try await client.serviceMetrics(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, since: since
        )
        if output.json { return try Output.json(report) }
        guard let newest = report.points.last else {
            return Output.line("No figures for \(target.label) in the last \(since) yet; they are sampled every 5 s while it runs")
        }
        Output.line("\(target.label), every \(report.resolutionSeconds) s (summed over replicas):")
        Output.line(Self.table(Array(report.points.suffix(max(limit, 1))), resolution: report.resolutionSeconds).render())
        Output.line("Now: \(Self.cpu(newest.cpuMillicores)) CPU, \(Self.memory(newest)) memory, \(newest.replicas) replica(s)")
    }

    static func table(_ points: [UsageReport.Point], resolution: Int) -> TextTable {
        TextTable(
            header: ["TIME (UTC)", "CPU", "MEMORY", "NET IN", "NET OUT", "DISK", "REPLICAS"],
            rows: points.map { point in
                [
                    UTCTime.format(point.at), cpu(point.cpuMillicores), memory(point),
                    ByteCount.format(Int64(point.networkRxBytes)), ByteCount.format(Int64(point.networkTxBytes)),
                    ByteCount.format(Int64(point.diskBytes)), "\(point.replicas)",
                ]
            }
        )
    }

    /// `0.25` CPUs.
    static func cpu(_ millicores: Int) -> String { String(format: "%.2f", Double(millicores) / 1000) }

    /// `120.0 MiB (23%)` of the limit.
    static func memory(_ point: UsageReport.Point) -> String {
        let share = point.memoryLimitBytes > 0 ? " (\(point.memoryBytes * 100 / point.memoryLimitBytes)%)" : ""
        return ByteCount.format(Int64(point.memoryBytes)) + share
    }
}
