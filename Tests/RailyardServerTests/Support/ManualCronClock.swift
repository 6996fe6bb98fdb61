import Foundation
@testable import RailyardServer
import Synchronization

/// A cron clock that moves only when a test says so; sleepers wake when it passes their time.
final class ManualCronClock: CronClock {
    private struct State {
        var now: Date
        var sleepers: [UUID: (until: Date, continuation: CheckedContinuation<Void, any Error>)] = [:]
    }

    private let state: Mutex<State>

    init(_ now: Date) {
        state = Mutex(State(now: now))
    }

    func now() -> Date { state.withLock { $0.now } }

    /// When the sleepers sleep until, earliest first.
    var sleepingUntil: [Date] { state.withLock { $0.sleepers.values.map(\.until).sorted() } }

    func sleep(until date: Date) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancelled before it got here: the cancellation handler found nothing to wake.
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                let ready = state.withLock { state -> Bool in
                    if date <= state.now { return true }
                    state.sleepers[id] = (date, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Sets the time to `date` and wakes everyone sleeping until then.
    func advance(to date: Date) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now = date
            let due = state.sleepers.filter { $0.value.until <= date }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }
}
