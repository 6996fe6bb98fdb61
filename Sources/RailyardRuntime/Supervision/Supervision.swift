/// The supervisor's decisions for one deployment, as a pure state machine: events in (a replica
/// started, became healthy, exited; the clock ticked; the replica count changed), actions out
/// (start or stop a replica, route traffic, mark the deployment). Time comes in with every event,
/// so tests drive it with any clock; the effectful side (the Deployer) performs the actions and
/// reports what happened.
///
/// A deployment's life: the pre-deploy command (if any) runs once; every replica starts and must
/// become healthy before `healthTimeout`; then traffic moves to it (old and new both serve for
/// `overlap`), the previous deployment drains (SIGTERM, `draining` of grace, SIGKILL), and the
/// deployment is live: a replica that ends is restarted with backoff by its restart policy, and
/// when none is left the deployment is CRASHED. Any failure before traffic moved fails the
/// deployment and leaves the previous one serving untouched.
public struct Supervision: Sendable, Equatable {
    public typealias Instant = ContinuousClock.Instant

    /// What the deployment asks for.
    public struct Settings: Sendable, Equatable {
        public var replicas: Int
        public var healthTimeout: Duration
        public var overlap: Duration
        public var draining: Duration
        public var restart: RestartPolicy
        public var hasPreDeploy: Bool

        public init(
            replicas: Int = 1, healthTimeout: Duration = .seconds(60), overlap: Duration = .zero, draining: Duration = .seconds(5),
            restart: RestartPolicy = RestartPolicy(), hasPreDeploy: Bool = false
        ) {
            self.replicas = replicas
            self.healthTimeout = healthTimeout
            self.overlap = overlap
            self.draining = draining
            self.restart = restart
            self.hasPreDeploy = hasPreDeploy
        }
    }

    /// Where the deployment is.
    public enum Phase: Sendable, Equatable {
        case created
        case preDeploy
        /// Replicas are starting; the deployment fails if they are not all healthy by `deadline`.
        case starting(deadline: Instant)
        /// Traffic goes to both deployments until `until`; then the previous one drains.
        case overlapping(until: Instant)
        case live
        /// `sleepApplication`: every replica stopped after a quiet period; the route holds requests
        /// and asks for a wake.
        case sleeping
        case failed(reason: String)
        case crashed(reason: String)
    }

    /// One replica position; its process comes and goes, the slot stays.
    public struct Slot: Sendable, Equatable {
        public enum State: Sendable, Equatable {
            case starting
            case healthy
            case backingOff(until: Instant)
            case stopped(reason: String)
            case crashed(reason: String)
        }

        public var state: State
        public var startedAt: Instant
        /// Restarts since the replica last ran stably.
        public var restartsInARow: Int
    }

    /// What happened.
    public enum Event: Sendable, Equatable {
        case begin
        /// A restarted server found this many of the release's replicas still running and healthy:
        /// they serve on (no pre-deploy, no draining), and the missing ones start.
        case adopt(healthy: Int)
        case preDeployFinished(succeeded: Bool, detail: String)
        case healthy(slot: Int)
        /// The replica is running but did not pass its health check in time.
        case unhealthy(slot: Int, reason: String)
        case exited(slot: Int, ReplicaExit)
        case scale(to: Int)
        /// Start every replica again (`railyard restart`): each is stopped and started anew, and
        /// rejoins the route once healthy; restart counts start from zero.
        case restart
        /// No request for the service's quiet period (`sleepApplication`): stop every replica.
        case sleep
        /// A request arrived for a sleeping service: start every replica; the first healthy one
        /// takes the held requests.
        case wakeUp
        /// A restarted server brings back a release that was asleep: it stays asleep (no replica
        /// starts) until a request wakes it.
        case resumeAsleep
        case tick
    }

    /// What to do.
    public enum Action: Sendable, Equatable {
        case runPreDeploy
        /// Start (or start again) the replica of this slot.
        case start(slot: Int)
        /// Stop the replica of this slot: SIGTERM, `grace`, SIGKILL.
        case stop(slot: Int, grace: Duration)
        /// Route the host to these slots' replicas, and also to the previous deployment's while both serve.
        case route(slots: [Int], includingPrevious: Bool)
        /// Stop the previous deployment's replicas (SIGTERM, `grace`, SIGKILL) and mark it removed.
        case drainPrevious(grace: Duration)
        case markSuccess
        case markFailed(reason: String)
        case markCrashed(reason: String)
        /// Route the host to the sleeping page: the edge holds its requests and asks for a wake.
        case routeSleeping
        case markSleeping
        /// Send `.tick` at this instant (the earliest deadline or backoff pending).
        case wake(at: Instant)
    }

    public private(set) var settings: Settings
    public private(set) var phase: Phase = .created
    public private(set) var slots: [Slot] = []
    /// Set by a restart of a CRASHED deployment: the first healthy replica marks it live again.
    private var recovering = false

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The slots whose replicas are healthy, in order.
    public var healthySlots: [Int] {
        slots.indices.filter { slots[$0].state == .healthy }
    }

