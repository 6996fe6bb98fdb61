import RailyardCore

/// Runs `body`, cancelling it and throwing `RailyardError(.invalidInput, message)` if it has not
/// finished within `limit` (a hung `npm install` must not hold a service's deploy queue forever).
func withDeadline<T: Sendable>(
    _ limit: Duration, message: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw RailyardError(.invalidInput, message)
        }
        return value
    }
}
