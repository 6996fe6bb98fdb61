import Foundation
import Logging
import RailyardBuild
import RailyardCore
import RailyardEdge
import RailyardRuntime
import RailyardStore

extension Deployer {
    /// Runs one deployment to SUCCESS or FAILED. Every failure is recorded with a reason and the
    /// previous deployment keeps serving: its route is only replaced once the new release answers.
    func run(deploymentId: String, project: Project, environment: RailyardCore.Environment, service: Service) async {
        let buildLog = layout.buildLog(deploymentId)
        var logger = self.logger
        logger[metadataKey: "deployment.id"] = "\(deploymentId)"
        guard var deployment = try? await store.deployment(id: deploymentId), deployment.status == .queued else { return }
        var routed: (host: String, previous: Route?)?
        do {
            deployment = try await move(deployment, to: .initializing)
            if let engine = service.source.database {
                deployment = try await prepareDatabaseSource(deployment, engine: engine, service: service, environment: environment)
            } else if deployment.sourceDigest == nil {
                deployment = try await fetchSource(deployment, service: service)
            }
            let candidates = GeneratedDomain.candidates(
                service: service.name, environment: environment.name, project: project.name, baseDomain: baseDomain,
                seed: "\(service.id)/\(environment.id)"
            )
            let domain = try await store.ensureGeneratedDomain(
                serviceId: service.id, environmentId: environment.id, candidates: candidates
            )
            try await aliasCustomDomains(serviceId: service.id, environmentId: environment.id, to: domain)
            var release = ReleaseEnvironment(
                project: project, environment: environment, service: service, deploymentId: deploymentId,
                publicHost: domain.host,
                shared: try await store.variables(environmentId: environment.id, serviceId: nil),
                own: try await store.variables(environmentId: environment.id, serviceId: service.id),
                commit: deployment.gitCommit,
                volume: try await store.volumes(serviceId: service.id, environmentId: environment.id).first,
                tcpProxy: try await tcpProxy(serviceId: service.id, environmentId: environment.id)
            )
            try await resolveReferences(in: &release)

            deployment = try await move(deployment, to: .building)
            guard let digest = deployment.sourceDigest else { throw RailyardError(.internal, "deployment has no source") }
            let source = try sourceDirectory(digest: digest, service: service)
            let settings = try await store.serviceSettings(serviceId: service.id, environmentId: environment.id)
            let plan = try service.source.database.map { try databaseTemplate($0).plan(settings: settings) }
                ?? BuildPlanner.plan(directory: source, variables: release.userVariables, environment: environment.name, settings: settings)
            deployment.provider = plan.provider
            try await store.saveDeploymentConfig(plan.config, deploymentId: deploymentId)
            if let root = service.source.rootDirectory { LogFile.append("Building from the root directory \(root)", to: buildLog) }
            for warning in plan.warnings { LogFile.append("Warning: \(warning)", to: buildLog) }
            if let file = plan.configFile { LogFile.append("Using \(file) as it applies to environment \(environment.name)", to: buildLog) }
            LogFile.append("Detected \(plan.provider); plan: install \(plan.install), build \(plan.build), start \(plan.start ?? "(static, served by the edge)")", to: buildLog)
            let app = layout.appDirectory(deploymentId)
            try? FileManager.default.removeItem(at: app.deletingLastPathComponent())
            try FileManager.default.createDirectory(at: app.deletingLastPathComponent(), withIntermediateDirectories: true)
            let identity = try await identity(of: service.id)
            let buildGroup = buildCgroup(deploymentId, log: buildLog)
            defer { buildGroup?.remove() }
            if let user = identity.user { LogFile.append("Building as the service's own user (uid \(user.uid))", to: buildLog) }
            let builder = self.builder(identity: identity, group: buildGroup)
            let cache = BuildCache(root: layout.buildCache(service.id))
            let buildEnvironment = release.processEnvironment(port: nil, replicaId: nil, paths: plan.paths, appDirectory: app)
            try await withDeadline(buildTimeout, message: "the build took longer than \(buildTimeout) and was stopped") {
                try await builder.build(plan: plan, source: source, appDirectory: app, environment: buildEnvironment, log: buildLog, cache: cache)
            }
            if let kills = buildGroup?.oomKills, kills > 0 {
                LogFile.append("The build was killed for using more than its \(ResourceLimits.build.memoryDescription) of memory (out of memory)", to: buildLog)
            }
            LogFile.append("Build finished", to: buildLog)

            deployment = try await move(deployment, to: .deploying)
            var replaced = try await activeDeployments(serviceId: service.id, environmentId: environment.id)
                .filter { $0.id != deploymentId }
            if let engine = service.source.database {
                let grace = ReleaseRunner.settings(plan.config.deploy, defaultHealthTimeout: startTimeout).draining
                replaced = await stopBeforeReplacing(replaced, engine: engine, deploymentId: deploymentId, grace: grace)
            }
            if let start = plan.start {
                let context = runnerContext(
                    deploymentId: deploymentId, host: domain.host, command: start, app: app, release: release, plan: plan,
                    replaced: replaced, identity: identity,
                    network: try await networkNumber(projectId: project.id, environmentId: environment.id)
                )
                if let schedule = plan.config.deploy.cronSchedule {
                    // Nothing stays up: the release is live once built, and runs on its schedule.
                    deployment = try await goLiveAsCron(deployment, schedule: schedule, context: context, replacing: replaced)
                    logger.info("cron deployment live", metadata: ["service.name": "\(service.name)", "cron.schedule": "\(schedule)"])
                    return
                }
                // The supervisor takes it from here: replicas, health, traffic, draining the old.
                let runner = ReleaseRunner(
                    context: context, settings: ReleaseRunner.settings(plan.config.deploy, defaultHealthTimeout: startTimeout)
                )
                runners[deploymentId] = runner
                if case .failed(let reason) = await runner.start() {
                    runners[deploymentId] = nil
                    await runner.shutdown(grace: .seconds(2))
                    LogFile.append("Deployment failed: \(reason)", to: buildLog)
                    logger.warning("deployment failed", metadata: ["deployment.reason": "\(reason)"])
                    return
                }
                LogFile.append("Deployment \(deploymentId) is live at \(url(for: domain.host))", to: buildLog)
                logger.info("deployment live", metadata: ["service.name": "\(service.name)", "http.host": "\(domain.host)"])
                return
            }
            if plan.config.deploy.cronSchedule != nil {
                throw RailyardError(
                    .invalidInput,
                    "a cron service runs a command on its schedule, but \(plan.provider) found none to run; set deploy.startCommand, or remove deploy.cronSchedule to serve the files"
                )
            }
            let route = Route.directory(try Self.staticRoot(plan.staticRoot ?? ".", in: app))
            routed = (domain.host, routes.route(for: domain.host))
            routes.set(route, for: domain.host)
            deployment = try await move(deployment, to: .success)
            LogFile.append("Deployment \(deploymentId) is live at \(url(for: domain.host))", to: buildLog)
            logger.info("deployment live", metadata: ["service.name": "\(service.name)", "http.host": "\(domain.host)"])
            for old in replaced {
                try? await remove(old)
            }
        } catch {
            let reason = (error as? RailyardError)?.message ?? String(describing: error)
            LogFile.append("Deployment failed: \(reason)", to: buildLog)
            logger.warning("deployment failed", metadata: ["deployment.reason": "\(reason)"])
            if let routed {
                // The new release did not make it to SUCCESS: give the host back to what served before.
                if let previous = routed.previous { routes.set(previous, for: routed.host) } else { routes.remove(host: routed.host) }
            }
            if let failed = try? deployment.moving(to: .failed, at: Date(), reason: reason) {
                try? await store.saveDeployment(failed, from: deployment.status)
            }
            discardArtifact(of: deployment.id, after: .zero)
        }
    }

