import RailyardClient
import RailyardCore

/// Follows one deployment until it ends: its build log as it grows (long-polling the server),
/// then its status, reporting each status change. The I/O comes in as closures, so the tests
/// drive it with a scripted server.
struct DeploymentFollower {
    /// Fetches the deployment's current state.
    var fetchDeployment: () async throws -> Deployment
    /// Fetches build log text past an offset, waiting up to the given seconds for some.
    var fetchBuildLog: (_ offset: Int64, _ wait: Int) async throws -> LogChunk
    /// Writes build log text as it arrives.
    var writeLog: (String) -> Void
    /// Writes a line about the deployment (a status change).
    var note: (String) -> Void
    /// Pauses between status polls, and after a log request that came back empty at once.
    var sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// How long to pause between status polls.
    var pollInterval: Duration = .milliseconds(500)
    /// How long one log request may wait on the server.
    var logWait = 10

    /// A follower of `deploymentId` in `projectId` through `client`.
    static func live(
        client: RailyardClient, projectId: String, deploymentId: String,
        writeLog: @escaping (String) -> Void, note: @escaping (String) -> Void
    ) -> DeploymentFollower {
        DeploymentFollower(
            fetchDeployment: { try await client.deployment(projectId: projectId, id: deploymentId) },
            fetchBuildLog: { offset, wait in
                try await client.deploymentLogs(
                    projectId: projectId, deploymentId: deploymentId, stream: .build, offset: offset, wait: wait
                )
            },
            writeLog: writeLog,
            note: note
        )
    }

    /// Follows from `initial` until the deployment is no longer in progress; returns its last state.
    func follow(from initial: Deployment) async throws -> Deployment {
        var current = initial
        note(Self.statusLine(current))
        var offset: Int64 = 0
        var logDone = false
        while !logDone {
            let started = ContinuousClock.now
            let chunk = try await buildLog(offset: offset, wait: current.status.isInProgress ? logWait : 0)
            if !chunk.text.isEmpty { writeLog(chunk.text) }
            offset = chunk.nextOffset
            current = try await observe(current)
            logDone = chunk.complete || (!current.status.isInProgress && chunk.text.isEmpty)
            if !logDone, chunk.text.isEmpty, ContinuousClock.now - started < pollInterval {
                try await sleep(pollInterval)
            }
        }
        while current.status.isInProgress {
            try await sleep(pollInterval)
            current = try await observe(current)
        }
        return current
    }

    /// The build log past `offset`; an empty, unfinished chunk while the server has no log yet (404).
    private func buildLog(offset: Int64, wait: Int) async throws -> LogChunk {
        do {
            return try await fetchBuildLog(offset, wait)
        } catch let error as RailyardClientError where error.status == 404 {
            return LogChunk(text: "", nextOffset: offset, complete: false)
        }
    }

    /// Fetches the deployment and notes a status change.
    private func observe(_ previous: Deployment) async throws -> Deployment {
        let current = try await fetchDeployment()
        if current.status != previous.status { note(Self.statusLine(current)) }
        return current
    }

    /// `Status: BUILDING`.
    static func statusLine(_ deployment: Deployment) -> String {
        "Status: \(deployment.status.rawValue)"
    }
}
