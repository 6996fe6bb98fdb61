import RailyardCore
import Testing

@testable import RailyardRuntime

/// The supervisor's decisions, driven by hand with an injected clock: no processes, no sleeping.
@Suite("Supervision: the supervisor's decisions as a pure state machine")
struct SupervisionTests {
    /// A clock the test moves by hand.
    struct Clock {
        var now = ContinuousClock.now
        mutating func advance(_ duration: Duration) { now = now + duration }
    }

    @Test("healthy → promote → overlap → drain")
    func promoteOverlapDrain() {
        var clock = Clock()
        var supervision = Supervision(settings: .init(replicas: 2, healthTimeout: .seconds(30), overlap: .seconds(10), draining: .seconds(4)))
        let start = clock.now
        #expect(supervision.handle(.begin, at: clock.now) == [.start(slot: 0), .start(slot: 1), .wake(at: start + .seconds(30))])
        clock.advance(.seconds(2))
        #expect(supervision.handle(.healthy(slot: 1), at: clock.now) == [.wake(at: start + .seconds(30))], "traffic waits for every replica")
        clock.advance(.seconds(1))
        let promoted = supervision.handle(.healthy(slot: 0), at: clock.now)
        #expect(promoted == [.route(slots: [0, 1], includingPrevious: true), .markSuccess, .wake(at: clock.now + .seconds(10))])
        #expect(supervision.phase == .overlapping(until: clock.now + .seconds(10)))
        clock.advance(.seconds(5))
        #expect(supervision.handle(.tick, at: clock.now) == [.wake(at: clock.now + .seconds(5))], "both serve until the overlap ends")
        clock.advance(.seconds(5))
        #expect(supervision.handle(.tick, at: clock.now) == [.route(slots: [0, 1], includingPrevious: false), .drainPrevious(grace: .seconds(4))])
        #expect(supervision.phase == .live)
    }