    /// Fetches the commit a git deployment names (or its branch's head), stores the snapshot and
    /// records digest, sha, message and author on the deployment.
    private func fetchSource(_ deployment: Deployment, service: Service) async throws -> Deployment {
        guard let repo = service.source.repo else {
            throw RailyardError(.invalidInput, "deployment has no source and service \(service.name) has no git repository")
        }
        let branch = service.source.effectiveBranch
        let buildLog = layout.buildLog(deployment.id)
        LogFile.append("Fetching \(deployment.commitSha.map { "commit \($0) of " } ?? "")branch \(branch) of \(repo)", to: buildLog)
        let fetcher = self.fetcher
        let wanted = deployment.commitSha
        let fetched = try await withDeadline(fetchTimeout, message: "fetching branch \(branch) of \(repo) took longer than \(fetchTimeout) and was stopped") {
            try await fetcher.fetch(repo: repo, branch: branch, commit: wanted, log: buildLog)
        }
        var updated = deployment
        updated.sourceDigest = fetched.digest
        updated.commitSha = fetched.commit.sha
        updated.commitMessage = fetched.commit.message
        updated.commitAuthor = fetched.commit.author
        try await store.saveDeployment(updated, from: deployment.status)
        LogFile.append("Fetched commit \(fetched.commit.sha.prefix(12)) \"\(fetched.commit.message)\" by \(fetched.commit.author)", to: buildLog)
        return updated
    }

    /// Persists the move, then returns the moved deployment.
    func move(_ deployment: Deployment, to next: DeploymentStatus) async throws -> Deployment {
        let moved = try deployment.moving(to: next, at: Date())
        try await store.saveDeployment(moved, from: deployment.status)
        return moved
    }

    /// A volume's folder (created on first use, and always owned by the service's user, private to
    /// it) and its mount path.
    func mount(_ volume: Volume, owner: AppUser?) -> ReplicaSpec.Mount {
        let folder = layout.volume(volume.id)
        if !FileManager.default.fileExists(atPath: folder.path) {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        Self.ensureOwned(folder, by: owner)
        return ReplicaSpec.Mount(source: folder, path: volume.mountPath)
    }

    /// Hands `folder` (all of it) to `owner` when its top is not theirs yet — an app folder or volume
    /// made before services had users of their own — and keeps it private to them.
    static func ensureOwned(_ folder: URL, by owner: AppUser?) {
        guard let owner else { return }
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder.path)
        if (attributes?[.ownerAccountID] as? NSNumber)?.uint32Value != owner.uid {
            BuildSandbox(owner: (owner.uid, owner.gid)) { _, _ in [] }.handOver(folder)
        }
        _ = chmod(folder.path, 0o700)
    }

