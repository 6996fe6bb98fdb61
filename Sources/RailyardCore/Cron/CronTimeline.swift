import Foundation

/// The decisions of one cron release's schedule, as a value: which due times start a run and which
/// are skipped because a run is still going. Due times follow from the expression alone (never from
/// when the scheduler woke), so a late wake-up does not shift the next one.
public struct CronTimeline: Sendable, Equatable {
    /// What the scheduler is to do for one due time.
    public enum Action: Sendable, Equatable {
        /// Start a run for this due time.
        case start(scheduledAt: Date)
        /// Record this due time as skipped, and why.
        case skip(scheduledAt: Date, because: SkipReason)
    }

    /// Why a due time did not get a run.
    public enum SkipReason: Sendable, Equatable, CustomStringConvertible {
        /// The run of that due time was still going (runs never overlap).
        case stillRunning(since: Date)
        /// The scheduler woke only after a later due time had come too (the server was busy or
        /// suspended); that later one ran instead.
        case missed(ranInstead: Date)

        public var description: String {
            switch self {
            case .stillRunning(let since): "the run scheduled at \(CronTimeline.format(since)) was still going"
            case .missed(let later): "the server was not awake at that time; the run of \(CronTimeline.format(later)) went instead"
            }
        }
    }

    public let expression: CronExpression
    /// The next due time not yet acted on.
    public private(set) var nextDue: Date
    /// The due time of the run going now, if one is.
    public private(set) var running: Date?

    /// A timeline whose first due time is the first one after `start`.
    public init(expression: CronExpression, startingAfter start: Date) {
        self.expression = expression
        self.nextDue = expression.next(after: start)
    }

    /// Acts on every due time up to `now`: while a run is going each is skipped; otherwise the
    /// latest starts a run and older ones are skipped as missed. Returns what to do, oldest first;
    /// `nextDue` is then after `now`.
    public mutating func advance(to now: Date) -> [Action] {
        var due: [Date] = []
        while nextDue <= now {
            due.append(nextDue)
            nextDue = expression.next(after: nextDue)
        }
        guard let latest = due.last else { return [] }
        if let running {
            return due.map { .skip(scheduledAt: $0, because: .stillRunning(since: running)) }
        }
        running = latest
        return due.dropLast().map { .skip(scheduledAt: $0, because: .missed(ranInstead: latest)) } + [.start(scheduledAt: latest)]
    }

    /// The run going now has ended; the next due time may start another.
    public mutating func runEnded() {
        running = nil
    }

    /// `2026-11-25 21:52 UTC`, as run lists and reasons show due times.
    public static func format(_ date: Date) -> String {
        let minutes = Int64(date.timeIntervalSince1970.rounded(.down)).floorDivided(by: 60)
        let days = minutes.floorDivided(by: 1440)
        let civil = CivilDate(days: days)
        let minuteOfDay = Int(minutes - days * 1440)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(civil.year)-\(two(civil.month))-\(two(civil.day)) \(two(minuteOfDay / 60)):\(two(minuteOfDay % 60)) UTC"
    }
}