    @Test("without overlap the previous deployment drains as traffic moves")
    func noOverlap() {
        let clock = Clock()
        var supervision = Supervision(settings: .init(draining: .seconds(7)))
        _ = supervision.handle(.begin, at: clock.now)
        #expect(supervision.handle(.healthy(slot: 0), at: clock.now) == [
            .route(slots: [0], includingPrevious: false), .markSuccess, .drainPrevious(grace: .seconds(7)),
        ])
    }

    @Test("unhealthy → fail, and the previous deployment is never touched")
    func unhealthyFails() {
        var clock = Clock()
        var supervision = Supervision(settings: .init(replicas: 2, healthTimeout: .seconds(20)))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        clock.advance(.seconds(20))
        let actions = supervision.handle(.tick, at: clock.now)
        #expect(actions == [
            .stop(slot: 0, grace: .seconds(2)), .stop(slot: 1, grace: .seconds(2)),
            .markFailed(reason: "replica 2 did not become healthy within 20.0 seconds (deploy.healthcheckTimeout)"),
        ])
        #expect(!actions.contains { if case .route = $0 { true } else { false } })
        #expect(!actions.contains(.drainPrevious(grace: .seconds(5))))
        #expect(supervision.handle(.healthy(slot: 1), at: clock.now).isEmpty, "a late health check changes nothing")
    }

    @Test("a replica that exits before it is healthy fails the deployment")
    func exitWhileStarting() {
        let clock = Clock()
        var supervision = Supervision(settings: .init())
        _ = supervision.handle(.begin, at: clock.now)
        #expect(supervision.handle(.exited(slot: 0, .exited(3)), at: clock.now) == [
            .stop(slot: 0, grace: .seconds(2)), .markFailed(reason: "replica 1 exited with status 3 before it became healthy"),
        ])
    }

    @Test("the pre-deploy command runs first; its failure fails the deployment before any replica starts")
    func preDeploy() {
        let clock = Clock()
        var failing = Supervision(settings: .init(hasPreDeploy: true))
        #expect(failing.handle(.begin, at: clock.now) == [.runPreDeploy])
        #expect(failing.handle(.preDeployFinished(succeeded: false, detail: "exited with status 1"), at: clock.now) == [
            .markFailed(reason: "the pre-deploy command failed: exited with status 1"),
        ])
        var passing = Supervision(settings: .init(healthTimeout: .seconds(5), hasPreDeploy: true))
        _ = passing.handle(.begin, at: clock.now)
        #expect(passing.handle(.preDeployFinished(succeeded: true, detail: ""), at: clock.now) == [.start(slot: 0), .wake(at: clock.now + .seconds(5))])
    }

    @Test("crash → backoff → restart, doubling, then CRASHED after the retries")
    func crashLoop() {
        var clock = Clock()
        let policy = RestartPolicy(kind: .onFailure, maxRetries: 3, initialBackoff: .seconds(1), maxBackoff: .seconds(60))
        var supervision = Supervision(settings: .init(restart: policy))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        var delays: [Duration] = []
        for _ in 1...3 {
            clock.advance(.milliseconds(500))
            let actions = supervision.handle(.exited(slot: 0, .exited(1)), at: clock.now)
            #expect(actions.first == .route(slots: [], includingPrevious: false), "a dead replica leaves the route at once")
            guard case .backingOff(let until) = supervision.slots[0].state else {
                Issue.record("expected a backoff, got \(supervision.slots[0].state)")
                return
            }
            delays.append(until - clock.now)
            #expect(actions.last == .wake(at: until))
            #expect(supervision.handle(.tick, at: until - .milliseconds(1)).allSatisfy { if case .wake = $0 { true } else { false } }, "nothing starts early")
            clock.now = until
            #expect(supervision.handle(.tick, at: clock.now) == [.start(slot: 0)])
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4)])
        clock.advance(.milliseconds(500))
        let crashed = supervision.handle(.exited(slot: 0, .exited(1)), at: clock.now)
        let reason = "the replica exited with status 1 and was restarted 3 times in a row (restartPolicyMaxRetries = 3)"
        #expect(crashed == [.route(slots: [], includingPrevious: false), .markCrashed(reason: reason)])
        #expect(supervision.phase == .crashed(reason: reason))
        clock.advance(.seconds(3600))
        #expect(supervision.handle(.tick, at: clock.now).isEmpty, "a crashed service is not woken again: it costs no CPU")
    }

    @Test("a replica that ran stably starts its count again")
    func stableResets() {
        var clock = Clock()
        let policy = RestartPolicy(kind: .onFailure, maxRetries: 1, initialBackoff: .seconds(1), stableAfter: .seconds(60))
        var supervision = Supervision(settings: .init(restart: policy))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        for _ in 1...3 {
            clock.advance(.seconds(120))
            _ = supervision.handle(.exited(slot: 0, .signaled(9)), at: clock.now)
            guard case .backingOff(let until) = supervision.slots[0].state else {
                Issue.record("a replica that ran 2 minutes must be restarted, got \(supervision.slots[0].state)")
                return
            }
            #expect(until - clock.now == .seconds(1))
            clock.now = until
            _ = supervision.handle(.tick, at: clock.now)
            _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        }
    }

    @Test("restart policies", arguments: [
        (ServiceConfig.RestartPolicyType.never, ReplicaExit.exited(1), "stop"),
        (.onFailure, .exited(0), "stop"),
        (.onFailure, .exited(2), "restart"),
        (.onFailure, .signaled(9), "restart"),
        (.always, .exited(0), "restart"),
    ])
    func policies(kind: ServiceConfig.RestartPolicyType, exit: ReplicaExit, expected: String) {
        let decision = RestartPolicy(kind: kind).decide(exit, upFor: .seconds(1), restartsInARow: 0)
        switch decision {
        case .restart: #expect(expected == "restart", "\(kind) \(exit)")
        case .stop: #expect(expected == "stop", "\(kind) \(exit)")
        case .crashed: Issue.record("\(kind) \(exit) crashed on the first exit")
        }
    }

    @Test("ALWAYS never gives up, but its backoff is capped so a crash loop stays cheap")
    func alwaysCapped() {
        let policy = RestartPolicy(kind: .always, maxRetries: 2, initialBackoff: .seconds(1), maxBackoff: .seconds(300))
        #expect(policy.decide(.exited(1), upFor: .zero, restartsInARow: 50) == .restart(after: .seconds(300), attempt: 51))
        #expect(policy.backoff(forAttempt: 1) == .seconds(1))
        #expect(policy.backoff(forAttempt: 9) == .seconds(256))
        #expect(policy.backoff(forAttempt: 10) == .seconds(300))
    }

    @Test("with several replicas, one crashing leaves the others serving; the deployment crashes only when none is left")
    func partialCrash() {
        let clock = Clock()
        var supervision = Supervision(settings: .init(replicas: 2, restart: RestartPolicy(kind: .never)))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        _ = supervision.handle(.healthy(slot: 1), at: clock.now)
        #expect(supervision.handle(.exited(slot: 0, .exited(1)), at: clock.now) == [.route(slots: [1], includingPrevious: false)])
        let last = supervision.handle(.exited(slot: 1, .exited(1)), at: clock.now)
        #expect(last.contains(.markCrashed(reason: "the replica exited with status 1 and the restart policy is NEVER")))
    }

    @Test("scaling adds replicas that join the route once healthy, and removes the highest first")
    func scaling() {
        let clock = Clock()
        var supervision = Supervision(settings: .init(replicas: 1, draining: .seconds(3)))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        #expect(supervision.handle(.scale(to: 3), at: clock.now) == [.start(slot: 1), .start(slot: 2)])
        #expect(supervision.handle(.healthy(slot: 2), at: clock.now) == [.route(slots: [0, 2], includingPrevious: false)])
        #expect(supervision.handle(.scale(to: 1), at: clock.now) == [
            .route(slots: [0], includingPrevious: false), .stop(slot: 2, grace: .seconds(3)), .stop(slot: 1, grace: .seconds(3)),
        ])
        #expect(supervision.slots.count == 1)
    }

    @Test("after a server restart, running replicas are adopted and serve on; missing ones start")
    func adoption() {
        let clock = Clock()
        var supervision = Supervision(settings: .init(replicas: 3, hasPreDeploy: true))
        #expect(supervision.handle(.adopt(healthy: 2), at: clock.now) == [
            .route(slots: [0, 1], includingPrevious: false), .markSuccess, .start(slot: 2),
        ], "no pre-deploy and no draining for a release that was already live")
        #expect(supervision.phase == .live)
        #expect(supervision.handle(.healthy(slot: 2), at: clock.now) == [.route(slots: [0, 1, 2], includingPrevious: false)])
        // An adopted replica's exit status is unknown: it counts as a failure and is restarted.
        let actions = supervision.handle(.exited(slot: 0, .unknown), at: clock.now)
        #expect(actions.first == .route(slots: [1, 2], includingPrevious: false))
        guard case .backingOff = supervision.slots[0].state else {
            Issue.record("an adopted replica that ended must be restarted, got \(supervision.slots[0].state)")
            return
        }
    }

    @Test("restart starts every replica anew, from live or crashed")
    func restart() {
        let clock = Clock()
        var supervision = Supervision(settings: .init(replicas: 2, draining: .seconds(2), restart: RestartPolicy(kind: .never)))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        _ = supervision.handle(.healthy(slot: 1), at: clock.now)
        _ = supervision.handle(.exited(slot: 1, .exited(1)), at: clock.now)
        #expect(supervision.handle(.restart, at: clock.now) == [
            .route(slots: [], includingPrevious: false), .stop(slot: 0, grace: .seconds(2)), .start(slot: 0), .start(slot: 1),
        ])
        #expect(supervision.handle(.healthy(slot: 1), at: clock.now) == [.route(slots: [1], includingPrevious: false)])
    }

    @Test("a CRASHED deployment restarted or scaled up is marked live again once a replica is healthy")
    func recoverFromCrash() {
        let clock = Clock()
        var supervision = Supervision(settings: .init(restart: RestartPolicy(kind: .never)))
        _ = supervision.handle(.begin, at: clock.now)
        _ = supervision.handle(.healthy(slot: 0), at: clock.now)
        #expect(supervision.handle(.exited(slot: 0, .exited(1)), at: clock.now).contains(.markCrashed(reason: "the replica exited with status 1 and the restart policy is NEVER")))
        #expect(supervision.handle(.restart, at: clock.now) == [.route(slots: [], includingPrevious: false), .start(slot: 0)])
        #expect(supervision.handle(.healthy(slot: 0), at: clock.now) == [.route(slots: [0], includingPrevious: false), .markSuccess])
        #expect(supervision.phase == .live)
        // Crashed again, then scaled up: the new replica brings it back too.
        _ = supervision.handle(.exited(slot: 0, .exited(1)), at: clock.now)
        #expect(supervision.handle(.scale(to: 2), at: clock.now) == [.start(slot: 1)])
        #expect(supervision.handle(.exited(slot: 1, .exited(1)), at: clock.now) == [.route(slots: [], includingPrevious: false)],
                "a scaled replica that dies while crashed is handled, not ignored, and not marked crashed twice")
    }

    @Test("a wait status decodes to an exit code or a signal")
    func waitStatus() {
        #expect(ReplicaExit(waitStatus: 3 << 8) == .exited(3))
        #expect(ReplicaExit(waitStatus: 9) == .signaled(9))
        #expect(ReplicaExit(waitStatus: 0).isSuccess)
    }
}

