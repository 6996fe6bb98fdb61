import Foundation
import RailyardCore
import Testing

@Suite("Cron timeline")
struct CronTimelineTests {
    private func timeline(_ expression: String, after: String) throws -> CronTimeline {
        CronTimeline(expression: try CronExpression(expression), startingAfter: utc(after))
    }

    @Test("each due time starts a run; nothing is due before it")
    func dueTimes() throws {
        var timeline = try timeline("* * * * *", after: "2026-11-25T12:00:30")
        #expect(timeline.nextDue == utc("2026-11-25T12:01"))
        #expect(timeline.advance(to: utc("2026-11-25T12:00:59")).isEmpty)
        #expect(timeline.advance(to: utc("2026-11-25T12:01")) == [.start(scheduledAt: utc("2026-11-25T12:01"))])
        #expect(timeline.running == utc("2026-11-25T12:01"))
        timeline.runEnded()
        #expect(timeline.advance(to: utc("2026-11-25T12:02")) == [.start(scheduledAt: utc("2026-11-25T12:02"))])
    }

    @Test("a due time while a run is still going is skipped; the next after it ended runs")
    func skipWhileRunning() throws {
        var timeline = try timeline("* * * * *", after: "2026-11-25T12:00:30")
        #expect(timeline.advance(to: utc("2026-11-25T12:01")) == [.start(scheduledAt: utc("2026-11-25T12:01"))])
        #expect(timeline.advance(to: utc("2026-11-25T12:02:00.5")) == [
            .skip(scheduledAt: utc("2026-11-25T12:02"), because: .stillRunning(since: utc("2026-11-25T12:01"))),
        ])
        timeline.runEnded()
        #expect(timeline.running == nil)
        #expect(timeline.advance(to: utc("2026-11-25T12:02:30")).isEmpty, "the skipped due time is not run late")
        #expect(timeline.advance(to: utc("2026-11-25T12:03")) == [.start(scheduledAt: utc("2026-11-25T12:03"))])
    }

    @Test("a late wake-up does not shift the schedule")
    func noDrift() throws {
        var timeline = try timeline("*/5 * * * *", after: "2026-11-25T12:00")
        for step in 1...12 {
            let due = utc("2026-11-25T12:00").addingTimeInterval(Double(step) * 300)
            // Woken 7 s late every time, as a loaded machine might.
            #expect(timeline.advance(to: due.addingTimeInterval(7)) == [.start(scheduledAt: due)])
            #expect(timeline.nextDue == due.addingTimeInterval(300))
            timeline.runEnded()
        }
    }

    @Test("after a long sleep only the latest due time runs; the older ones are skipped as missed")
    func missed() throws {
        var timeline = try timeline("* * * * *", after: "2026-11-25T12:00:30")
        let latest = utc("2026-11-25T12:03")
        #expect(timeline.advance(to: utc("2026-11-25T12:03:10")) == [
            .skip(scheduledAt: utc("2026-11-25T12:01"), because: .missed(ranInstead: latest)),
            .skip(scheduledAt: utc("2026-11-25T12:02"), because: .missed(ranInstead: latest)),
            .start(scheduledAt: latest),
        ])
        #expect(timeline.nextDue == utc("2026-11-25T12:04"))
    }

    @Test("skip reasons and due times read in UTC")
    func wording() {
        #expect(CronTimeline.format(utc("2026-03-01T07:05:59")) == "2026-03-01 07:05 UTC")
        #expect(CronTimeline.SkipReason.stillRunning(since: utc("2026-11-25T12:01")).description
            == "the run scheduled at 2026-11-25 12:01 UTC was still going")
    }
}