    /// The limits a deploy config asks for, held to the server's maximums (the build log says when).
    func limits(for deploy: ServiceConfig.Deploy, log: URL) -> ResourceLimits {
        let asked = ResourceLimits(deploy)
        let granted = asked.clamped(to: maxLimits)
        if granted != asked {
            LogFile.append(
                "Warning: the limits asked for (\(asked.memoryDescription), \(asked.cpuMillicores)m CPU, \(asked.pids) pids) are above this server's maximum; the replicas get \(granted.memoryDescription), \(granted.cpuMillicores)m CPU, \(granted.pids) pids",
                to: log
            )
        }
        return granted
    }

    /// A cgroup of its own for one deployment's build, with the build limits; nil where cgroups are
    /// not usable or it could not be made (the build log says so).
    private func buildCgroup(_ deploymentId: String, log: URL) -> Cgroup? {
        guard let cgroups else { return nil }
        let group = Cgroup(version: cgroups, name: "\(cgroupParent)/build-\(deploymentId)")
        do {
            try group.create(limits: .build)
            let limits = ResourceLimits.build
            LogFile.append("Build limits: \(limits.memoryDescription), \(limits.cpuMillicores)m CPU, \(limits.pids) pids", to: log)
            return group
        } catch {
            LogFile.append("The build runs without resource limits: \(error)", to: log)
            return nil
        }
    }

    /// How long the previous deployment keeps its replicas after traffic left it, before SIGTERM.
    static let settleTime = Duration.seconds(1)

    /// What a release's supervisor needs: where it runs, how to route it, and how to retire the
    /// deployments it replaces once traffic has moved.
    func runnerContext(
        deploymentId: String, host: String, command: String, app: URL, release: ReleaseEnvironment, plan: BuildPlan,
        replaced: [Deployment], identity: ServiceIdentity, network: Int?
    ) -> ReleaseRunner.Context {
        var logger = self.logger
        logger[metadataKey: "deployment.id"] = "\(deploymentId)"
        return ReleaseRunner.Context(
            deploymentId: deploymentId, host: host, command: command, app: app, release: release, plan: plan, layout: layout,
            driver: driver, routes: routes, store: store, logger: logger,
            drainPrevious: { [weak self] grace in
                guard !replaced.isEmpty else { return }
                // Requests that picked the old replicas just before the swap still run there: give
                // them a moment before SIGTERM, which most apps die of at once.
                try? await Task.sleep(for: Deployer.settleTime)
                for old in replaced { try? await self?.remove(old, grace: grace) }
            },
            retirePrevious: { [weak self] in
                for old in replaced {
                    if let runner = await self?.runners[old.id] { await runner.retire() }
                }
            },
            previousRoute: routes.route(for: host),
            volumes: release.volume.map { [mount($0, owner: identity.user)] } ?? [],
            cgroups: cgroups,
            cgroupParent: cgroupParent,
            limits: limits(for: plan.config.deploy, log: layout.buildLog(deploymentId)),
            identity: identity,
            networks: network == nil ? nil : networks,
            network: network
        )
    }
}

extension Deployer {
    /// The folder a deployment builds from: the stored source, or its `rootDirectory` (monorepos),
    /// which must exist and stay inside the source even through symlinks.
    func sourceDirectory(digest: String, service: Service) throws -> URL {
        let source = archives.directory(for: digest)
        guard let relative = service.source.rootDirectory, !relative.isEmpty, relative != "." else { return source }
        let base = source.resolvingSymlinksInPath().standardizedFileURL.path
        let root = source.appendingPathComponent(relative, isDirectory: true).resolvingSymlinksInPath().standardizedFileURL
        var isDirectory: ObjCBool = false
        guard root.path == base || root.path.hasPrefix(base + "/"),
            FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw RailyardError(
                .invalidInput,
                "the service's root directory '\(relative)' is not a folder of the deployed source; fix it with `PATCH …/services/{id}` (source.rootDirectory) or deploy the folder that contains it"
            )
        }
        return root
    }

    /// The real path of a static release's root: it must exist, hold an index.html, and stay inside the
    /// app dir even through symlinks (a build could otherwise point the edge at any directory).
    static func staticRoot(_ relative: String, in app: URL) throws -> URL {
        let appReal = app.resolvingSymlinksInPath().standardizedFileURL.path
        let root = app.appendingPathComponent(relative, isDirectory: true).resolvingSymlinksInPath().standardizedFileURL
        guard root.path == appReal || root.path.hasPrefix(appReal + "/") else {
            throw RailyardError(.invalidInput, "the static root '\(relative)' points outside the app's folder")
        }
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("index.html").path) else {
            throw RailyardError(
                .invalidInput, "the static root '\(relative)' has no index.html after the build; check Staticfile `root:` or the build command"
            )
        }
        return root
    }
}
