import Foundation

/// One attempt to build and run a service's source in an environment.
public struct Deployment: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var serviceId: String
    public var environmentId: String
    public var status: DeploymentStatus
    public var createdAt: Date
    public var updatedAt: Date
    /// When the build started and finished; the difference is the build duration.
    public var buildStartedAt: Date?
    public var buildFinishedAt: Date?
    /// When the release started deploying and when it succeeded or failed.
    public var deployStartedAt: Date?
    public var finishedAt: Date?
    /// Why it failed, in a sentence a person can act on.
    public var failureReason: String?
    /// The SHA-256 of the uploaded source archive (content address under `sources/`).
    public var sourceDigest: String?
    /// The build provider that was detected (`staticfile`, `python`, `node`, `shell`, …).
    public var provider: String?
    /// The public URL the service answers at, e.g. `http://web-production-shop.localhost:8080`.
    public var url: String?
    /// For a git-sourced service: the commit deployed (set before the fetch when a push names it).
    public var commitSha: String?
    /// The commit's subject line.
    public var commitMessage: String?
    /// The commit's author name.
    public var commitAuthor: String?
    /// The build and deploy config the deployment went out with: the service's settings with config
    /// as code laid over them (shown when one deployment is asked for; nil before it was planned).
    public var config: ServiceConfig?

    public init(id: String, serviceId: String, environmentId: String, createdAt: Date) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.status = .queued
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// Seconds spent building, once the build has finished.
    public var buildDuration: TimeInterval? {
        guard let start = buildStartedAt, let end = buildFinishedAt else { return nil }
        return end.timeIntervalSince(start)
    }

    /// Seconds from the start of the deploy step to SUCCESS or FAILED.
    public var deployDuration: TimeInterval? {
        guard let start = deployStartedAt, let end = finishedAt else { return nil }
        return end.timeIntervalSince(start)
    }

    /// The deployment after moving to `next` at `time`, with the step timestamps that move implies.
    /// An illegal move is an error, never a silent overwrite.
    public func moving(to next: DeploymentStatus, at time: Date, reason: String? = nil) throws(RailyardError) -> Deployment {
        guard status.canMove(to: next) else {
            throw RailyardError(.conflict, "deployment \(id) cannot move from \(status.rawValue) to \(next.rawValue)")
        }
        var moved = self
        moved.status = next
        moved.updatedAt = time
        switch next {
        case .building:
            moved.buildStartedAt = time
        case .deploying:
            moved.buildFinishedAt = time
            moved.deployStartedAt = time
        case .success where status == .deploying:
            moved.finishedAt = time
        case .failed:
            if status == .building { moved.buildFinishedAt = time }
            moved.finishedAt = time
            moved.failureReason = reason
        default:
            break
        }
        return moved
    }
}