@Suite("Supervision: sleeping and waking (sleepApplication)")
struct SupervisionSleepTests {
    func live(replicas: Int = 2) -> (Supervision, ContinuousClock.Instant) {
        let now = ContinuousClock.now
        var supervision = Supervision(settings: .init(replicas: replicas, draining: .seconds(3)))
        _ = supervision.handle(.begin, at: now)
        for slot in 0..<replicas { _ = supervision.handle(.healthy(slot: slot), at: now) }
        return (supervision, now)
    }

    @Test("sleep stops every replica and routes to the sleeping page; a wake starts them and the first healthy one takes traffic")
    func sleepAndWake() {
        var (supervision, now) = live()
        #expect(supervision.handle(.sleep, at: now) == [.routeSleeping, .stop(slot: 0, grace: .seconds(3)), .stop(slot: 1, grace: .seconds(3)), .markSleeping])
        #expect(supervision.phase == .sleeping)
        #expect(supervision.handle(.exited(slot: 0, .signaled(15)), at: now).isEmpty, "the stops it asked for are no crash")
        #expect(supervision.handle(.sleep, at: now).isEmpty, "asleep already")
        now = now + .seconds(600)
        #expect(supervision.handle(.wakeUp, at: now) == [.start(slot: 0), .start(slot: 1)])
        #expect(supervision.handle(.wakeUp, at: now).isEmpty, "one wake at a time")
        #expect(supervision.handle(.healthy(slot: 1), at: now) == [.route(slots: [1], includingPrevious: false), .markSuccess])
        #expect(supervision.handle(.healthy(slot: 0), at: now) == [.route(slots: [0, 1], includingPrevious: false)])
        #expect(supervision.phase == .live)
    }

