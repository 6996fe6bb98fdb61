import Foundation

/// One due time of a cron service: the run it got (its start, end, exit code and log), or why it
/// got none (`railyard cron runs`, `GET …/services/{id}/cron-runs`).
public struct CronRun: Codable, Sendable, Equatable {
    public var id: String
    public var serviceId: String
    public var environmentId: String
    /// The deployment whose release ran (the live one at the time).
    public var deploymentId: String
    /// The due time, on the minute, in UTC.
    public var scheduledAt: Date
    /// When its process started; nil for a skipped due time or a run that could not start.
    public var startedAt: Date?
    public var endedAt: Date?
    /// The process's exit code; nil while it runs, when it was killed by a signal, or when it never ran.
    public var exitCode: Int?
    public var status: CronRunStatus
    /// Why it was skipped, failed or interrupted, in words.
    public var detail: String?

    public init(
        id: String, serviceId: String, environmentId: String, deploymentId: String, scheduledAt: Date, startedAt: Date? = nil,
        endedAt: Date? = nil, exitCode: Int? = nil, status: CronRunStatus, detail: String? = nil
    ) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.deploymentId = deploymentId
        self.scheduledAt = scheduledAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitCode = exitCode
        self.status = status
        self.detail = detail
    }
}

/// Where a cron run is: going, ended (succeeded: exit 0; failed: anything else), skipped (the
/// previous run was still going), or interrupted (stopped by a new deployment, `down`, or a restart
/// of the server).
public enum CronRunStatus: String, Codable, Sendable, CaseIterable {
    case running
    case succeeded
    case failed
    case skipped
    case interrupted
}
