import ArgumentParser
import Foundation
import RailyardCore

/// `railyard service limits [NAME] [--memory 1Gi] [--cpu 0.5] [--pids 1024]`: shows the sandbox,
/// user, network and resource limits a service's replicas run under, and sets the limits (stored as
/// its `deploy.memoryLimit` / `cpuLimit` / `pidsLimit` settings, applied from the next deployment).
struct ServiceLimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Show or set a service's resource limits and isolation in the linked environment.",
        discussion: """
            Defaults: 512Mi of memory, 0.5 CPU and 512 processes per replica. New limits are the service's \
            deploy.memoryLimit, deploy.cpuLimit and deploy.pidsLimit settings and apply from the next deployment; \
            a config file that sets them wins.
            """
    )

    @Argument(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Option(help: "Memory per replica, like 256Mi, 1Gi or 2G.")
    var memory: String?
    @Option(help: "CPUs per replica, like 0.5, 2 or 250m.")
    var cpu: String?
    @Option(help: "Most processes and threads per replica.")
    var pids: Int?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let assignments = [
            memory.map { "deploy.memoryLimit=\($0)" }, cpu.map { "deploy.cpuLimit=\($0)" }, pids.map { "deploy.pidsLimit=\($0)" },
        ].compactMap { $0 }
        if !assignments.isEmpty {
            let current = try await client.serviceSettings(
                projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id
            )
            _ = try await client.replaceServiceSettings(
                projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id,
                try ServiceSettingsCommand.apply(set: assignments, unset: [], to: current)
            )
            if !output.json {
                Output.line("Limits of \(target.label) saved; they apply from the next deployment (`railyard redeploy`)")
            }
        }
        let isolation = try await client.serviceIsolation(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id
        )
        if output.json {
            try Output.json(isolation)
        } else {
            Output.line(Self.describe(isolation))
        }
    }

    /// The report as lines of `name  value`.
    static func describe(_ isolation: ServiceIsolation) -> String {
        let limits = isolation.limits
        let cpu = limits.cpu == limits.cpu.rounded() ? String(Int(limits.cpu)) : String(limits.cpu)
        let enforced = isolation.enforcement.map { "enforced by \($0)" } ?? "not enforced (the server needs root and cgroups)"
        let rows = [
            ["memory", "\(limits.memoryBytes / 1024 / 1024) MiB"],
            ["cpu", "\(cpu) CPU"],
            ["pids", "\(limits.pids)"],
            ["limits", enforced + (isolation.deploymentId.map { ", as deployment \($0) runs" } ?? ", for the next deployment")],
            ["sandbox", isolation.sandbox ?? "none (install bubblewrap)"],
            ["user", isolation.uid.map { "uid \($0), the service's own" } ?? "the server's own user"],
            ["network", isolation.network == "private" ? "private (its project-environment, the edge and the internet)" : "the host's"],
        ]
        return TextTable(header: ["LIMIT", "IN FORCE"], rows: rows).render()
    }
}
