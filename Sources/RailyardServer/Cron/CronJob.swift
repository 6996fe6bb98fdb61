import Foundation
import RailyardCore

/// What a `CronScheduler` asks to happen at due times: the server runs a process and records it;
/// tests record the calls.
protocol CronJob: Sendable {
    /// Runs the job for the due time `scheduledAt` to completion, recording its start, end and exit.
    func run(scheduledAt: Date) async
    /// Records a due time that got no run, and why.
    func skip(scheduledAt: Date, because reason: CronTimeline.SkipReason) async
    /// Stops a run in flight (SIGTERM, `grace`, SIGKILL); it is recorded as interrupted.
    func stop(grace: Duration) async
}
