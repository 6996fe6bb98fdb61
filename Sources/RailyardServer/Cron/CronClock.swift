import Foundation

/// Wall-clock time as cron schedules see it, injected so tests can move it by hand.
protocol CronClock: Sendable {
    /// The time now.
    func now() -> Date
    /// Returns once `date` has come (or at once when it has), or throws when the task is cancelled.
    func sleep(until date: Date) async throws
}

/// The machine's clock. Sleeps in slices of at most 30 s and looks at the time again after each, so
/// a clock set forward or back (NTP) moves the wake-up with it.
struct SystemCronClock: CronClock {
    func now() -> Date { Date() }

    func sleep(until date: Date) async throws {
        while true {
            let left = date.timeIntervalSinceNow
            if left <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int(min(left, 30) * 1000) + 1))
        }
    }
}
