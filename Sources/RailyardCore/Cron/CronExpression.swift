import Foundation

/// A 5-field crontab schedule (`minute hour day-of-month month day-of-week`), read in UTC, with
/// Vixie cron's meaning: `*`, lists, ranges, steps (`*/5`, `1-10/2`), names (JAN–DEC, SUN–SAT), 0 and
/// 7 both Sunday, and — when both day fields are restricted — a day matching either one.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 (Sunday) to 6.
    let daysOfWeek: Set<Int>
    /// Whether the day-of-month field starts with `*` (Vixie: then a day needs both fields to match,
    /// else either).
    let dayOfMonthStar: Bool
    let dayOfWeekStar: Bool

    /// Parses `text`, or throws an error naming the field and what is wrong with it.
    public init(_ text: String) throws(CronExpressionError) {
        self.text = text
        let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronExpressionError(
                "'\(text)' has \(fields.count) field(s); a cron expression has 5 (minute hour day-of-month month day-of-week), like \"*/5 * * * *\""
            )
        }
        minutes = try CronField.minute.values(fields[0])
        hours = try CronField.hour.values(fields[1])
        daysOfMonth = try CronField.dayOfMonth.values(fields[2])
        months = try CronField.month.values(fields[3])
        daysOfWeek = try CronField.dayOfWeek.values(fields[4])
        dayOfMonthStar = fields[2].hasPrefix("*")
        dayOfWeekStar = fields[4].hasPrefix("*")
        // Only the day-of-month field can rule every day out (`0 0 30 2 *`); a weekday always comes.
        if !dayOfMonthStar && dayOfWeekStar {
            let longest = months.map { CivilDate.daysIn(month: $0, leapYear: true) }.max() ?? 31
            guard let first = daysOfMonth.min(), first <= longest else {
                throw CronExpressionError(
                    "day-of-month field '\(fields[2])' never falls in month field '\(fields[3])' (those months have at most \(longest) days)"
                )
            }
        }
    }

    public var description: String { text }

    /// The first minute strictly after `date` that the schedule selects, in UTC.
    public func next(after date: Date) -> Date {
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        var minute = seconds.floorDivided(by: 60) + 1
        // Each step moves to the next month, day, hour or minute that could match; a year has at
        // most a few hundred such steps, and every valid expression matches within 28 years.
        while true {
            let days = minute.floorDivided(by: 1440)
            let civil = CivilDate(days: days)
            let minuteOfDay = Int(minute - days * 1440)
            if !months.contains(civil.month) {
                minute = CivilDate(year: civil.year + (civil.month == 12 ? 1 : 0), month: civil.month % 12 + 1, day: 1).days * 1440
            } else if !dayMatches(civil, weekday: CivilDate.weekday(days: days)) {
                minute = (days + 1) * 1440
            } else if !hours.contains(minuteOfDay / 60) {
                minute = days * 1440 + Int64(minuteOfDay / 60 + 1) * 60
            } else if !minutes.contains(minuteOfDay % 60) {
                minute += 1
            } else {
                return Date(timeIntervalSince1970: TimeInterval(minute * 60))
            }
        }
    }

    /// Whether the schedule selects the minute `date` falls in.
    public func matches(_ date: Date) -> Bool {
        let minute = Int64((date.timeIntervalSince1970).rounded(.down)).floorDivided(by: 60)
        return next(after: Date(timeIntervalSince1970: TimeInterval(minute * 60 - 1))) == Date(timeIntervalSince1970: TimeInterval(minute * 60))
    }

    private func dayMatches(_ date: CivilDate, weekday: Int) -> Bool {
        let dom = daysOfMonth.contains(date.day)
        let dow = daysOfWeek.contains(weekday)
        return dayOfMonthStar || dayOfWeekStar ? dom && dow : dom || dow
    }
}

/// A proleptic Gregorian date, converted to and from days since 1970-01-01 without a calendar or
/// time zone (Howard Hinnant's algorithms), so schedules are UTC by construction.
struct CivilDate: Equatable {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(days: Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * shifted + 2) / 5 + 1)
        month = Int(shifted < 10 ? shifted + 3 : shifted - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01.
    var days: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// 0 (Sunday) to 6 (Saturday); 1970-01-01 was a Thursday.
    static func weekday(days: Int64) -> Int {
        Int((days + 4).floorModulo(by: 7))
    }

    static func daysIn(month: Int, leapYear: Bool) -> Int {
        switch month {
        case 2: leapYear ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    func floorModulo(by divisor: Int64) -> Int64 {
        self - floorDivided(by: divisor) * divisor
    }
}
