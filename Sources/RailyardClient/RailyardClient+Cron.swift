import RailyardCore

extension RailyardClient {
    /// `GET …/services/{serviceId}/cron-runs`: the service's cron runs in one environment (skipped due
    /// times too), newest due time first.
    public func cronRuns(projectId: String, environmentId: String, serviceId: String, limit: Int = 20) async throws -> [CronRun] {
        try await send(
            .GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/cron-runs", query: ["limit": String(limit)]
        )
    }

    /// `GET /api/v1/projects/{projectId}/cron-runs/{runId}/logs`: the run's output past `offset`,
    /// waiting up to `wait` seconds (at most ``maxLogWait``) for some to appear while it runs.
    public func cronRunLogs(projectId: String, runId: String, offset: Int64 = 0, wait: Int = 0) async throws -> LogChunk {
        let wait = min(max(wait, 0), Self.maxLogWait)
        return try await send(
            .GET, Self.projectPath(projectId) + "/cron-runs/\(Self.segment(runId))/logs",
            query: ["offset": String(offset), "wait": String(wait)], timeout: .seconds(Int64(wait) + 30)
        )
    }
}