    @Test("only a live release sleeps; a scale while asleep applies at the wake; a restart wakes it")
    func edges() {
        var starting = Supervision(settings: .init())
        _ = starting.handle(.begin, at: .now)
        #expect(!starting.handle(.sleep, at: .now).contains(.routeSleeping), "a release still starting does not sleep")
        #expect(starting.phase != .sleeping)
        var (supervision, now) = live(replicas: 1)
        _ = supervision.handle(.sleep, at: now)
        #expect(supervision.handle(.scale(to: 3), at: now).isEmpty)
        #expect(supervision.handle(.restart, at: now) == [.start(slot: 0), .start(slot: 1), .start(slot: 2)])
    }

    @Test("a release asleep when the server stopped comes back asleep: routed to the sleeping page, nothing started, the first request wakes it")
    func resumeAsleep() {
        let now = ContinuousClock.now
        var supervision = Supervision(settings: .init(replicas: 2, draining: .seconds(3)))
        #expect(supervision.handle(.resumeAsleep, at: now) == [.routeSleeping])
        #expect(supervision.phase == .sleeping)
        #expect(supervision.handle(.sleep, at: now).isEmpty && supervision.handle(.resumeAsleep, at: now).isEmpty)
        #expect(supervision.handle(.wakeUp, at: now) == [.start(slot: 0), .start(slot: 1)])
        #expect(supervision.handle(.healthy(slot: 0), at: now) == [.route(slots: [0], includingPrevious: false), .markSuccess])
        var live = Supervision(settings: .init())
        _ = live.handle(.begin, at: now)
        #expect(!live.handle(.resumeAsleep, at: now).contains(.routeSleeping), "only a release just made resumes asleep")
        #expect(live.phase != .sleeping)
    }