    /// Applies an event at `now` and returns the actions to take, in order.
    public mutating func handle(_ event: Event, at now: Instant) -> [Action] {
        var actions: [Action] = []
        switch (event, phase) {
        case (.begin, .created):
            if settings.hasPreDeploy {
                phase = .preDeploy
                actions.append(.runPreDeploy)
            } else {
                actions += startAll(at: now)
            }
        case (.resumeAsleep, .created):
            phase = .sleeping
            slots = (0..<max(settings.replicas, 1)).map { _ in Slot(state: .stopped(reason: "asleep"), startedAt: now, restartsInARow: 0) }
            actions.append(.routeSleeping)
        case (.adopt(let healthy), .created):
            let count = max(settings.replicas, healthy, 1)
            slots = (0..<count).map { index in
                Slot(state: index < healthy ? .healthy : .starting, startedAt: now, restartsInARow: 0)
            }
            phase = .live
            actions.append(.route(slots: healthySlots, includingPrevious: false))
            actions.append(.markSuccess)
            actions += (healthy..<count).map { .start(slot: $0) }
        case (.preDeployFinished(let succeeded, let detail), .preDeploy):
            actions += succeeded ? startAll(at: now) : fail("the pre-deploy command failed: \(detail)")
        case (.healthy(let slot), _) where slots.indices.contains(slot) && slots[slot].state == .starting:
            slots[slot].state = .healthy
            actions += healthy(at: now)
        case (.unhealthy(let slot, let reason), .starting) where slots.indices.contains(slot):
            actions += fail("replica \(slot + 1) did not become healthy: \(reason)")
        case (.exited(let slot, let exit), .starting) where slots.indices.contains(slot):
            actions += fail("replica \(slot + 1) \(exit) before it became healthy")
        case (.unhealthy(let slot, let reason), .overlapping), (.unhealthy(let slot, let reason), .live):
            guard slots.indices.contains(slot), isRunning(slots[slot].state) else { break }
            // A restarted replica that never answers is stopped and handled like a failed one.
            actions.append(.stop(slot: slot, grace: settings.draining))
            actions += ended(slot, .signaled(15), at: now, why: reason)
        case (.exited(let slot, let exit), .overlapping), (.exited(let slot, let exit), .live), (.exited(let slot, let exit), .crashed):
            guard slots.indices.contains(slot), isRunning(slots[slot].state) else { break }
            actions += ended(slot, exit, at: now, why: nil)
        case (.scale(let count), .live), (.scale(let count), .overlapping), (.scale(let count), .crashed):
            actions += scale(to: count, at: now)
        case (.restart, .live), (.restart, .crashed):
            if case .crashed = phase { recovering = true }
            phase = .live
            var restarts: [Action] = []
            for index in slots.indices {
                if isRunning(slots[index].state) { restarts.append(.stop(slot: index, grace: settings.draining)) }
                slots[index] = Slot(state: .starting, startedAt: now, restartsInARow: 0)
                restarts.append(.start(slot: index))
            }
            actions.append(.route(slots: [], includingPrevious: false))
            actions += restarts
        case (.sleep, .live):
            phase = .sleeping
            actions.append(.routeSleeping)
            for index in slots.indices {
                if isRunning(slots[index].state) { actions.append(.stop(slot: index, grace: settings.draining)) }
                slots[index].state = .stopped(reason: "asleep")
            }
            actions.append(.markSleeping)
        case (.scale(let count), .sleeping):
            // Applied at the wake.
            settings.replicas = max(count, 1)
            slots = (0..<settings.replicas).map { _ in Slot(state: .stopped(reason: "asleep"), startedAt: now, restartsInARow: 0) }
        case (.wakeUp, .sleeping), (.restart, .sleeping):
            // As after a restart of a CRASHED release: the first healthy replica takes the route
            // and marks the deployment live (SLEEPING → SUCCESS) again.
            phase = .live
            recovering = true
            for index in slots.indices {
                slots[index] = Slot(state: .starting, startedAt: now, restartsInARow: 0)
                actions.append(.start(slot: index))
            }
        case (.tick, _):
            actions += tick(at: now)
        default:
            break
        }
        if let wake = nextWake() { actions.append(.wake(at: wake)) }
        return actions
    }

    private func isRunning(_ state: Slot.State) -> Bool {
        state == .starting || state == .healthy
    }

    private mutating func startAll(at now: Instant) -> [Action] {
        phase = .starting(deadline: now + settings.healthTimeout)
        slots = (0..<max(settings.replicas, 1)).map { _ in Slot(state: .starting, startedAt: now, restartsInARow: 0) }
        return slots.indices.map { .start(slot: $0) }
    }

