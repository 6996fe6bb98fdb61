import Foundation

/// Where the deploy path keeps its files under the data dir.
struct DataLayout: Sendable {
    let root: URL

    /// Uploaded archives and their extracted snapshots, by SHA-256.
    var sources: URL { root.appendingPathComponent("sources", isDirectory: true) }
    /// Build logs, one per deployment.
    func buildLog(_ deploymentId: String) -> URL {
        root.appendingPathComponent("builds/\(deploymentId).log")
    }
    /// Runtime logs (the replicas' stdout and stderr), one per deployment.
    func runtimeLog(_ deploymentId: String) -> URL {
        root.appendingPathComponent("logs/\(deploymentId).log")
    }
    /// A cron run's output (and the platform's lines about it).
    func cronLog(_ runId: String) -> URL {
        root.appendingPathComponent("logs/cron/\(runId).log")
    }
    /// The built app a deployment runs or serves.
    func appDirectory(_ deploymentId: String) -> URL {
        root.appendingPathComponent("artifacts/\(deploymentId)/app", isDirectory: true)
    }
    /// A service's build cache (saved dependency installs by key); per service so one tenant's
    /// build can never hand another a poisoned install.
    func buildCache(_ serviceId: String) -> URL {
        root.appendingPathComponent("cache/\(serviceId)", isDirectory: true)
    }
    /// A volume's data, kept across deploys and restarts.
    func volume(_ volumeId: String) -> URL {
        root.appendingPathComponent("volumes/\(volumeId)", isDirectory: true)
    }
    /// The passwd and group files that name a service's user inside its sandbox.
    func identity(_ uid: UInt32) -> URL {
        root.appendingPathComponent("run/identity/\(uid)", isDirectory: true)
    }
    /// Custom domains' certificates, one folder per host.
    var domainCertificates: URL { root.appendingPathComponent("tls/domains", isDirectory: true) }
    /// The local development CA: its certificate and key, and what it issued.
    var localCA: URL { root.appendingPathComponent("tls/ca", isDirectory: true) }
    /// Database services' backups: `<id>.<ext>` (0600) and `<id>.log` (the tool's output).
    var backups: URL { root.appendingPathComponent("backups", isDirectory: true) }
    func backupFile(_ backupId: String, extension ext: String) -> URL {
        backups.appendingPathComponent("\(backupId).\(ext)")
    }
    func backupLog(_ backupId: String) -> URL {
        backups.appendingPathComponent("\(backupId).log")
    }
    /// A scratch dir for uploads being received.
    var uploads: URL { root.appendingPathComponent("tmp/uploads", isDirectory: true) }
}
