import Foundation
import Logging
import RailyardBuild
import RailyardCore
import RailyardEdge
import RailyardRuntime
import RailyardStore

/// Drives deployments: source → build → release → route, one status move at a time, each persisted
/// before anything else happens. Deployments of one service in one environment run one after another.
actor Deployer {
    let store: any Store
    let layout: DataLayout
    let archives: SourceArchiveStore
    /// Fetches git-sourced services' commits into `archives`.
    let fetcher: GitFetcher
    /// How long fetching a commit may take.
    let fetchTimeout: Duration
    let driver: ProcessDriver
    let routes: RouteTable
    /// Custom domains' certificates (files, and the edge's HTTPS certificate store).
    let certificates: DomainCertificates
    let baseDomain: String
    let edgePort: BoundPort
    let logger: Logger
    /// How long a new release has to start listening on PORT (overridable by deploy.healthcheckTimeout).
    let startTimeout: Duration
    /// How long a build may run before it is stopped and the deployment fails.
    let buildTimeout: Duration
    /// The running pipeline per service and environment; a new deployment waits for the previous one.
    private var chains: [String: Task<Void, Never>] = [:]
    /// Where replicas get a cgroup each (memory, CPU, pids limits); nil when cgroups are not usable here.
    let cgroups: CgroupVersion? = CgroupVersion.usable()
    /// Private networks for replicas (nil when this machine cannot separate them; `networkProblem`
    /// says why).
    let networks: ReplicaNetworks?
    let networkProblem: String?
    /// This server's share of the host's uids and networks (as root).
    let share: HostShare?
    /// The most a service's replicas may ask for.
    let maxLimits: ResourceLimits
    /// Where this server's cgroups go: under `railyard/s<share>` as root (several servers on one
    /// host each prune only their own empty groups), else `railyard`.
    var cgroupParent: String { share.map { "railyard/s\($0.index)" } ?? "railyard" }
    /// The supervisor of each live process release, by deployment id.
    var runners: [String: ReleaseRunner] = [:]
    /// True while start-up recovery restores live releases: a command on a live release (restart,
    /// scale) arriving meanwhile waits for its runner instead of finding none.
    var recovering = false
    /// Each live release's runtime log size at its last mark (log search's times).
    var loggedSizes: [String: (size: Int64, at: Date)] = [:]
    /// Database services (`service/environment`) with a backup or restore running.
    var backupsRunning: Set<String> = []
    /// The schedule follower of each live cron release, by deployment id.
    var crons: [String: CronScheduler] = [:]
    /// The wall clock cron schedules follow.
    let cronClock: any CronClock

    init(
        store: any Store, dataDirectory: URL, driver: ProcessDriver, routes: RouteTable, share: HostShare? = nil, baseDomain: String,
        edgePort: BoundPort, logger: Logger, startTimeout: Duration = .seconds(60), buildTimeout: Duration = .seconds(30 * 60),
        allowLocalGitSources: Bool = false, fetchTimeout: Duration = .seconds(5 * 60), separateNetworks: Bool = true,
        maxLimits: ResourceLimits = ServerConfiguration.defaultMaxLimits, certificateStore: TLSCertificateStore? = nil,
        cronClock: any CronClock = SystemCronClock()
    ) {
        self.maxLimits = maxLimits
        self.cronClock = cronClock
        self.store = store
        self.layout = DataLayout(root: dataDirectory)
        self.certificates = DomainCertificates(directory: layout.domainCertificates, store: certificateStore)
        self.archives = SourceArchiveStore(root: layout.sources)
        self.fetcher = GitFetcher(archives: archives, workRoot: layout.root.appendingPathComponent("tmp/git"), allowLocal: allowLocalGitSources)
        self.fetchTimeout = fetchTimeout
        self.driver = driver
        self.share = share
        if separateNetworks, let share {
            (self.networks, self.networkProblem) = ReplicaNetworks.detect(hostsDirectory: layout.root.appendingPathComponent("run/networks"), share: share)
        } else if separateNetworks {
            (self.networks, self.networkProblem) = (nil, NetworkSeparation.available() ?? "this server has no share of the host's networks")
        } else {
            (self.networks, self.networkProblem) = (nil, "turned off (--no-network-separation)")
        }
        self.routes = routes
        self.baseDomain = baseDomain
        self.edgePort = edgePort
        self.logger = logger
        self.startTimeout = startTimeout
        self.buildTimeout = buildTimeout
    }

    /// Stores an uploaded archive (rejecting unsafe ones before anything else is created) and queues a
    /// deployment of it.
    func deploy(archive: URL, project: Project, environment: RailyardCore.Environment, service: Service) async throws -> Deployment {
        try Self.refuseForDatabase(service, "it runs the host's server program, not uploaded code; deploy your app as a service of its own (`railyard service new`)")
        let archives = self.archives
        let digest = try await Task.detached { try archives.ingest(archive: archive) }.value
        return try await enqueue(digest: digest, commit: nil, project: project, environment: environment, service: service)
    }

    /// Queues a deployment that needs no upload: of a git-sourced service's branch (of `commit` when a
    /// push named it, else of the branch head), or of a database service. The fetch happens in the
    /// pipeline (INITIALIZING), so a failed fetch is a FAILED deployment with git's reason in its build log.
    func deployWithoutUpload(
        project: Project, environment: RailyardCore.Environment, service: Service, commit: String? = nil
    ) async throws -> Deployment {
        if service.source.database != nil {
            // Its source is made in the pipeline from today's template.
            return try await enqueue(digest: nil, commit: nil, project: project, environment: environment, service: service)
        }
        guard service.source.isGit else {
            throw RailyardError(
                .conflict, "service \(service.name) has no git repository; set its source.repo (PATCH …/services/{id}), or deploy a folder with `railyard up`"
            )
        }
        return try await enqueue(digest: nil, commit: commit.map { GitFetcher.Commit(sha: $0, message: "", author: "") },
            project: project, environment: environment, service: service)
    }

    /// Queues a new deployment of the latest source this service deployed in this environment (for a
    /// git source: the same commit), or with `latest` of its branch's head.
    func redeploy(project: Project, environment: RailyardCore.Environment, service: Service, latest: Bool = false) async throws -> Deployment {
        if service.source.database != nil { return try await deployWithoutUpload(project: project, environment: environment, service: service) }
        if latest {
            guard service.source.isGit else {
                throw RailyardError(
                    .conflict, "service \(service.name) deploys uploaded folders, so there is no branch to take the latest of; run `railyard up`",
                    field: "latest"
                )
            }
            return try await deployWithoutUpload(project: project, environment: environment, service: service)
        }
        let previous = try await store.deployments(serviceId: service.id, environmentId: environment.id, limit: 50)
        guard let last = previous.first(where: { $0.sourceDigest != nil }), let digest = last.sourceDigest else {
            if service.source.isGit { return try await deployWithoutUpload(project: project, environment: environment, service: service) }
            throw RailyardError(.conflict, "service \(service.name) has never been deployed here; run `railyard up` first")
        }
        return try await enqueue(digest: digest, commit: last.gitCommit, project: project, environment: environment, service: service)
    }

    /// Every live runner's replicas' counters (usage figures).
    func usageReadings() async -> [UsageReading] {
        var readings: [UsageReading] = []
        for runner in runners.values { readings += await runner.usageReadings() }
        return readings
    }

    /// The supervisor of the service's live process release in an environment.
    private func liveRunner(environment: RailyardCore.Environment, service: Service) async throws -> ReleaseRunner? {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let active = try await activeDeployments(serviceId: service.id, environmentId: environment.id)
            if let runner = active.lazy.compactMap({ self.runners[$0.id] }).first { return runner }
            guard recovering, !active.isEmpty, ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sets the service's replica count in the environment: stored as its `deploy.numReplicas`
    /// setting (config as code still wins at the next deployment) and applied to the live release now.
    func scale(environment: RailyardCore.Environment, service: Service, replicas: Int) async throws -> ServiceConfig {
        if replicas != 1 {
            try Self.refuseForDatabase(service, "it runs one replica, since its data lives on one volume that one server at a time may use")
        }
        var settings = try await store.serviceSettings(serviceId: service.id, environmentId: environment.id)
        settings.deploy.numReplicas = replicas
        try settings.validate()
        try await store.saveServiceSettings(settings, serviceId: service.id, environmentId: environment.id)
        if let runner = try await liveRunner(environment: environment, service: service) {
            await runner.scale(to: replicas)
        }
        return settings
    }

    /// Starts every replica of the service's live release again, without building.
    func restart(environment: RailyardCore.Environment, service: Service) async throws {
        guard let runner = try await liveRunner(environment: environment, service: service) else {
            throw RailyardError(
                .conflict, "service \(service.name) has no running process release in \(environment.name) to restart; deploy it with `railyard up`"
            )
        }
        await runner.restart()
    }

    /// Deploys an earlier release of the service again: the source (and commit) of `deploymentId`,
    /// or of the newest deployment before the current one that went live. It is built again (the
    /// build cache makes that quick) with today's variables and settings.
    func rollback(project: Project, environment: RailyardCore.Environment, service: Service, to deploymentId: String?) async throws -> Deployment {
        let history = try await store.deployments(serviceId: service.id, environmentId: environment.id, limit: 100)
        // REMOVING too: right after a deploy the release it replaced is still being stopped.
        let wentLive: (Deployment) -> Bool = {
            $0.sourceDigest != nil && $0.deployStartedAt != nil && [.success, .crashed, .sleeping, .removing, .removed].contains($0.status)
        }
        let target: Deployment
        if let deploymentId {
            guard let chosen = history.first(where: { $0.id == deploymentId }) else {
                throw RailyardError(.notFound, "deployment \(deploymentId) is not one of service \(service.name)'s in \(environment.name)", field: "deploymentId")
            }
            guard wentLive(chosen) else {
                throw RailyardError(.conflict, "deployment \(deploymentId) never went live (\(chosen.status.rawValue)); roll back to one that did", field: "deploymentId")
            }
            target = chosen
        } else {
            let current = history.first { [.success, .crashed, .sleeping].contains($0.status) }
            guard let earlier = history.first(where: { wentLive($0) && $0.id != current?.id && $0.createdAt <= (current?.createdAt ?? .distantFuture) }) else {
                throw RailyardError(.conflict, "service \(service.name) has no earlier release in \(environment.name) to roll back to")
            }
            target = earlier
        }
        let digest = target.sourceDigest!
        let deployment = try await enqueue(digest: digest, commit: target.gitCommit, project: project, environment: environment, service: service)
        LogFile.append("Rolling back to the release of deployment \(target.id)", to: layout.buildLog(deployment.id))
        return deployment
    }

    /// Stops the running deployment of a service in an environment and takes its route down, in turn
    /// with the service's deployments (a deployment queued before it finishes first; one queued after
    /// starts after it).
    func down(project: Project, environment: RailyardCore.Environment, service: Service) async throws {
        let key = "\(service.id)/\(environment.id)"
        let previous = chains[key]
        let work = Task {
            await previous?.value
            try await self.takeDown(environment: environment, service: service)
        }
        chains[key] = Task { _ = try? await work.value }
        try await work.value
    }

    private func takeDown(environment: RailyardCore.Environment, service: Service) async throws {
        let active = try await activeDeployments(serviceId: service.id, environmentId: environment.id)
        guard !active.isEmpty else {
            throw RailyardError(.conflict, "service \(service.name) has no running deployment in \(environment.name)")
        }
        for deployment in active { try await remove(deployment) }
        // Custom domains are aliases of the generated host and answer with its page.
        if let domain = try await store.domains(serviceId: service.id, environmentId: environment.id).generated {
            routes.set(.unavailable("\(service.name) was taken down; deploy it again with `railyard up`"), for: domain.host)
        }
    }

    /// The public URL of a host on the edge.
    func url(for host: String) -> String {
        let port = edgePort.value
        return port == 80 ? "http://\(host)" : "http://\(host):\(port)"
    }

    /// A deployment as the API shows it: with its service's URL.
    func decorate(_ deployment: Deployment) async throws -> Deployment {
        var deployment = deployment
        if let domain = try await store.domains(serviceId: deployment.serviceId, environmentId: deployment.environmentId).generated {
            deployment.url = url(for: domain.host)
        }
        return deployment
    }

    /// Whether a deployment's log of `stream` can still grow.
    func logIsOpen(_ deployment: Deployment, stream: LogStream) -> Bool {
        switch stream {
        // The build log also carries the deploy step's messages (start, the app's last lines, why it failed).
        case .build: return deployment.status.isInProgress
        case .runtime: return !deployment.status.isTerminal
        }
    }

    /// Records a QUEUED deployment of `digest` (nil: fetch `commit`, or the branch head, first) and
    /// chains its pipeline after the service's previous one in this environment.
    private func enqueue(
        digest: String?, commit: GitFetcher.Commit?, project: Project, environment: RailyardCore.Environment, service: Service
    ) async throws -> Deployment {
        var deployment = Deployment(
            id: UUID().uuidString.lowercased(), serviceId: service.id, environmentId: environment.id, createdAt: Date()
        )
        deployment.sourceDigest = digest
        deployment.commitSha = commit?.sha
        deployment.commitMessage = commit.flatMap { $0.message.isEmpty ? nil : $0.message }
        deployment.commitAuthor = commit.flatMap { $0.author.isEmpty ? nil : $0.author }
        try await store.createDeployment(deployment)
        let what = service.source.database.map { "the host's \($0.displayName) server" }
            ?? digest.map { "source \($0.prefix(12))" + (commit.map { " (commit \($0.sha.prefix(12)))" } ?? "") }
            ?? "\(commit.map { "commit \($0.sha.prefix(12)) of" } ?? "the head of") branch \(service.source.effectiveBranch)"
        LogFile.append("Queued deployment \(deployment.id) of \(what)", to: layout.buildLog(deployment.id))
        let key = "\(service.id)/\(environment.id)"
        let previous = chains[key]
        let id = deployment.id
        chains[key] = Task {
            await previous?.value
            await self.run(deploymentId: id, project: project, environment: environment, service: service)
        }
        return deployment
    }

    /// Deployments of a service in an environment that are live (serving, crashed or asleep).
    func activeDeployments(serviceId: String, environmentId: String) async throws -> [Deployment] {
        try await store.deployments(serviceId: serviceId, environmentId: environmentId, limit: 100)
            .filter { [.success, .crashed, .sleeping].contains($0.status) }
    }

    /// The number of the project-environment's private network (allocated on first use); nil when
    /// replicas share the host's network.
    func networkNumber(projectId: String, environmentId: String) async throws -> Int? {
        guard networks != nil, let share else { return nil }
        return try share.network(try await store.allocatedNumber(.network, owner: "\(projectId)/\(environmentId)"))
    }

    /// Moves a live deployment through REMOVING to REMOVED, stopping its replicas in between.
    func remove(_ snapshot: Deployment, grace: Duration = .seconds(5)) async throws {
        // From its status now, not the snapshot's: a replaced deployment may have crashed meanwhile.
        guard let deployment = try await store.deployment(id: snapshot.id), !deployment.status.isTerminal else { return }
        let removing = try deployment.moving(to: .removing, at: Date())
        try await store.saveDeployment(removing, from: deployment.status)
        // Its supervisor goes first, so nothing restarts what is being stopped.
        if let runner = runners.removeValue(forKey: deployment.id) { await runner.shutdown(grace: grace) }
        if let cron = crons.removeValue(forKey: deployment.id) { await cron.shutdown(grace: grace) }
        for replica in try await store.replicas(deploymentId: deployment.id) where Self.process(replica.pid, belongsTo: deployment.id) {
            await driver.stop(replica.pid, grace: grace)
        }
        try await store.removeReplicas(deploymentId: deployment.id)
        try await store.saveDeployment(try removing.moving(to: .removed, at: Date()), from: .removing)
        LogFile.append("Deployment \(deployment.id) removed", to: layout.runtimeLog(deployment.id))
        discardArtifact(of: deployment.id)
    }
}
