import Foundation
import RailyardBuild
import RailyardCore
import RailyardRuntime

/// Who a service's builds, pre-deploy commands and replicas run as: its own uid when the server runs
/// as root, named `app` by the sandbox's own /etc/passwd and /etc/group.
struct ServiceIdentity: Sendable {
    /// Nil when apps run as the server's own user.
    var user: AppUser?
    /// The passwd and group files bound over the sandbox's, when there is a user.
    var files: (passwd: URL, group: URL)?

    /// A spec's user and identity files set to this identity.
    func apply(to spec: ReplicaSpec) -> ReplicaSpec {
        var spec = spec
        spec.user = user
        spec.identityFiles = files
        return spec
    }
}

extension Deployer {
    /// The service's identity, allocating its uid on first use and writing its passwd and group
    /// files (afresh each time, so they follow the host's).
    func identity(of serviceId: String) async throws -> ServiceIdentity {
        let number = try await store.allocatedNumber(.serviceUser, owner: serviceId)
        guard let user = driver.isolation.user(number: number) else { return ServiceIdentity(user: nil, files: nil) }
        let folder = layout.identity(user.uid)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let passwd = folder.appendingPathComponent("passwd"), group = folder.appendingPathComponent("group")
        let hostPasswd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        let hostGroup = (try? String(contentsOfFile: "/etc/group", encoding: .utf8)) ?? ""
        try user.passwd(host: hostPasswd, home: "/tmp").write(to: passwd, atomically: true, encoding: .utf8)
        try user.group(host: hostGroup).write(to: group, atomically: true, encoding: .utf8)
        for file in [passwd, group] { _ = chmod(file.path, 0o644) }
        return ServiceIdentity(user: user, files: (passwd, group))
    }

    /// The executor of one build: its commands run in the sandbox as the service's user, inside the
    /// cgroup `group` when given, with the app folder handed to that user first.
    func builder(identity: ServiceIdentity, group: Cgroup?) -> BuildExecutor {
        let isolation = driver.isolation
        let hidden = [layout.root.standardizedFileURL.path]
        let owner = identity.user ?? (isolation.userBase == nil ? nil : .nobody)
        return BuildExecutor(
            logger: logger,
            sandbox: BuildSandbox(owner: owner.map { ($0.uid, $0.gid) }) { command, app in
                var spec = identity.apply(to: ReplicaSpec(
                    command: command, appDirectory: app, environment: [:], logFile: app, hiddenPaths: hidden, cgroup: group
                ))
                spec.rlimits = group == nil ? .build : nil
                return isolation.argv(for: spec)
            }
        )
    }
}

extension ResourceLimits {
    /// The limits a service's deploy config asks for; the defaults for what it leaves unset.
    init(_ deploy: ServiceConfig.Deploy) {
        self.init(
            memoryBytes: deploy.memoryLimit.flatMap(ResourceQuantity.bytes) ?? ResourceLimits.default.memoryBytes,
            cpuMillicores: deploy.cpuLimit.map { max(1, Int(($0 * 1000).rounded())) } ?? ResourceLimits.default.cpuMillicores,
            pids: deploy.pidsLimit ?? ResourceLimits.default.pids
        )
    }

    /// What a build may use: builds compile and install, so more memory and every CPU, and a pids
    /// limit that still stops a fork bomb in a build script.
    static var build: ResourceLimits {
        ResourceLimits(
            memoryBytes: 4 << 30, cpuMillicores: max(1, ProcessInfo.processInfo.activeProcessorCount) * 1000, pids: 4096
        )
    }
}

extension Deployer {
    /// Which isolation and limits the service's replicas get in the environment: those of its live
    /// deployment, or of its settings when nothing is live.
    func isolation(service: Service, environment: RailyardCore.Environment) async throws -> ServiceIsolation {
        let live = try await activeDeployments(serviceId: service.id, environmentId: environment.id).first
        let config: ServiceConfig.Deploy
        if let live, let stored = try await store.deploymentConfig(deploymentId: live.id) {
            config = stored.deploy
        } else {
            config = try await store.serviceSettings(serviceId: service.id, environmentId: environment.id).deploy
        }
        let limits = ResourceLimits(config).clamped(to: maxLimits)
        let enforcement: String? = switch cgroups {
        case .v1: "cgroup v1"
        case .v2: "cgroup v2"
        case nil: driver.isolation.prlimitPath == nil ? nil : "rlimits (memory as data size, no CPU limit)"
        }
        return ServiceIsolation(
            sandbox: driver.isolation.bwrapPath == nil ? nil : "bubblewrap",
            uid: driver.isolation.user(number: try await store.allocatedNumber(.serviceUser, owner: service.id))?.uid,
            network: networks == nil ? "host" : "private", enforcement: enforcement,
            limits: .init(memoryBytes: limits.memoryBytes, cpu: Double(limits.cpuMillicores) / 1000, pids: limits.pids),
            deploymentId: live?.id
        )
    }
}
