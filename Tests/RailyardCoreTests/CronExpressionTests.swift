import Foundation
import RailyardCore
import Testing

/// A UTC instant written `2026-11-25T21:51:23` (seconds optional).
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
    let full = text.count == 16 ? text + ":00" : text
    guard let date = formatter.date(from: full) else { fatalError("bad test date \(text)") }
    return date
}

@Suite("Cron expressions")
struct CronExpressionTests {
    @Test("next(after:) is the first selected minute strictly after, in UTC", arguments: [
        ("* * * * *", "2026-11-25T21:51:23", "2026-11-25T21:52"),
        ("* * * * *", "2026-11-25T21:52:00", "2026-11-25T21:53"),
        ("*/15 * * * *", "2026-11-25T21:51", "2026-11-25T22:00"),
        ("*/15 * * * *", "2026-11-25T22:00", "2026-11-25T22:15"),
        ("1-10/2 * * * *", "2026-11-25T21:51", "2026-11-25T22:01"),
        ("1-10/2 * * * *", "2026-11-25T22:09", "2026-11-25T23:01"),
        ("5/20 * * * *", "2026-11-25T21:51", "2026-11-25T22:05"),
        ("0 */6 * * *", "2026-11-25T21:51", "2026-11-26T00:00"),
        ("0 0 1 1 *", "2026-11-25T21:51", "2027-01-01T00:00"),
        ("59 23 31 12 *", "2026-12-31T23:59", "2027-12-31T23:59"),
        // Month ends: a 31st skips the months without one.
        ("0 0 31 * *", "2026-04-01T00:00", "2026-05-31T00:00"),
        ("0 12 30 * *", "2026-02-01T00:00", "2026-03-30T12:00"),
        ("0 0 28 * *", "2026-02-28T00:00", "2026-03-28T00:00"),
        // Leap day: only leap years, and 2100 is not one.
        ("0 0 29 2 *", "2026-03-01T00:00", "2028-02-29T00:00"),
        ("0 0 29 2 *", "2024-02-29T00:00", "2028-02-29T00:00"),
        ("0 0 29 2 *", "2096-03-01T00:00", "2104-02-29T00:00"),
        // Both day fields restricted: either matches (2026-11-27 is a Friday, 2026-12-13 a Sunday).
        ("0 0 13 * FRI", "2026-11-25T12:00", "2026-11-27T00:00"),
        ("0 0 13 * FRI", "2026-12-12T00:00", "2026-12-13T00:00"),
        // One day field is `*`: both must match (Mondays; with */2, odd-dated Mondays only).
        ("0 0 * * MON", "2026-11-25T12:00", "2026-11-30T00:00"),
        ("0 0 */2 * MON", "2026-11-25T12:00", "2026-12-07T00:00"),
        // 0 and 7 are both Sunday; ranges may end at 7.
        ("0 0 * * 7", "2026-11-25T12:00", "2026-11-29T00:00"),
        ("0 0 * * 0", "2026-11-25T12:00", "2026-11-29T00:00"),
        ("0 0 * * 6-7", "2026-11-25T12:00", "2026-11-28T00:00"),
        // Names, any case; 2027-01-01 is a Friday.
        ("30 9 * JAN,jul mon-fri", "2026-11-25T12:00", "2027-01-01T09:30"),
        ("0 9 1 jan-mar,OCT *", "2026-03-02T00:00", "2026-10-01T09:00"),
    ])
    func next(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.next(after: utc(after)) == utc(expected), "\(expression) after \(after)")
    }

    @Test("consecutive due times of an every-minute schedule are 60 s apart across a day, month and year end")
    func everyMinute() throws {
        let cron = try CronExpression("* * * * *")
        var time = utc("2026-12-31T23:58")
        for _ in 0..<4 {
            let next = cron.next(after: time)
            #expect(next.timeIntervalSince(time) == 60)
            time = next
        }
        #expect(time == utc("2027-01-01T00:02"))
    }

    @Test("matches(_:) is true in the selected minutes only")
    func matches() throws {
        let cron = try CronExpression("0,30 9-17 * * MON-FRI")
        #expect(cron.matches(utc("2026-11-25T09:30:45")))
        #expect(!cron.matches(utc("2026-11-25T09:31")))
        #expect(!cron.matches(utc("2026-11-28T09:30")), "a Saturday")
        #expect(!cron.matches(utc("2026-11-25T18:00")))
    }

    @Test("invalid expressions are refused with the field and what is wrong", arguments: [
        ("61 * * * *", "minute field '61' is out of range 0–59"),
        ("* 24 * * *", "hour field '24' is out of range 0–23"),
        ("* * 0 * *", "day-of-month field '0' is out of range 1–31"),
        ("* * * 13 *", "month field '13' is out of range 1–12"),
        ("* * * * 8", "day-of-week field '8' is out of range 0–7"),
        ("50-70 * * * *", "minute field '50-70' is out of range 0–59"),
        ("* * * FOO *", "month field 'FOO' has 'FOO', which is not a number from 1 to 12 or a name JAN–DEC"),
        ("* * * * MONDAY", "day-of-week field 'MONDAY' has 'MONDAY', which is not a number from 0 to 7 or a name SUN–SAT"),
        ("a * * * *", "minute field 'a' has 'a', which is not a number from 0 to 59"),
        ("*/0 * * * *", "minute field '*/0' has a step that is not a whole number from 1 to 59"),
        ("*/x * * * *", "minute field '*/x' has a step that is not a whole number"),
        ("1/2/3 * * * *", "minute field '1/2/3' has more than one '/'"),
        ("10-5 * * * *", "minute field '10-5' is a range that ends before it starts"),
        ("1,,2 * * * *", "minute field '1,,2' has an empty item in its list"),
        ("* * * *", "'* * * *' has 4 field(s); a cron expression has 5 (minute hour day-of-month month day-of-week)"),
        ("* * * * * *", "has 6 field(s)"),
        ("", "has 0 field(s)"),
        ("0 0 30 2 *", "day-of-month field '30' never falls in month field '2' (those months have at most 29 days)"),
        ("0 0 31 4,6,9,11 *", "day-of-month field '31' never falls in month field '4,6,9,11'"),
    ])
    func invalid(expression: String, message: String) {
        #expect {
            try CronExpression(expression)
        } throws: { error in
            (error as? CronExpressionError)?.message.contains(message) == true
        }
    }

    @Test("a day that only a weekday could reach is valid when the weekday field is restricted too")
    func impossibleDayRescuedByWeekday() throws {
        // OR semantics: the 30th of February never comes, but Mondays in February do.
        let cron = try CronExpression("0 0 30 2 MON")
        #expect(cron.next(after: utc("2026-11-25T00:00")) == utc("2027-02-01T00:00"))
    }

    @Test("the config refuses an invalid schedule, naming the key and the field")
    func configValidation() {
        let config = ServiceConfig(deploy: .init(cronSchedule: "61 * * * *"))
        #expect {
            try config.validate()
        } throws: { error in
            guard let error = error as? RailyardError else { return false }
            return error.field == "deploy.cronSchedule"
                && error.message == "`deploy.cronSchedule` is not a valid schedule (UTC): minute field '61' is out of range 0–59"
        }
        #expect(throws: Never.self) { try ServiceConfig(deploy: .init(cronSchedule: "* * * * *")).validate() }
    }
}
