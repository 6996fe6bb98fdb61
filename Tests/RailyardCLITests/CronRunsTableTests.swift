import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("railyard cron runs")
struct CronRunsTableTests {
    @Test("one row per due time: scheduled (UTC), started, duration, exit code, status and why")
    func table() {
        let due = Date(timeIntervalSince1970: 1_795_564_800 + 12 * 3600)  // 2026-11-25 12:00 UTC
        let runs = [
            CronRun(id: "r3", serviceId: "s", environmentId: "e", deploymentId: "d", scheduledAt: due + 120, startedAt: due + 120.4,
                    endedAt: due + 120.9, exitCode: 3, status: .failed, detail: "the command exited with status 3"),
            CronRun(id: "r2", serviceId: "s", environmentId: "e", deploymentId: "d", scheduledAt: due + 60, status: .skipped,
                    detail: "skipped: the run scheduled at 2026-11-25 12:00 UTC was still going"),
            CronRun(id: "r1", serviceId: "s", environmentId: "e", deploymentId: "d", scheduledAt: due, startedAt: due + 0.2,
                    endedAt: due + 71.4, exitCode: 0, status: .succeeded),
            CronRun(id: "r0", serviceId: "s", environmentId: "e", deploymentId: "d", scheduledAt: due - 60, startedAt: due - 59,
                    status: .running),
        ]
        let lines = CronRunsCommand.table(runs).render().split(separator: "\n").map(String.init)
        #expect(lines == [
            "ID  SCHEDULED (UTC)   STARTED   DURATION  EXIT  STATUS     DETAIL",
            "r3  2026-11-25 12:02  12:02:00  0.5s      3     failed     the command exited with status 3",
            "r2  2026-11-25 12:01  -         -         -     skipped    skipped: the run scheduled at 2026-11-25 12:00 UTC was still going",
            "r1  2026-11-25 12:00  12:00:00  71.2s     0     succeeded",
            "r0  2026-11-25 11:59  11:59:01  -         -     running",
        ])
    }
}
