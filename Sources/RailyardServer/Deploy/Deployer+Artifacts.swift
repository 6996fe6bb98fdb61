import Foundation
import RailyardCore

extension Deployer {
    /// How long a replaced release's files stay after it is REMOVED: a request that picked its
    /// static route just before the swap still finds the file it is about to open.
    static let artifactGrace: Duration = .seconds(30)

    /// Deletes the built app of a deployment that will never run again (REMOVED or FAILED), after
    /// `grace`. A rollback builds again from the stored source, so nothing else needs it; without
    /// this every deployment's dependencies stayed on disk for good.
    nonisolated func discardArtifact(of deploymentId: String, after grace: Duration = Deployer.artifactGrace) {
        deleteInBackground(layout.appDirectory(deploymentId).deletingLastPathComponent(), after: grace, what: "a finished release's files")
    }

    /// Deletes `directory` off the actor after `grace`; one already gone is fine (the start-up
    /// sweep and a delayed deletion may both ask, and a service may never have built anything).
    private nonisolated func deleteInBackground(_ directory: URL, after grace: Duration, what: String) {
        let logger = self.logger
        Task {
            if grace > .zero { try? await Task.sleep(for: grace) }
            do {
                try await ReplicaNetworks.blocking {
                    do {
                        try FileManager.default.removeItem(at: directory)
                    } catch CocoaError.fileNoSuchFile {}
                }
            } catch {
                logger.warning("\(what) were not deleted", metadata: ["path": "\(directory.path)", "error": "\(error)"])
            }
        }
    }

    /// At start: the built apps of deployments that are REMOVED, FAILED or unknown (a restart came
    /// between a removal and its delayed deletion, or the store was restored from a backup).
    func removeStaleArtifacts() async {
        let root = layout.root.appendingPathComponent("artifacts", isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for name in names {
            let deployment: Deployment?
            do {
                deployment = try await store.deployment(id: name)
            } catch {
                continue  // the store did not answer: keep it
            }
            guard deployment == nil || [.removed, .failed].contains(deployment!.status) else { continue }
            discardArtifact(of: name, after: .zero)
        }
    }

    /// Deletes a service's build cache (the service is gone), off the actor.
    nonisolated func discardBuildCache(of serviceId: String) {
        deleteInBackground(layout.buildCache(serviceId), after: .zero, what: "a deleted service's build cache files")
    }

    /// At start: the build caches of services that no longer exist (deleted while an older server
    /// ran, or before the store was restored from a backup).
    func removeOrphanedBuildCaches() async {
        let root = layout.root.appendingPathComponent("cache", isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for name in names {
            do {
                guard try await store.service(id: name) == nil else { continue }
            } catch {
                continue  // the store did not answer: keep it
            }
            discardBuildCache(of: name)
        }
    }
}
