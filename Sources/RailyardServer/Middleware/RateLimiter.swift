import Foundation
import Synchronization

/// Counts requests per client in fixed windows and says when a client is over its budget.
///
/// In memory and per process; the table holds at most `capacity` clients — when full, expired
/// windows are dropped first, then the oldest ones.
final class RateLimiter: Sendable {
    /// What the limiter decided for one request.
    enum Decision: Equatable {
        case allowed(remaining: Int)
        /// Over budget; the window resets in this many seconds.
        case limited(retryAfter: Int)
    }

    private struct Window {
        var start: Double
        var count: Int
    }

    let rule: RateLimitRule
    private let capacity: Int
    private let now: @Sendable () -> Double
    private let table = Mutex<[String: Window]>([:])

    /// A limiter enforcing `rule`, remembering at most `capacity` clients.
    init(rule: RateLimitRule, capacity: Int, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.rule = rule
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// Counts one request from `client` and decides whether it may proceed.
    func record(_ client: String) -> Decision {
        let now = now()
        let window = Double(rule.window)
        return table.withLock { table in
            if var entry = table[client], now < entry.start + window {
                entry.count += 1
                table[client] = entry
                if entry.count > rule.limit {
                    return .limited(retryAfter: max(1, Int((entry.start + window - now).rounded(.up))))
                }
                return .allowed(remaining: rule.limit - entry.count)
            }
            if table[client] == nil, table.count >= capacity {
                Self.evict(from: &table, now: now, window: window, capacity: capacity)
            }
            table[client] = Window(start: now, count: 1)
            return .allowed(remaining: rule.limit - 1)
        }
    }

    /// How many clients are remembered (for tests).
    var count: Int { table.withLock { $0.count } }

    private static func evict(from table: inout [String: Window], now: Double, window: Double, capacity: Int) {
        table = table.filter { now < $0.value.start + window }
        guard table.count >= capacity else { return }
        // Still full of live windows: drop the oldest tenth, so this O(n) pass is rare.
        let excess = table.count - capacity + max(1, capacity / 10)
        let oldest = table.sorted { $0.value.start < $1.value.start }.prefix(excess).map(\.key)
        for key in oldest { table[key] = nil }
    }
}
