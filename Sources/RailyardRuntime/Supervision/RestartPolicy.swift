import RailyardCore

/// How a replica ended: its exit code, or the signal that killed it.
public enum ReplicaExit: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    /// It ended, but not as our child (adopted after a server restart), so its status is unknown.
    case unknown

    /// A raw `waitpid` status as an exit.
    public init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    /// Whether the replica ended on its own with status 0.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(9): "was killed (SIGKILL; out of memory, or killed from outside)"
        case .signaled(let signal): "was killed by signal \(signal)"
        case .unknown: "ended (its exit status is unknown: it was adopted after a server restart)"
        }
    }
}

/// Railway's restart policy with Railyard's backoff: when a replica that ended is started again,
/// after how long, and when the supervisor gives up. Pure.
public struct RestartPolicy: Sendable, Equatable {
    /// `ON_FAILURE` (restart after a non-zero exit or a signal), `ALWAYS`, or `NEVER`.
    public var kind: ServiceConfig.RestartPolicyType
    /// Restarts in a row `ON_FAILURE` allows before the replica counts as crashed.
    public var maxRetries: Int
    /// The first backoff; each restart in a row doubles it.
    public var initialBackoff: Duration
    /// The longest backoff: an `ALWAYS` replica that keeps dying is started at most this often,
    /// so a crash loop costs almost no CPU.
    public var maxBackoff: Duration
    /// A replica that stayed up this long has recovered: its next failure counts from zero again.
    public var stableAfter: Duration

    /// Railway's defaults: `ON_FAILURE` with 10 retries.
    public static let defaultMaxRetries = 10

    public init(
        kind: ServiceConfig.RestartPolicyType = .onFailure, maxRetries: Int = RestartPolicy.defaultMaxRetries,
        initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(300), stableAfter: Duration = .seconds(60)
    ) {
        self.kind = kind
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.stableAfter = stableAfter
    }

    /// The policy a deployment's config asks for (defaults where it says nothing).
    public init(_ config: ServiceConfig.Deploy) {
        self.init(kind: config.restartPolicyType ?? .onFailure, maxRetries: config.restartPolicyMaxRetries ?? Self.defaultMaxRetries)
    }

    /// What to do about a replica that ended.
    public enum Decision: Sendable, Equatable {
        /// Start it again after this long; `attempt` counts restarts in a row from 1.
        case restart(after: Duration, attempt: Int)
        /// Leave it stopped: it finished, or the policy never restarts.
        case stop(reason: String)
        /// Leave it stopped: it kept failing; the deployment is CRASHED.
        case crashed(reason: String)
    }

    /// The decision for a replica that ended with `exit` after running `upFor`, having been
    /// restarted `restartsInARow` times since it last ran stably.
    public func decide(_ exit: ReplicaExit, upFor: Duration, restartsInARow: Int) -> Decision {
        let streak = upFor >= stableAfter ? 0 : restartsInARow
        switch kind {
        case .never:
            return .stop(reason: "the replica \(exit) and the restart policy is NEVER")
        case .onFailure where exit.isSuccess:
            return .stop(reason: "the replica \(exit); ON_FAILURE restarts only failures")
        case .onFailure where streak >= maxRetries:
            return .crashed(reason: "the replica \(exit) and was restarted \(streak) times in a row (restartPolicyMaxRetries = \(maxRetries))")
        case .onFailure, .always:
            return .restart(after: backoff(forAttempt: streak + 1), attempt: streak + 1)
        }
    }

    /// `initialBackoff × 2^(attempt−1)`, at most `maxBackoff`.
    public func backoff(forAttempt attempt: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(attempt, 1) {
            delay *= 2
            if delay >= maxBackoff { return maxBackoff }
        }
        return min(delay, maxBackoff)
    }
}
