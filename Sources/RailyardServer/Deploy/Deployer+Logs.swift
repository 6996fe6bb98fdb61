import Foundation
import RailyardCore

/// Runtime logs beyond one deployment: search across a service's deployments, and retention by age
/// and size.
extension Deployer {
    /// The lines of the service's runtime logs in `environment` containing `query`, from deployments
    /// alive in [since, until] (lines carry no time of their own), newest deployment first, at most
    /// `limit`.
    func searchLogs(
        service: Service, environment: RailyardCore.Environment, query: String, since: Date, until: Date, limit: Int
    ) async throws -> LogSearchResult {
        var matches: [LogMatch] = []
        var truncated = false
        for deployment in try await store.deployments(serviceId: service.id, environmentId: environment.id, limit: 1000)
        where deployment.createdAt <= until && (deployment.status.isLive || deployment.updatedAt >= since) {
            let path = layout.runtimeLog(deployment.id).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let marks = try await store.logMarks(deploymentId: deployment.id)
            // Read off the deployer's actor: a big log must not hold up deploys.
            let wanted = limit - matches.count + 1
            let lines = await Task.detached { LogSearchResult.matching(query, inFile: path, limit: wanted) }.value
            for found in lines {
                let at = LogSearchResult.time(ofLineEndingAt: found.end, marks: marks)
                // A line with a time is kept when it falls in the span; one without, as its deployment did.
                if let at, at < since || at > until { continue }
                guard matches.count < limit else {
                    truncated = true
                    break
                }
                matches.append(LogMatch(
                    deploymentId: deployment.id, deploymentCreatedAt: deployment.createdAt, line: found.line, text: found.text, at: at
                ))
            }
            if truncated { break }
        }
        return LogSearchResult(matches: matches, truncated: truncated)
    }

    /// Deletes the logs (runtime and build) of deployments that no longer run once they are older
    /// than `age`, then the oldest of them while a service's logs in an environment take more than
    /// `maxBytes`. Logs of live deployments are kept whole.
    func pruneLogs(age: TimeInterval, maxBytes: Int64, now: Date = Date()) async {
        guard let deployments = try? await store.allDeploymentsForRetention() else { return }
        let groups = Dictionary(grouping: deployments) { "\($0.serviceId)/\($0.environmentId)" }
        for (_, list) in groups {
            var total: Int64 = 0
            var candidates: [(Deployment, Int64)] = []
            for deployment in list.sorted(by: { $0.createdAt > $1.createdAt }) {
                let size = logSize(deployment.id)
                total += size
                guard !deployment.status.isLive, !deployment.status.isInProgress, size > 0 else { continue }
                if now.timeIntervalSince(deployment.updatedAt) > age {
                    await deleteLogs(deployment.id)
                    total -= size
                } else {
                    candidates.append((deployment, size))
                }
            }
            for (deployment, size) in candidates.reversed() where total > maxBytes {
                await deleteLogs(deployment.id)
                total -= size
            }
        }
    }

    private func logSize(_ deploymentId: String) -> Int64 {
        [layout.runtimeLog(deploymentId), layout.buildLog(deploymentId)].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    private func deleteLogs(_ deploymentId: String) async {
        try? FileManager.default.removeItem(at: layout.runtimeLog(deploymentId))
        try? FileManager.default.removeItem(at: layout.buildLog(deploymentId))
        try? await store.deleteLogMarks(deploymentId: deploymentId)
    }

    /// Notes how long each live release's runtime log is now, when it grew and `gap` passed since the
    /// last note (how precisely a line's time is known), so searches can tell when a line was written.
    func markLogs(every gap: TimeInterval, now: Date = Date()) async {
        var marks: [(deploymentId: String, offset: Int64)] = []
        var unknown: [(deploymentId: String, offset: Int64)] = []
        for id in runners.keys {
            let size = (try? FileManager.default.attributesOfItem(atPath: layout.runtimeLog(id).path)[.size] as? NSNumber)?.int64Value ?? 0
            guard let last = loggedSizes[id] else {
                // First sight since this server started: what is there was written while none watched.
                loggedSizes[id] = (size, now)
                if size > 0 { unknown.append((id, size)) }
                continue
            }
            guard size != last.size, now.timeIntervalSince(last.at) >= gap else { continue }
            loggedSizes[id] = (size, now)
            marks.append((id, size))
        }
        loggedSizes = loggedSizes.filter { runners[$0.key] != nil }
        try? await store.recordLogMarks(unknown, at: LogSearchResult.unknownTime)
        try? await store.recordLogMarks(marks, at: now)
    }


    /// Prunes every `interval` until cancelled.
    func runLogRetention(age: TimeInterval, maxBytes: Int64, every interval: Duration = .seconds(600)) async {
        while !Task.isCancelled {
            await pruneLogs(age: age, maxBytes: maxBytes)
            try? await Task.sleep(for: interval)
        }
    }
}
