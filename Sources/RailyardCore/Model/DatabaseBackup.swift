import Foundation

/// One backup of a database service in an environment: a dump (`pg_dump`, `mysqldump`,
/// `mongodump`) or a copy of Redis's RDB, kept as a file in the server's data dir.
public struct DatabaseBackup: Codable, Sendable, Equatable, Identifiable {
    public enum Status: String, Codable, Sendable {
        case running = "RUNNING"
        case success = "SUCCESS"
        case failed = "FAILED"
    }

    /// What started it.
    public enum Trigger: String, Codable, Sendable {
        case manual
        case schedule
    }

    public var id: String
    public var serviceId: String
    public var environmentId: String
    public var engine: DatabaseEngine
    public var status: Status
    public var trigger: Trigger
    /// The file's size once it is made.
    public var sizeBytes: Int?
    /// Why it failed, in a line.
    public var detail: String?
    public var createdAt: Date
    public var finishedAt: Date?

    public init(
        id: String, serviceId: String, environmentId: String, engine: DatabaseEngine, status: Status, trigger: Trigger,
        sizeBytes: Int? = nil, detail: String? = nil, createdAt: Date, finishedAt: Date? = nil
    ) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.engine = engine
        self.status = status
        self.trigger = trigger
        self.sizeBytes = sizeBytes
        self.detail = detail
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// When a database service is backed up on its own, and how many backups are kept.
public struct DatabaseBackupPolicy: Codable, Sendable, Equatable {
    /// The newest backups kept (successful ones; older are deleted with their files) when none is set.
    public static let defaultRetain = 7
    /// The most that may be kept.
    public static let maxRetain = 1000

    /// A 5-field cron expression in UTC (`0 3 * * *`: daily at 03:00), or nil for on-demand only.
    public var schedule: String?
    /// How many successful backups are kept.
    public var retain: Int

    public init(schedule: String? = nil, retain: Int = DatabaseBackupPolicy.defaultRetain) {
        self.schedule = schedule
        self.retain = retain
    }

    /// Checks the schedule parses and the count is in 1…maxRetain.
    public func validate() throws(RailyardError) {
        if let schedule {
            do {
                _ = try CronExpression(schedule)
            } catch {
                throw .invalid("schedule", "schedule '\(schedule)' is not a cron expression: \(error); e.g. \"0 3 * * *\" for daily at 03:00 UTC")
            }
        }
        guard (1...Self.maxRetain).contains(retain) else {
            throw .invalid("retain", "retain must keep from 1 to \(Self.maxRetain) backups (got \(retain))")
        }
    }
}

/// `PUT …/services/{serviceId}/backup-policy`: both keys optional; a left-out key keeps its value,
/// and `"schedule": ""` turns scheduled backups off.
public struct UpdateBackupPolicyRequest: Codable, Sendable {
    public var schedule: String?
    public var retain: Int?

    public init(schedule: String? = nil, retain: Int? = nil) {
        self.schedule = schedule
        self.retain = retain
    }
}

/// `POST …/services/{serviceId}/backups/restore`: a backup of this service, or of another database
/// service of the same engine in the project, restored into this one.
public struct RestoreBackupRequest: Codable, Sendable {
    public var backupId: String

    public init(backupId: String) {
        self.backupId = backupId
    }
}

/// What `POST …/backups/restore` answers: the backup restored, and for Redis (restored while
/// stopped) the deployment that starts it again.
public struct RestoredBackup: Codable, Sendable {
    public var backup: DatabaseBackup
    public var deployment: Deployment?

    public init(backup: DatabaseBackup, deployment: Deployment?) {
        self.backup = backup
        self.deployment = deployment
    }
}
