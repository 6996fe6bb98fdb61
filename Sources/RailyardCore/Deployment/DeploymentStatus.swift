/// Where a deployment is in its life, with Railway's names so its users need no dictionary.
///
/// The happy path is QUEUED → INITIALIZING → BUILDING → DEPLOYING → SUCCESS; a running deployment
/// may later crash, sleep, or be removed. Which moves are legal is decided by ``canMove(to:)`` alone.
public enum DeploymentStatus: String, Codable, Sendable, CaseIterable {
    case queued = "QUEUED"
    case initializing = "INITIALIZING"
    case building = "BUILDING"
    case deploying = "DEPLOYING"
    case success = "SUCCESS"
    case failed = "FAILED"
    case crashed = "CRASHED"
    case sleeping = "SLEEPING"
    case removing = "REMOVING"
    case removed = "REMOVED"

    /// The statuses each status may move to.
    static let moves: [DeploymentStatus: Set<DeploymentStatus>] = [
        .queued: [.initializing, .failed, .removed],
        .initializing: [.building, .failed],
        .building: [.deploying, .failed],
        .deploying: [.success, .failed],
        .success: [.crashed, .sleeping, .removing],
        .crashed: [.success, .removing],
        .sleeping: [.success, .removing],
        .removing: [.removed],
        .failed: [],
        .removed: [],
    ]

    /// Whether a deployment in this status may move to `next`.
    public func canMove(to next: DeploymentStatus) -> Bool {
        Self.moves[self]?.contains(next) ?? false
    }

    /// A deployment that will not change again.
    public var isTerminal: Bool { Self.moves[self]?.isEmpty ?? true }

    /// A deployment still on its way to SUCCESS or FAILED.
    public var isInProgress: Bool { [.queued, .initializing, .building, .deploying].contains(self) }

    /// Whether a deployment in this status has (or may again have) replicas: serving, crashed,
    /// asleep or being removed.
    public var isLive: Bool { [.success, .crashed, .sleeping, .removing].contains(self) }
}
