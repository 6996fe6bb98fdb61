import Foundation
import Logging
import RailyardBuild
import RailyardCore
import RailyardEdge
import RailyardRuntime
import RailyardStore

/// Runs one process release: performs what its `Supervision` decides — starts and stops replicas,
/// probes their health, watches them exit, routes the host, marks the deployment — and feeds what
/// happens back in as events, one at a time. Lives from the deploy step until the deployment is
/// removed; after SUCCESS it keeps restarting replicas by the restart policy.
actor ReleaseRunner {
    /// Everything the runner needs from the Deployer, fixed for the release's life.
    struct Context: Sendable {
        var deploymentId: String
        var host: String
        var command: String
        var app: URL
        var release: ReleaseEnvironment
        var plan: BuildPlan
        var layout: DataLayout
        var driver: ProcessDriver
        var routes: RouteTable
        var store: any Store
        var logger: Logger
        /// Stops and removes the deployments this one replaces (after the overlap).
        var drainPrevious: @Sendable (Duration) async -> Void
        /// Tells the supervisors of the deployments this one replaces that the host is no longer
        /// theirs to route (called as traffic moves here).
        var retirePrevious: @Sendable () async -> Void
        /// The previous deployment's route, served beside the new one during the overlap.
        var previousRoute: Route?
        /// Volumes bound into every replica and the pre-deploy command.
        var volumes: [ReplicaSpec.Mount] = []
        /// Where each replica gets a cgroup of its own with `limits`; nil where cgroups are not usable.
        var cgroups: CgroupVersion? = nil
        /// The folder the release's cgroups go in (this server's, see `Deployer.cgroupParent`).
        var cgroupParent = "railyard"
        var limits: ResourceLimits = .default
        /// The service's user, which every replica and the pre-deploy command run as.
        var identity = ServiceIdentity(user: nil, files: nil)
        /// Where replicas get network namespaces of their own, and the number of this
        /// project-environment's network; nil when replicas share the host's network.
        var networks: ReplicaNetworks? = nil
        var network: Int? = nil
    }

    /// A replica this runner started or adopted.
    struct Replica {
        var id: String
        var pid: Int32
        var port: Int
        /// Its namespace, when it has one.
        var network: ReplicaNetwork?
        /// Where the edge and the probes reach it: its namespace's address, or the host's loopback.
        var address: String
    }

    /// How the deploy step ended, for the pipeline waiting on it.
    enum Outcome: Sendable, Equatable {
        case live
        case failed(String)
    }

    private let context: Context
    private var supervision: Supervision
    private var replicas: [Int: Replica] = [:]
    /// The token of each slot's start in progress (it waits for a network and a record); a stop
    /// takes it away, and the start then undoes what it made instead of running on unseen.
    private var starting: [Int: Int] = [:]
    private var nextStartToken = 0
    /// Each replica's cgroup, by replica id, removed once the replica is gone.
    private var cgroups: [String: Cgroup] = [:]
    /// Each slot's watcher (health, then exit); replaced when the slot starts again.
    private var watchers: [Int: Task<Void, Never>] = [:]
    /// Bumped by every `.wake`; a timer whose generation is stale sends nothing. (Cancelling the
    /// timer task instead could cancel the very task performing the current actions.)
    private var wakeGeneration = 0
    /// Set once a newer deployment took the host: this runner no longer writes its route.
    private var retired = false
    private var outcome: Outcome?
    private var waiting: [CheckedContinuation<Outcome, Never>] = []
    private var stopped = false
    /// When the release last went live (deployed, restored or woken), for `sleepApplication`.
    private var sleepTimer = SleepTimer()
    /// The replica count's decisions, when `deploy.autoscaling` asks for them.
    private var autoscaler: Autoscaler?
    private var usage = UsageSampler()

    /// The host this release serves.
    nonisolated var host: String { context.host }
    /// Whether the release sleeps after a quiet period (`deploy.sleepApplication`).
    nonisolated var sleepsWhenQuiet: Bool { context.plan.config.deploy.sleepApplication ?? false }

    init(context: Context, settings: Supervision.Settings) {
        self.context = context
        self.supervision = Supervision(settings: settings)
        self.autoscaler = context.plan.config.deploy.autoscaling.map { Autoscaler(settings: Autoscaler.Settings($0)) }
    }

    /// The supervision settings a plan's config asks for; `defaultHealthTimeout` when it sets none.
    static func settings(_ config: ServiceConfig.Deploy, defaultHealthTimeout: Duration) -> Supervision.Settings {
        var replicas = config.numReplicas ?? 1
        if let autoscaling = config.autoscaling.map(Autoscaler.Settings.init) {
            replicas = min(max(replicas, autoscaling.minReplicas), autoscaling.maxReplicas)
        }
        return Supervision.Settings(
            replicas: replicas,
            healthTimeout: config.healthcheckTimeout.map { .seconds($0) } ?? defaultHealthTimeout,
            overlap: .seconds(config.overlapSeconds ?? 0),
            draining: .seconds(config.drainingSeconds ?? 5),
            restart: RestartPolicy(config),
            hasPreDeploy: !(config.preDeployCommand ?? []).isEmpty
        )
    }

    /// Begins the release and waits until traffic has moved to it (`.live`) or it failed.
    func start() async -> Outcome {
        await handle(.begin)
        if let outcome { return outcome }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Takes over replicas a restarted server found still running (and answering): they keep
    /// serving, are watched from now on, and missing ones are started.
    func adopt(_ records: [ReplicaRecord]) async -> Outcome {
        for (slot, record) in records.enumerated() {
            var network: ReplicaNetwork?
            if let networks = context.networks, let number = context.network, let address = record.address {
                network = networks.adopt(replicaId: record.id, address: address, network: number)
            }
            replicas[slot] = Replica(
                id: record.id, pid: record.pid, port: record.port, network: network, address: record.address ?? "127.0.0.1"
            )
            if let network { context.networks?.publish(network, service: context.release.service.name) }
            if let version = context.cgroups { cgroups[record.id] = Cgroup(version: version, name: "\(context.cgroupParent)/\(record.id)") }
            watchers[slot] = Task { [weak self, driver = context.driver] in
                await self?.waitForExit(slot: slot, pid: record.pid, driver: driver)
            }
        }
        LogFile.append("Adopted \(records.count) running replica(s) after a server restart", to: runtimeLog)
        await handle(.adopt(healthy: records.count))
        if let outcome { return outcome }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Stops every replica (SIGTERM, `grace`, SIGKILL) and supervises no more.
    func shutdown(grace: Duration) async {
        stopped = true
        retired = true
        wakeGeneration += 1
        for watcher in watchers.values { watcher.cancel() }
        watchers.removeAll()
        for slot in replicas.keys.sorted() { await stopReplica(slot, grace: grace) }
        finish(.failed("the deployment was removed"))
    }

    /// Stops writing the host's route: a newer deployment owns it now. Replicas keep running until
    /// the newer one drains this one.
    func retire() {
        retired = true
    }

    /// Starts every replica of the release again (no rebuild).
    func restart() async {
        LogFile.append("Restarting every replica (railyard restart)", to: runtimeLog)
        await handle(.restart)
    }

    /// Changes the replica count of a live release.
    func scale(to count: Int) async {
        await handle(.scale(to: count))
    }

    /// One autoscaling round (`deploy.autoscaling`): reads each replica's CPU and memory from its
    /// cgroup, and changes the replica count when the autoscaler says so, logging the figures that
    /// made it (runtime log and deployment events).
    func autoscale() async {
        guard var autoscaler, supervision.phase == .live, !retired else { return }
        let now = ContinuousClock.now
        let running = Set(replicas.values.map(\.id))
        autoscaler.record(usage.sample(cgroups.filter { running.contains($0.key) }, limits: context.limits, at: now))
        let decision = autoscaler.evaluate(current: supervision.settings.replicas, at: now)
        self.autoscaler = autoscaler
        guard let decision else { return }
        let line = "Autoscaler: \(decision.from) → \(decision.to) replica(s): \(decision.reason)"
        LogFile.append(line, to: runtimeLog)
        LogFile.append(line, to: buildLog)
        await handle(.scale(to: decision.to))
    }

    /// Each running replica's counters now (for usage figures): its cgroup's CPU time and memory,
    /// and its private network's byte counters.
    func usageReadings() -> [UsageReading] {
        guard !stopped else { return [] }
        return replicas.values.map { replica in
            let group = cgroups[replica.id]
            return UsageReading(
                serviceId: context.release.service.id, environmentId: context.release.environment.id, replicaId: replica.id,
                cpuNanoseconds: group?.cpuTimeNanoseconds, memoryBytes: group?.workingSetBytes,
                memoryLimitBytes: context.limits.memoryBytes, network: replica.network == nil ? nil : UsageReading.networkBytes(pid: replica.pid)
            )
        }
    }

    /// Whether the release scales itself (`deploy.autoscaling`).
    nonisolated var autoscales: Bool { context.plan.config.deploy.autoscaling != nil }

    /// Stops every replica of a live release after a quiet period (`sleepApplication`); the host
    /// holds requests until `wakeUp()`.
    func sleep() async {
        await handle(.sleep)
    }

    /// Supervises a release that was asleep when the server stopped: nothing starts, its host
    /// holds requests, and the first one wakes it.
    func resumeAsleep() async {
        await handle(.resumeAsleep)
    }

    /// Starts the replicas of a sleeping release again (a request is waiting for it).
    func wakeUp() async {
        guard supervision.phase == .sleeping else { return }
        LogFile.append("Waking up: a request arrived", to: runtimeLog)
        await handle(.wakeUp)
    }

    /// Whether the live release has gone `after` without a request, given how long ago the last
    /// one came (the edge's view); never while it is not live.
    func isQuiet(for after: Duration, sinceLastRequest: Duration?) -> Bool {
        guard supervision.phase == .live, !retired else { return false }
        return sleepTimer.isDue(after: after, at: .now, sinceLastRequest: sinceLastRequest)
    }

    // MARK: Events and actions

    private func handle(_ event: Supervision.Event) async {
        guard !stopped else { return }
        let actions = supervision.handle(event, at: .now)
        for action in actions { await perform(action) }
    }

    private func perform(_ action: Supervision.Action) async {
        switch action {
        case .runPreDeploy:
            let result = await runPreDeploy()
            await handle(.preDeployFinished(succeeded: result == nil, detail: result ?? ""))
        case .start(let slot):
            await startReplica(slot)
        case .stop(let slot, let grace):
            await stopReplica(slot, grace: grace)
        case .route(let slots, let includingPrevious):
            route(slots, includingPrevious: includingPrevious)
        case .drainPrevious(let grace):
            await context.drainPrevious(grace)
        case .markSuccess:
            sleepTimer.wokeUp(at: .now)
            await context.retirePrevious()
            // A restored release is SUCCESS already; `move` skips a move that is not legal.
            await move(to: .success, reason: nil)
            LogFile.append("Deployment \(context.deploymentId) is live (\(supervision.healthySlots.count) replica(s))", to: buildLog)
            finish(.live)
        case .markFailed(let reason):
            appendAppTail()
            await move(to: .failed, reason: reason)
            finish(.failed(reason))
        case .markCrashed(let reason):
            LogFile.append("Service crashed: \(reason)", to: runtimeLog)
            await move(to: .crashed, reason: reason)
            if !retired { context.routes.set(.unavailable("the service crashed: \(reason)"), for: context.host) }
        case .routeSleeping:
            if !retired { context.routes.set(.sleeping, for: context.host) }
        case .markSleeping:
            sleepTimer.stopped()
            LogFile.append("Sleeping: no request for the quiet period; the next request wakes the service", to: runtimeLog)
            await move(to: .sleeping, reason: nil)
        case .wake(let at):
            wakeGeneration += 1
            let generation = wakeGeneration
            Task { [weak self] in
                try? await Task.sleep(until: at, clock: .continuous)
                await self?.tick(generation: generation)
            }
        }
    }

    private func tick(generation: Int) async {
        guard generation == wakeGeneration else { return }
        await handle(.tick)
    }

    private var buildLog: URL { context.layout.buildLog(context.deploymentId) }
    private var runtimeLog: URL { context.layout.runtimeLog(context.deploymentId) }

    private func finish(_ result: Outcome) {
        guard outcome == nil else { return }
        outcome = result
        for continuation in waiting { continuation.resume(returning: result) }
        waiting.removeAll()
    }

    /// Persists a status move from whatever the deployment is now; a move that is not legal any
    /// more (someone removed it meanwhile) is skipped.
    private func move(to status: DeploymentStatus, reason: String?) async {
        guard let current = try? await context.store.deployment(id: context.deploymentId),
            let moved = try? current.moving(to: status, at: Date(), reason: reason)
        else { return }
        do {
            try await context.store.saveDeployment(moved, from: current.status)
        } catch {
            context.logger.warning("deployment status not saved", metadata: ["deployment.status": "\(status)", "error": "\(error)"])
        }
    }

    // MARK: Replicas

    private func startReplica(_ slot: Int) async {
        nextStartToken += 1
        let token = nextStartToken
        starting[slot] = token
        defer { if starting[slot] == token { starting[slot] = nil } }
        let port: Int
        do {
            port = try replicaPort()
        } catch {
            await handle(.exited(slot: slot, .exited(126)))
            return
        }
        let replicaId = UUID().uuidString.lowercased()
        let environment = context.release.processEnvironment(
            port: port, replicaId: replicaId, paths: context.plan.paths, appDirectory: context.app
        )
        var group: Cgroup?
        if let version = context.cgroups {
            let candidate = Cgroup(version: version, name: "\(context.cgroupParent)/\(replicaId)")
            do {
                try candidate.create(limits: context.limits)
                group = candidate
                cgroups[replicaId] = candidate
            } catch {
                LogFile.append("Replica \(slot + 1) runs without resource limits: \(error)", to: buildLog)
            }
        }
        var network: ReplicaNetwork?
        if let networks = context.networks, let number = context.network {
            do {
                network = try await networks.attach(replicaId: replicaId, network: number)
            } catch {
                LogFile.append("Replica \(slot + 1) could not get its private network, so it was not started: \(error)", to: buildLog)
                cgroups.removeValue(forKey: replicaId)?.remove()
                if starting[slot] == token { await handle(.exited(slot: slot, .exited(126))) }
                return
            }
            // While it waited the slot was stopped (or started anew): this start is void.
            guard starting[slot] == token, !stopped else {
                cgroups.removeValue(forKey: replicaId)?.remove()
                if let network { await networks.detach(network) }
                return
            }
        }
        let limits = group != nil
            ? ", limits \(context.limits.memoryDescription), \(context.limits.cpuMillicores)m CPU, \(context.limits.pids) pids"
            : context.driver.isolation.prlimitPath == nil ? "" : ", rlimits \(context.limits.memoryDescription) of data, no CPU limit"
        let place = network.map { "\($0.address):\(port) on its private network" } ?? "PORT \(port)"
        LogFile.append("Starting replica \(slot + 1): `\(context.command)` on \(place) (\(context.driver.isolation)\(limits))", to: buildLog)
        let pid: Int32
        do {
            var spec = context.identity.apply(to: ReplicaSpec(
                command: context.command, appDirectory: context.app, environment: environment, logFile: runtimeLog,
                hiddenPaths: [context.layout.root.standardizedFileURL.path], volumes: context.volumes, cgroup: group
            ))
            spec.networkEnter = network?.enterArgv ?? []
            spec.hostsFile = network.flatMap { context.networks?.hostsFile(network: $0.network.number) }
            spec.rlimits = group == nil ? context.limits : nil
            pid = try context.driver.start(spec)
        } catch {
            LogFile.append("Replica \(slot + 1) could not start: \(error)", to: buildLog)
            cgroups.removeValue(forKey: replicaId)?.remove()
            if let network { await context.networks?.detach(network) }
            await handle(.exited(slot: slot, .exited(126)))
            return
        }
        replicas[slot] = Replica(id: replicaId, pid: pid, port: port, network: network, address: network?.address ?? "127.0.0.1")
        do {
            try await context.store.recordReplica(
                ReplicaRecord(id: replicaId, deploymentId: context.deploymentId, pid: pid, port: port, address: network?.address, startedAt: Date())
            )
        } catch {
            LogFile.append("Replica \(slot + 1) could not be recorded, so it was stopped: \(error)", to: buildLog)
            await stopReplica(slot, grace: .seconds(2))
            await handle(.exited(slot: slot, .exited(126)))
            return
        }
        // While the record was written the runner may have been shut down, or the deployment
        // failed and stopped its slots: a replica nobody wants must not run on unseen.
        guard !stopped, starting[slot] == token, supervision.slots.indices.contains(slot), supervision.slots[slot].state == .starting,
            replicas[slot]?.pid == pid
        else {
            if replicas[slot]?.pid == pid { await stopReplica(slot, grace: .seconds(2)) }
            return
        }
        watchers[slot]?.cancel()
        // A second past the supervision's own deadline: while the deployment starts that deadline
        // decides; for a replica restarted later, this one does.
        let deadline = ContinuousClock.now + supervision.settings.healthTimeout + .seconds(1)
        let address = network?.address ?? "127.0.0.1"
        watchers[slot] = Task { [weak self, driver = context.driver, path = context.plan.config.deploy.healthcheckPath] in
            await self?.watch(slot: slot, pid: pid, address: address, port: port, driver: driver, healthPath: path, deadline: deadline)
        }
    }

    /// The port a new replica listens on: the service's own `PORT` variable when replicas have
    /// addresses of their own (so `<service>.railyard.internal:PORT` is known in advance, as on
    /// Railway), else a free one of the host's (replicas then share the host's ports).
    private func replicaPort() throws -> Int {
        if context.networks != nil, context.network != nil, let text = context.release.userVariables["PORT"],
            let port = Int(text), (1...65535).contains(port)
        {
            return port
        }
        return try PortProbe.freePort()
    }

    /// Probes the new replica until it is healthy (its health path answers 200, or — without one —
    /// its port accepts connections), then waits for it to exit; reports both as events.
    private nonisolated func watch(
        slot: Int, pid: Int32, address: String, port: Int, driver: ProcessDriver, healthPath: String?, deadline: ContinuousClock.Instant
    ) async {
        var delay = Duration.milliseconds(10)
        var lastProblem = "it did not answer yet"
        while !Task.isCancelled {
            if ContinuousClock.now >= deadline {
                await report(slot: slot, pid: pid, .unhealthy(slot: slot, reason: lastProblem))
                return await waitForExit(slot: slot, pid: pid, driver: driver)
            }
            if let status = driver.exitStatus(of: pid) {
                await report(slot: slot, pid: pid, .exited(slot: slot, ReplicaExit(waitStatus: status)))
                return
            }
            if let healthPath {
                switch await HealthProbe.check(address: address, port: port, path: healthPath, timeout: .seconds(2)) {
                case .healthy:
                    await report(slot: slot, pid: pid, .healthy(slot: slot))
                    return await waitForExit(slot: slot, pid: pid, driver: driver)
                case .unhealthy(let problem):
                    lastProblem = problem
                }
            } else if await PortProbe.answers(host: address, port: port), driver.isRunning(pid) {
                await report(slot: slot, pid: pid, .healthy(slot: slot))
                return await waitForExit(slot: slot, pid: pid, driver: driver)
            }
            await noteProbe(slot: slot, problem: lastProblem)
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, healthPath == nil ? .milliseconds(100) : .milliseconds(500))
        }
    }

    private nonisolated func waitForExit(slot: Int, pid: Int32, driver: ProcessDriver) async {
        var polls = 0
        while !Task.isCancelled {
            polls += 1
            if polls % 20 == 0 { await noteLimitHits(slot: slot, pid: pid) }
            if let status = driver.exitStatus(of: pid) {
                await report(slot: slot, pid: pid, .exited(slot: slot, ReplicaExit(waitStatus: status)))
                return
            }
            if !driver.isRunning(pid) {
                // Not our child (adopted after a restart): gone, with a status nobody can read.
                await report(slot: slot, pid: pid, .exited(slot: slot, .unknown))
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private var lastProbeProblem: [Int: String] = [:]
    /// The OOM kills and refused forks already logged, by replica id.
    private var limitHitsSeen: [String: (oomKills: Int, forksRefused: Int)] = [:]

    /// A limit hit, in the service's logs and among the deployment's events (its build log).
    private func noteEvent(_ line: String) {
        LogFile.append(line, to: runtimeLog)
        LogFile.append(line, to: buildLog)
    }

    /// Logs the limits the replica's processes ran into since the last look: a process of it killed
    /// for memory (a worker, not the replica itself, which `report` covers), forks refused.
    private func noteLimitHits(slot: Int, pid: Int32) {
        guard let replica = replicas[slot], replica.pid == pid, let group = cgroups[replica.id] else { return }
        let seen = limitHitsSeen[replica.id] ?? (0, 0)
        let now = (oomKills: group.oomKills, forksRefused: group.forksRefused)
        if now.oomKills > seen.oomKills {
            noteEvent("Replica \(slot + 1): a process was killed for using more than its \(context.limits.memoryDescription) of memory (out of memory)")
        }
        if now.forksRefused > seen.forksRefused {
            noteEvent("Replica \(slot + 1) hit its limit of \(context.limits.pids) processes: \(now.forksRefused - seen.forksRefused) forks refused")
        }
        limitHitsSeen[replica.id] = now
    }

    private func noteProbe(slot: Int, problem: String) {
        lastProbeProblem[slot] = problem
    }

    /// An event about the replica `pid` of `slot`; ignored when the slot has moved on to another process.
    private func report(slot: Int, pid: Int32, _ event: Supervision.Event) async {
        guard replicas[slot]?.pid == pid else { return }
        if case .exited(_, let exit) = event {
            // Out of the slot before the first wait, so nothing else stops, frees or reports it again.
            guard let gone = replicas.removeValue(forKey: slot) else { return }
            let startInFlight = starting[slot]
            if let group = cgroups.removeValue(forKey: gone.id) {
                if group.oomKills > (limitHitsSeen.removeValue(forKey: gone.id)?.oomKills ?? 0) {
                    noteEvent("Replica \(slot + 1) was killed for using more than its \(context.limits.memoryDescription) of memory (out of memory)")
                }
                group.remove()
            }
            LogFile.append("Replica \(slot + 1) \(exit)", to: runtimeLog)
            if let network = gone.network { await context.networks?.detach(network) }
            try? await context.store.removeReplica(id: gone.id)
            // While this waited, the slot may have been stopped and started again (a restart, a
            // scale): this exit is then old news, and must not count against the new replica.
            guard replicas[slot] == nil, starting[slot] == startInFlight else { return }
        }
        if case .healthy = event, let replica = replicas[slot] {
            LogFile.append("Replica \(slot + 1) is healthy on PORT \(replica.port)", to: buildLog)
            // Healthy replicas, and only those, answer to the service's private name.
            if let network = replica.network { context.networks?.publish(network, service: context.release.service.name) }
        }
        await handle(event)
    }

    private func stopReplica(_ slot: Int, grace: Duration) async {
        watchers[slot]?.cancel()
        watchers[slot] = nil
        // A start still waiting for its network or its record finds its token gone and undoes itself.
        starting[slot] = nil
        guard let replica = replicas.removeValue(forKey: slot) else { return }
        await context.driver.stop(replica.pid, grace: grace)
        cgroups.removeValue(forKey: replica.id)?.remove()
        if let network = replica.network { await context.networks?.detach(network) }
        try? await context.store.removeReplica(id: replica.id)
    }

    private func route(_ slots: [Int], includingPrevious: Bool) {
        guard !retired else { return }
        let upstreams = slots.compactMap { replicas[$0] }.map { Upstream(host: $0.address, port: $0.port) }
        var all = upstreams
        if includingPrevious, case .upstreams(let previous) = context.previousRoute { all += previous }
        guard !all.isEmpty else {
            context.routes.set(.unavailable("no replica of this service is healthy right now; it is being restarted"), for: context.host)
            return
        }
        context.routes.set(.upstreams(all), for: context.host)
    }

    // MARK: Pre-deploy and failure detail

    /// The longest a pre-deploy command may run.
    static let preDeployTimeout = Duration.seconds(10 * 60)

    /// Runs `deploy.preDeployCommand` once, in the sandbox, in the app folder, under the service's
    /// limits and on its network, like its replicas; nil when it passed, else why not.
    private func runPreDeploy() async -> String? {
        let session: OneOffProcess.Session
        do {
            session = try await context.oneOffProcess.open(group: "predeploy-\(context.deploymentId)")
        } catch {
            return "the pre-deploy command could not get its private network: \(error)"
        }
        let result = await runPreDeploy(context.plan.config.deploy.preDeployCommand ?? [], in: session)
        await session.close()
        return result
    }

    /// Runs the pre-deploy commands one after another; nil when all passed.
    private func runPreDeploy(_ commands: [String], in session: OneOffProcess.Session) async -> String? {
        for command in commands {
            LogFile.append("Running the pre-deploy command `\(command)`", to: buildLog)
            let pid: Int32
            do {
                pid = try session.start(command, log: buildLog)
            } catch {
                return "`\(command)` could not start: \(error)"
            }
            guard let status = await session.wait(pid, timeout: Self.preDeployTimeout) else {
                return "`\(command)` took longer than \(Self.preDeployTimeout) and was stopped"
            }
            let exit = ReplicaExit(waitStatus: status)
            guard exit.isSuccess else { return "`\(command)` \(exit)" }
        }
        return nil
    }

    /// The app's last lines, in the build log, so a failed start says what the app said.
    private func appendAppTail() {
        let tail = LogFile.tail(runtimeLog, lines: 20)
        if !tail.isEmpty { LogFile.append("Last lines of the app's output:\n\(tail)", to: buildLog) }
        for (slot, problem) in lastProbeProblem.sorted(by: { $0.key < $1.key }) {
            LogFile.append("Replica \(slot + 1)'s last health check: \(problem)", to: buildLog)
        }
    }
}

extension ReleaseRunner.Context {
    /// Where this release's one-off commands run (pre-deploy, cron runs): as its replicas do, without a PORT.
    var oneOffProcess: OneOffProcess {
        OneOffProcess(
            app: app, environment: release.processEnvironment(port: nil, replicaId: nil, paths: plan.paths, appDirectory: app),
            hiddenPaths: [layout.root.standardizedFileURL.path], driver: driver, identity: identity, volumes: volumes,
            cgroups: cgroups, cgroupParent: cgroupParent, limits: limits, networks: networks, network: network
        )
    }
}
