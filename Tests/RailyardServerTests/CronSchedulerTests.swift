import Foundation
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Cron scheduler")
struct CronSchedulerTests {
    /// A job that records what the scheduler asked for; each run lasts until the test ends it.
    actor RecordingJob: CronJob {
        private(set) var started: [Date] = []
        private(set) var ended: [Date] = []
        private(set) var skipped: [(Date, CronTimeline.SkipReason)] = []
        private(set) var stops = 0
        private var gates: [Date: CheckedContinuation<Void, Never>] = [:]

        func run(scheduledAt: Date) async {
            started.append(scheduledAt)
            await withCheckedContinuation { gates[scheduledAt] = $0 }
            ended.append(scheduledAt)
        }

        func skip(scheduledAt: Date, because reason: CronTimeline.SkipReason) async {
            skipped.append((scheduledAt, reason))
        }

        func stop(grace: Duration) async {
            stops += 1
            for gate in gates.values { gate.resume() }
            gates.removeAll()
        }

        /// Ends the run of `scheduledAt`; false while it has not started.
        func end(_ scheduledAt: Date) -> Bool {
            guard let gate = gates.removeValue(forKey: scheduledAt) else { return false }
            gate.resume()
            return true
        }

        var skippedTimes: [Date] { skipped.map(\.0) }
    }

    /// Waits (up to 5 s of real time) until `condition` holds.
    private func until(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<500 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting until \(what)")
    }

    /// 2026-11-25 at `HH:mm` or `HH:mm:ss`, UTC.
    private func at(_ time: String) -> Date {
        let parts = time.split(separator: ":").compactMap { Double($0) }
        let seconds = parts[0] * 3600 + parts[1] * 60 + (parts.count > 2 ? parts[2] : 0)
        return Date(timeIntervalSince1970: 1_795_564_800 + seconds)
    }

    /// A scheduler of `expression` started at `time`, once it sleeps until `firstDue`.
    private func started(
        _ expression: String, at time: String, firstDue: String
    ) async throws -> (ManualCronClock, RecordingJob, CronScheduler) {
        let clock = ManualCronClock(at(time))
        let job = RecordingJob()
        let scheduler = CronScheduler(expression: try CronExpression(expression), clock: clock, job: job)
        await scheduler.start()
        try await until("it sleeps until \(firstDue)") { clock.sleepingUntil == [at(firstDue)] }
        return (clock, job, scheduler)
    }

    @Test("runs at each due time, skips a due time while a run is going, and never drifts")
    func schedule() async throws {
        let (clock, job, scheduler) = try await started("* * * * *", at: "12:00:30", firstDue: "12:01")
        #expect(await job.started.isEmpty)

        // Woken 4 s late: the run is for 12:01, and the next due time is still 12:02 sharp.
        clock.advance(to: at("12:01:04"))
        try await until("the 12:01 run starts") { await job.started == [at("12:01")] }
        try await until("it sleeps until 12:02") { clock.sleepingUntil == [at("12:02")] }

        // 12:02 comes while the 12:01 run still goes: skipped, and said why.
        clock.advance(to: at("12:02"))
        try await until("12:02 is skipped") { await job.skippedTimes == [at("12:02")] }
        #expect(await job.skipped.first?.1 == .stillRunning(since: at("12:01")))
        #expect(await job.started == [at("12:01")])
        try await until("it sleeps until 12:03") { clock.sleepingUntil == [at("12:03")] }

        // The run ends; 12:03 gets a run of its own.
        try await until("the 12:01 run can be ended") { await job.end(at("12:01")) }
        try await until("the scheduler saw it end") { await !scheduler.isRunning }
        clock.advance(to: at("12:03"))
        try await until("the 12:03 run starts") { await job.started == [at("12:01"), at("12:03")] }
        #expect(await job.ended == [at("12:01")])

        // Shutting down stops the run in flight and waits for it; nothing is scheduled after.
        await scheduler.shutdown(grace: .seconds(1))
        #expect(await job.stops == 1)
        #expect(await job.ended == [at("12:01"), at("12:03")])
        clock.advance(to: at("12:10"))
        try await Task.sleep(for: .milliseconds(50))
        #expect(await job.started.count == 2)
        #expect(clock.sleepingUntil.isEmpty)
    }

    @Test("an every-five-minutes schedule wakes on the fives, whenever it was started")
    func firstDueTime() async throws {
        let (clock, job, scheduler) = try await started("*/5 * * * *", at: "12:03:59", firstDue: "12:05")
        clock.advance(to: at("12:05"))
        try await until("the 12:05 run starts") { await job.started == [at("12:05")] }
        try await until("it sleeps until 12:10") { clock.sleepingUntil == [at("12:10")] }
        await scheduler.shutdown(grace: .seconds(1))
    }
}
