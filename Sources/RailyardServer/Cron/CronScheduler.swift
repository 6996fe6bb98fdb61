import Foundation
import Logging
import RailyardCore

/// Follows one cron release's schedule: sleeps until each due time, then does what its
/// `CronTimeline` decides — starts a run, or records the due time as skipped while a run is still
/// going. One per live cron release; shut down when the release is removed.
actor CronScheduler {
    private var timeline: CronTimeline
    private let clock: any CronClock
    private let job: any CronJob
    private var loop: Task<Void, Never>?
    /// The run going now, until it has been recorded as ended.
    private var current: Task<Void, Never>?
    private var stopped = false

    init(expression: CronExpression, clock: any CronClock, job: any CronJob) {
        self.timeline = CronTimeline(expression: expression, startingAfter: clock.now())
        self.clock = clock
        self.job = job
    }

    /// The next due time not yet acted on.
    var nextDue: Date { timeline.nextDue }
    /// Whether a run is going now.
    var isRunning: Bool { timeline.running != nil }

    /// Starts following the schedule (from the first due time after the scheduler was made).
    func start() {
        guard loop == nil, !stopped else { return }
        loop = Task { await self.follow() }
    }

    /// Stops following the schedule, then stops a run in flight and waits until it is recorded.
    func shutdown(grace: Duration) async {
        stopped = true
        loop?.cancel()
        loop = nil
        if current != nil { await job.stop(grace: grace) }
        await current?.value
    }

    private func follow() async {
        while !stopped {
            for action in timeline.advance(to: clock.now()) {
                await perform(action)
            }
            do {
                try await clock.sleep(until: timeline.nextDue)
            } catch {
                return
            }
        }
    }

    private func perform(_ action: CronTimeline.Action) async {
        guard !stopped else { return }
        switch action {
        case .start(let scheduledAt):
            current = Task { [job] in
                await job.run(scheduledAt: scheduledAt)
                await self.ended()
            }
        case .skip(let scheduledAt, let reason):
            await job.skip(scheduledAt: scheduledAt, because: reason)
        }
    }

    private func ended() {
        timeline.runEnded()
        current = nil
    }
}