    /// Traffic moves once every first replica is healthy; later, a restarted one rejoins the route.
    private mutating func healthy(at now: Instant) -> [Action] {
        switch phase {
        case .starting:
            guard slots.allSatisfy({ $0.state == .healthy }) else { return [] }
            if settings.overlap > .zero {
                phase = .overlapping(until: now + settings.overlap)
                return [.route(slots: healthySlots, includingPrevious: true), .markSuccess]
            }
            phase = .live
            return [.route(slots: healthySlots, includingPrevious: false), .markSuccess, .drainPrevious(grace: settings.draining)]
        case .overlapping:
            return [.route(slots: healthySlots, includingPrevious: true)]
        case .live, .crashed:
            var actions: [Action] = [.route(slots: healthySlots, includingPrevious: false)]
            if case .crashed = phase { recovering = true }
            phase = .live
            if recovering {
                recovering = false
                actions.append(.markSuccess)
            }
            return actions
        default:
            return []
        }
    }

    private mutating func fail(_ reason: String) -> [Action] {
        let running = slots.indices.filter { isRunning(slots[$0].state) }
        for index in running { slots[index].state = .stopped(reason: "the deployment failed") }
        phase = .failed(reason: reason)
        return running.map { .stop(slot: $0, grace: .seconds(2)) } + [.markFailed(reason: reason)]
    }

    /// A live replica ended: restart it after its backoff, or leave it stopped; the deployment is
    /// CRASHED once no replica runs or is about to.
    private mutating func ended(_ slot: Int, _ exit: ReplicaExit, at now: Instant, why: String?) -> [Action] {
        let upFor = now - slots[slot].startedAt
        var decision = settings.restart.decide(exit, upFor: upFor, restartsInARow: slots[slot].restartsInARow)
        if let why, case .crashed = decision { decision = .crashed(reason: "\(why); \(decisionReason(decision))") }
        switch decision {
        case .restart(let after, let attempt):
            slots[slot].state = .backingOff(until: now + after)
            slots[slot].restartsInARow = attempt
        case .stop(let reason):
            slots[slot].state = .stopped(reason: reason)
        case .crashed(let reason):
            slots[slot].state = .crashed(reason: reason)
        }
        var actions: [Action] = [.route(slots: healthySlots, includingPrevious: isOverlapping)]
        let alive = slots.contains { state in
            switch state.state {
            case .starting, .healthy, .backingOff: true
            case .stopped, .crashed: false
            }
        }
        if !alive, !isCrashed {
            let reason = decisionReason(decision)
            phase = .crashed(reason: reason)
            actions.append(.markCrashed(reason: reason))
        }
        return actions
    }

    private func decisionReason(_ decision: RestartPolicy.Decision) -> String {
        switch decision {
        case .restart(let after, let attempt): "restarting in \(after) (attempt \(attempt))"
        case .stop(let reason), .crashed(let reason): reason
        }
    }

    private var isCrashed: Bool {
        if case .crashed = phase { return true }
        return false
    }

    private var isOverlapping: Bool {
        if case .overlapping = phase { return true }
        return false
    }

    private mutating func scale(to count: Int, at now: Instant) -> [Action] {
        let target = max(count, 1)
        settings.replicas = target
        var actions: [Action] = []
        if target > slots.count {
            for index in slots.count..<target {
                slots.append(Slot(state: .starting, startedAt: now, restartsInARow: 0))
                actions.append(.start(slot: index))
            }
        } else if target < slots.count {
            for index in (target..<slots.count).reversed() {
                if isRunning(slots[index].state) { actions.append(.stop(slot: index, grace: settings.draining)) }
            }
            slots.removeLast(slots.count - target)
            actions.insert(.route(slots: healthySlots, includingPrevious: isOverlapping), at: 0)
        }
        return actions
    }

    private mutating func tick(at now: Instant) -> [Action] {
        var actions: [Action] = []
        switch phase {
        case .starting(let deadline) where now >= deadline:
            let waiting = slots.indices.filter { slots[$0].state != .healthy }.map { "\($0 + 1)" }
            return fail(
                "replica \(waiting.joined(separator: ", ")) did not become healthy within \(settings.healthTimeout) (deploy.healthcheckTimeout)"
            )
        case .overlapping(let until) where now >= until:
            phase = .live
            actions += [.route(slots: healthySlots, includingPrevious: false), .drainPrevious(grace: settings.draining)]
        default:
            break
        }
        switch phase {
        case .overlapping, .live:
            for index in slots.indices {
                if case .backingOff(let until) = slots[index].state, now >= until {
                    slots[index].state = .starting
                    slots[index].startedAt = now
                    actions.append(.start(slot: index))
                }
            }
        default:
            break
        }
        return actions
    }

    /// The earliest instant something is due: the health deadline, the end of the overlap, a backoff.
    private func nextWake() -> Instant? {
        var candidates: [Instant] = []
        switch phase {
        case .starting(let deadline): candidates.append(deadline)
        case .overlapping(let until): candidates.append(until)
        default: break
        }
        for slot in slots {
            if case .backingOff(let until) = slot.state { candidates.append(until) }
        }
        return candidates.min()
    }
}
