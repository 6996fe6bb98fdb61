import Foundation
import RailyardBuild
import RailyardCore
import RailyardEdge
import RailyardRuntime
import RailyardStore

extension Deployer {
    /// Brings the runtime back in line with the store after a (re)start: deployments a restart
    /// interrupted end FAILED; live ones get their routes back, their replicas that still run and
    /// answer are adopted, and the rest are started again.
    func recover() async {
        recovering = true
        defer { recovering = false }
        do {
            await interruptCronRuns()
            await failInterruptedBackups()
            await removeOrphanedBackupFiles()
            for deployment in try await store.deployments(statuses: [.queued, .initializing, .building, .deploying]) {
                await stopRecordedReplicas(of: deployment)
                if let failed = try? deployment.moving(to: .failed, at: Date(), reason: "interrupted by a restart of the Railyard server; run `railyard redeploy`") {
                    try? await store.saveDeployment(failed, from: deployment.status)
                }
                LogFile.append("Deployment interrupted by a server restart", to: layout.buildLog(deployment.id))
            }
            // A removal the restart cut short: finish it, so its replica does not run on unseen.
            for deployment in try await store.deployments(statuses: [.removing]) {
                await stopRecordedReplicas(of: deployment)
                if let removed = try? deployment.moving(to: .removed, at: Date()) {
                    try? await store.saveDeployment(removed, from: .removing)
                }
            }
            // One live deployment per service and environment: the newest. Older ones a restart
            // caught mid-swap (in the overlap or the settle) are removed, not brought back.
            let live = try await store.deployments(statuses: [.success, .crashed, .sleeping])
            var newest: [String: Deployment] = [:]
            for deployment in live {
                let key = "\(deployment.serviceId)/\(deployment.environmentId)"
                if let current = newest[key], current.createdAt >= deployment.createdAt { continue }
                newest[key] = deployment
            }
            for deployment in live where newest["\(deployment.serviceId)/\(deployment.environmentId)"]?.id != deployment.id {
                try? await remove(deployment)
                LogFile.append("Removed after a server restart: a newer deployment had replaced it", to: layout.runtimeLog(deployment.id))
            }
            await removeStaleArtifacts()
            await removeOrphanedBuildCaches()
            if let networks {
                var recorded: [String] = []
                for deployment in newest.values { recorded += try await store.replicas(deploymentId: deployment.id).compactMap(\.address) }
                networks.reserve(addresses: recorded)
            }
            for deployment in newest.values.sorted(by: { $0.createdAt < $1.createdAt }) {
                await restore(deployment)
            }
            // Cgroups and network namespaces of replicas that ended while no server watched them.
            cgroups?.pruneEmpty(under: cgroupParent)
            if let networks {
                var keep: Set<String> = []
                for deployment in try await store.deployments(statuses: [.success, .crashed, .sleeping]) {
                    keep.formUnion(try await store.replicas(deploymentId: deployment.id).map(\.id))
                }
                await networks.prune(keeping: keep)
            }
            // Known hosts with nothing live answer 503 with a reason rather than "unknown host";
            // custom domains answer as their service's generated host does.
            try await aliasAllCustomDomains()
            for domain in try await store.allDomains() where domain.kind == .generated && routes.route(for: domain.host) == nil {
                routes.set(.unavailable("no deployment of this service is running; deploy it with `railyard up`"), for: domain.host)
            }
        } catch {
            logger.error("recovery after start failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Serves a live deployment again: its static dir, or a fresh replica of its release.
    private func restore(_ deployment: Deployment) async {
        do {
            guard let service = try await store.service(id: deployment.serviceId),
                let project = try await store.project(id: service.projectId),
                let environment = try await store.environments(projectId: project.id).first(where: { $0.id == deployment.environmentId }),
                let domain = try await store.domains(serviceId: service.id, environmentId: environment.id).generated,
                let digest = deployment.sourceDigest
            else { return }
            let app = layout.appDirectory(deployment.id)
            guard FileManager.default.fileExists(atPath: archives.directory(for: digest).path), FileManager.default.fileExists(atPath: app.path) else {
                return await markBuildMissing(deployment, service: service, host: domain.host)
            }
            var release = ReleaseEnvironment(
                project: project, environment: environment, service: service, deploymentId: deployment.id, publicHost: domain.host,
                shared: try await store.variables(environmentId: environment.id, serviceId: nil),
                own: try await store.variables(environmentId: environment.id, serviceId: service.id),
                commit: deployment.gitCommit,
                volume: try await store.volumes(serviceId: service.id, environmentId: environment.id).first,
                tcpProxy: try await tcpProxy(serviceId: service.id, environmentId: environment.id)
            )
            do {
                try await resolveReferences(in: &release)
            } catch {
                // What ran before the restart comes back even if a reference broke meanwhile (the
                // next deployment will fail on it and say why); its values are as stored.
                LogFile.append("Variable references not resolved after a restart: \((error as? RailyardError)?.message ?? "\(error)")", to: layout.runtimeLog(deployment.id))
            }
            let plan = try BuildPlanner.plan(
                directory: try sourceDirectory(digest: digest, service: service), variables: release.userVariables,
                environment: environment.name,
                settings: try await store.serviceSettings(serviceId: service.id, environmentId: environment.id)
            )
            guard let start = plan.start else {
                await stopRecordedReplicas(of: deployment)
                routes.set(.directory(try Self.staticRoot(plan.staticRoot ?? ".", in: app)), for: domain.host)
                return
            }
            let identity = try await identity(of: service.id)
            Self.ensureOwned(app, by: identity.user)
            let context = runnerContext(
                deploymentId: deployment.id, host: domain.host, command: start, app: app, release: release, plan: plan, replaced: [],
                identity: identity, network: try await networkNumber(projectId: project.id, environmentId: environment.id)
            )
            if let schedule = plan.config.deploy.cronSchedule {
                await stopRecordedReplicas(of: deployment)
                return try await restoreCron(schedule: schedule, context: context)
            }
            if deployment.status == .sleeping {
                // Asleep it stays: a restart must not start every sleeping service at once.
                await stopRecordedReplicas(of: deployment)
                try? await store.removeReplicas(deploymentId: deployment.id)
                var settings = ReleaseRunner.settings(plan.config.deploy, defaultHealthTimeout: startTimeout)
                settings.hasPreDeploy = false
                let runner = ReleaseRunner(context: context, settings: settings)
                runners[deployment.id] = runner
                await runner.resumeAsleep()
                LogFile.append("Still asleep after a server restart: the next request wakes it", to: layout.runtimeLog(deployment.id))
                return
            }
            // Replicas that outlived the old server (own sessions, logs to files) and still answer
            // are adopted; anything else recorded is stopped and started afresh.
            var adoptable: [ReplicaRecord] = []
            for replica in try await store.replicas(deploymentId: deployment.id)
            where Self.process(replica.pid, belongsTo: deployment.id) && driver.isRunning(replica.pid) {
                // A replica in a namespace is served only while this server manages namespaces.
                guard replica.address == nil || networks != nil else { continue }
                if await PortProbe.answers(host: replica.address ?? "127.0.0.1", port: replica.port) { adoptable.append(replica) }
            }
            let adoptedIds = Set(adoptable.map(\.id))
            for replica in try await store.replicas(deploymentId: deployment.id) where !adoptedIds.contains(replica.id) {
                if Self.process(replica.pid, belongsTo: deployment.id) { await driver.stop(replica.pid, grace: .seconds(5)) }
                if let address = replica.address { await networks?.forget(replicaId: replica.id, address: address) }
                try? await store.removeReplica(id: replica.id)
            }
            // A restored release starts its replicas again under a new supervisor; its pre-deploy
            // command already ran when it was deployed.
            var settings = ReleaseRunner.settings(plan.config.deploy, defaultHealthTimeout: startTimeout)
            settings.hasPreDeploy = false
            let runner = ReleaseRunner(context: context, settings: settings)
            runners[deployment.id] = runner
            switch adoptable.isEmpty ? await runner.start() : await runner.adopt(adoptable) {
            case .live:
                LogFile.append(
                    adoptable.isEmpty ? "Replicas restarted after a server restart" : "Serving on after a server restart",
                    to: layout.runtimeLog(deployment.id)
                )
            case .failed(let problem):
                runners[deployment.id] = nil
                routes.set(.unavailable("\(service.name) did not come back after a restart: \(problem)"), for: domain.host)
                if let current = try await store.deployment(id: deployment.id), current.status == .success,
                    let crashed = try? current.moving(to: .crashed, at: Date(), reason: problem)
                {
                    try? await store.saveDeployment(crashed, from: .success)
                }
            }
        } catch {
            logger.error("restoring a deployment failed", metadata: ["deployment.id": "\(deployment.id)", "error": "\(String(reflecting: error))"])
        }
    }

    /// A live deployment whose source or built app is not in the data dir (a server restored from a
    /// backup, which holds no builds) cannot run again: its leftover replicas are stopped, it is CRASHED
    /// with the reason, and its host says how to bring it back.
    private func markBuildMissing(_ deployment: Deployment, service: Service, host: String) async {
        let problem = "its build is not in the data dir (a server restored from a backup has no builds); deploy it again with `railyard up`"
        routes.set(.unavailable("\(service.name) is not running: \(problem)"), for: host)
        if let crashed = try? deployment.moving(to: .crashed, at: Date(), reason: problem) {
            try? await store.saveDeployment(crashed, from: deployment.status)
        }
        await stopRecordedReplicas(of: deployment)
        LogFile.append("Not started after a server restart: \(problem)", to: layout.runtimeLog(deployment.id))
        logger.warning("deployment not restored: its build is missing", metadata: ["deployment.id": "\(deployment.id)"])
    }

    /// Stops the processes recorded for a deployment, but only those that really are its replicas
    /// (a recorded pid may since belong to something else).
    private func stopRecordedReplicas(of deployment: Deployment) async {
        guard let replicas = try? await store.replicas(deploymentId: deployment.id) else { return }
        for replica in replicas where Self.process(replica.pid, belongsTo: deployment.id) {
            await driver.stop(replica.pid, grace: .seconds(5))
        }
        try? await store.removeReplicas(deploymentId: deployment.id)
    }

    /// Whether `pid` runs with `RAILYARD_DEPLOYMENT_ID=deploymentId` in its environment.
    static func process(_ pid: Int32, belongsTo deploymentId: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return data.split(separator: 0).contains { Array($0) == Array("RAILYARD_DEPLOYMENT_ID=\(deploymentId)".utf8) }
    }
}
