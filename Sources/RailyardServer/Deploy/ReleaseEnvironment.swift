import Foundation
import RailyardBuild
import RailyardCore

/// The variables a release sees: Railyard's injected ones (with Railway's names as aliases, so apps
/// written for Railway run unchanged), then the environment's shared variables, then the service's own.
struct ReleaseEnvironment: Sendable {
    var project: Project
    var environment: RailyardCore.Environment
    var service: Service
    var deploymentId: String
    var publicHost: String
    var shared: [String: String]
    var own: [String: String]
    /// The commit a git-sourced deployment builds; nil for uploads.
    var commit: GitFetcher.Commit? = nil
    /// The service's volume in this environment, if it has one.
    var volume: Volume? = nil
    /// The service's first TCP proxy in this environment (lowest public port), with its domain.
    var tcpProxy: ServiceTCPProxy? = nil

    /// The variables Railyard injects for one replica (PORT only when the release runs a process).
    func injected(port: Int?, replicaId: String?) -> [String: String] {
        var values: [String: String] = [
            "PUBLIC_DOMAIN": publicHost,
            "PRIVATE_DOMAIN": "\(service.name).railyard.internal",
            "PROJECT_ID": project.id,
            "PROJECT_NAME": project.name,
            "ENVIRONMENT_ID": environment.id,
            "ENVIRONMENT_NAME": environment.name,
            "SERVICE_ID": service.id,
            "SERVICE_NAME": service.name,
            "DEPLOYMENT_ID": deploymentId,
        ]
        if let replicaId { values["REPLICA_ID"] = replicaId }
        if let volume {
            values["VOLUME_MOUNT_PATH"] = volume.mountPath
            values["VOLUME_ID"] = volume.id
        }
        if let tcpProxy {
            values["TCP_PROXY_DOMAIN"] = tcpProxy.domain ?? ""
            values["TCP_PROXY_PORT"] = "\(tcpProxy.publicPort)"
        }
        if let commit, let repo = service.source.repo {
            values["GIT_COMMIT_SHA"] = commit.sha
            values["GIT_COMMIT_MESSAGE"] = commit.message
            values["GIT_AUTHOR"] = commit.author
            values["GIT_BRANCH"] = service.source.effectiveBranch
            values["GIT_REPO"] = repo
        }
        var result: [String: String] = [:]
        for (key, value) in values {
            result["RAILYARD_\(key)"] = value
            result["RAILWAY_\(key)"] = value
        }
        if let port { result["PORT"] = "\(port)" }
        return result
    }

    /// The user's variables with their references replaced (`Deployer.resolveReferences`), once
    /// they are; nil until then.
    var resolved: [String: String]? = nil

    /// The user's variables: shared ones overridden by the service's own, references resolved.
    var userVariables: [String: String] { resolved ?? shared.merging(own) { _, service in service } }

    /// The server's toolchain folders (e.g. `/opt/swift/usr/bin`) after the standard ones, found once.
    static let searchPath = Toolchain.detect().searchPath

    /// Variables the dynamic loader and libc act on. The sandbox wrappers (env, bwrap, setpriv) start
    /// with the server's privileges, so a user's `LD_PRELOAD=./evil.so` would run code outside the
    /// sandbox: these never reach a process.
    static func isLoaderVariable(_ key: String) -> Bool {
        key.hasPrefix("LD_") || ["GCONV_PATH", "GETCONF_DIR", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE",
            "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS"].contains(key)
    }

    /// The full environment of a build or a replica. `PORT` and the injected names always win, so the
    /// edge and health checks reach the port Railyard chose.
    func processEnvironment(port: Int?, replicaId: String?, paths: [String], appDirectory: URL) -> [String: String] {
        var result = userVariables.filter { !Self.isLoaderVariable($0.key) }
        let base = Self.searchPath
        let extra = paths.map { appDirectory.appendingPathComponent($0).path }
        result["PATH"] = (extra + [base]).joined(separator: ":")
        result["HOME"] = appDirectory.path
        result["LANG"] = result["LANG"] ?? "C.UTF-8"
        result["PYTHONUNBUFFERED"] = result["PYTHONUNBUFFERED"] ?? "1"
        result.merge(injected(port: port, replicaId: replicaId)) { _, injected in injected }
        return result
    }
}

extension Deployment {
    /// The git commit this deployment builds, once known.
    var gitCommit: GitFetcher.Commit? {
        guard let commitSha else { return nil }
        return GitFetcher.Commit(sha: commitSha, message: commitMessage ?? "", author: commitAuthor ?? "")
    }
}