    @Test("a woken replica that crashes leaves the deployment CRASHED, which ends the wait with a 503")
    func wakeThenCrash() {
        var (supervision, now) = live(replicas: 1)
        _ = supervision.handle(.sleep, at: now)
        _ = supervision.handle(.wakeUp, at: now)
        now = now + .seconds(1)
        let actions = supervision.handle(.exited(slot: 0, .exited(1)), at: now)
        #expect(actions.first == .route(slots: [], includingPrevious: false))
    }
}

@Suite("Sleep timer: when a quiet release sleeps, on an injected clock")
struct SleepTimerTests {
    @Test("quiet counts from the last request, never from before the release went live; only a live release is due")
    func due() {
        let start = ContinuousClock.now
        var timer = SleepTimer()
        let after = Duration.seconds(600)
        #expect(!timer.isDue(after: after, at: start + .seconds(9999), sinceLastRequest: nil), "not live yet")
        timer.wokeUp(at: start)
        #expect(timer.quiet(at: start + .seconds(30), sinceLastRequest: .seconds(5)) == .seconds(5))
        #expect(!timer.isDue(after: after, at: start + .seconds(599), sinceLastRequest: nil), "no request since it went live: counts from then")
        #expect(timer.isDue(after: after, at: start + .seconds(600), sinceLastRequest: nil))
        // A fresh deployment of a service whose last request was a day ago is not put to sleep at once.
        #expect(timer.quiet(at: start + .seconds(60), sinceLastRequest: .seconds(86_400)) == .seconds(60))
        #expect(!timer.isDue(after: after, at: start + .seconds(60), sinceLastRequest: .seconds(86_400)))
        #expect(timer.isDue(after: after, at: start + .seconds(1200), sinceLastRequest: .seconds(601)))
        #expect(!timer.isDue(after: after, at: start + .seconds(1200), sinceLastRequest: .seconds(599)), "a request 599 s ago keeps it awake")
        timer.stopped()
        #expect(timer.quiet(at: start + .seconds(5000), sinceLastRequest: nil) == nil, "asleep: nothing to count")
        timer.wokeUp(at: start + .seconds(5000))
        #expect(!timer.isDue(after: after, at: start + .seconds(5100), sinceLastRequest: .seconds(4000)), "woken: the quiet period starts over")
    }
}
