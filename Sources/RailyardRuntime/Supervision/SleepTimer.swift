/// When a `sleepApplication` release has been quiet long enough to sleep, as a pure value: the
/// release tells it when it went live (deployed, restored, woken), the edge's route table how long
/// ago its last request came; the quiet period never counts from before the release went live (a
/// fresh deployment of a long-quiet service is not put to sleep at once). Tests drive it with any clock.
public struct SleepTimer: Sendable, Equatable {
    public typealias Instant = ContinuousClock.Instant

    /// When the release last went live; nil while it is not live.
    public private(set) var awakeSince: Instant?

    public init() {}

    /// The release went live (deployed, restored or woken) at `now`.
    public mutating func wokeUp(at now: Instant) {
        awakeSince = now
    }

    /// The release is no longer live (asleep, crashed, replaced).
    public mutating func stopped() {
        awakeSince = nil
    }

    /// How long the release has gone without a request at `now`, given how long ago the last one
    /// came (nil: none since the host was routed); nil when it is not live.
    public func quiet(at now: Instant, sinceLastRequest: Duration?) -> Duration? {
        guard let awakeSince else { return nil }
        let awake = now - awakeSince
        return min(sinceLastRequest ?? awake, awake)
    }

    /// Whether the release has gone `after` (`--sleep-after`) without a request at `now`.
    public func isDue(after: Duration, at now: Instant, sinceLastRequest: Duration?) -> Bool {
        guard let quiet = quiet(at: now, sinceLastRequest: sinceLastRequest) else { return false }
        return quiet >= after
    }
}
