import Foundation
import RailyardRuntime

/// Commands run to completion where a release's replicas run: in the sandbox, as the service's
/// user, with its volumes, under its limits, on its project-environment's network. Pre-deploy
/// commands and cron runs go through it.
struct OneOffProcess: Sendable {
    var app: URL
    /// The full environment of each command (a release's variables, without PORT).
    var environment: [String: String]
    /// Folders the command must never see (the data dir).
    var hiddenPaths: [String]
    var driver: ProcessDriver
    var identity: ServiceIdentity
    var volumes: [ReplicaSpec.Mount]
    var cgroups: CgroupVersion?
    /// The server's cgroup folder (`Deployer.cgroupParent`).
    var cgroupParent: String
    var limits: ResourceLimits
    var networks: ReplicaNetworks?
    var network: Int?

    /// A cgroup named `group` (under `cgroupParent`) with the limits and a place on the network, for one or more commands
    /// (each nil where this machine has none). `close()` removes both.
    func open(group name: String) async throws -> Session {
        let group = cgroups.flatMap { version -> Cgroup? in
            let group = Cgroup(version: version, name: "\(cgroupParent)/\(name)")
            return (try? group.create(limits: limits)) == nil ? nil : group
        }
        var attached: ReplicaNetwork?
        if let networks, let network {
            do {
                attached = try await networks.attach(replicaId: UUID().uuidString.lowercased(), network: network)
            } catch {
                group?.remove()
                throw error
            }
        }
        return Session(process: self, group: group, network: attached)
    }

    /// Where commands start: a cgroup and a network namespace made for them.
    struct Session: Sendable {
        let process: OneOffProcess
        let group: Cgroup?
        let network: ReplicaNetwork?

        /// Starts `command` with its output appended to `log`; returns its pid.
        func start(_ command: String, log: URL) throws -> Int32 {
            var spec = process.identity.apply(to: ReplicaSpec(
                command: command, appDirectory: process.app, environment: process.environment, logFile: log,
                hiddenPaths: process.hiddenPaths, volumes: process.volumes, cgroup: group
            ))
            spec.networkEnter = network?.enterArgv ?? []
            spec.hostsFile = network.flatMap { process.networks?.hostsFile(network: $0.network.number) }
            spec.rlimits = group == nil ? process.limits : nil
            return try process.driver.start(spec)
        }

        /// Waits for `pid` to end and returns its wait status; once `timeout` has passed it is
        /// stopped instead and the result is nil.
        func wait(_ pid: Int32, timeout: Duration? = nil) async -> Int32? {
            let deadline = timeout.map { ContinuousClock.now + $0 }
            while true {
                if let status = process.driver.exitStatus(of: pid) { return status }
                if let deadline, ContinuousClock.now >= deadline {
                    await process.driver.stop(pid, grace: .seconds(5))
                    return nil
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }

        /// Removes the cgroup and leaves the network.
        func close() async {
            group?.remove()
            if let network { await process.networks?.detach(network) }
        }
    }
}
