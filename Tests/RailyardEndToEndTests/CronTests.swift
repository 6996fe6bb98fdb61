import Foundation
import RailyardClient
import RailyardCore
import Testing

/// Issue 8's cron services on the real clock: a service on `* * * * *` whose first run outlasts a
/// minute. It is outside the serialized `EndToEndTests`: it spends its ~3 minutes waiting for
/// minutes to turn, not competing for the CPU, so it runs beside the other suites.
@Suite("End to end: cron services")
struct CronTests {
    /// Each run appends `start <time>` and `end <time>` to `$RAILYARD_VOLUME_MOUNT_PATH/times`; the
    /// first sleeps 70 s (so the next due time finds it going) and exits 0, later ones exit 3 at once.
    static let script = """
        times="$RAILYARD_VOLUME_MOUNT_PATH/times"
        echo "start $(date +%s.%N)" >> "$times"
        if [ ! -e "$RAILYARD_VOLUME_MOUNT_PATH/first" ]; then
          touch "$RAILYARD_VOLUME_MOUNT_PATH/first"
          echo "first run: sleeping 70 s"
          sleep 70
          code=0
        else
          echo "a later run"
          code=3
        fi
        echo "end $(date +%s.%N)" >> "$times"
        exit $code
        """

    @Test("an every-minute service runs twice without overlapping: the due time during the long first run is skipped")
    func everyMinute() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        defer { ChildProcess.killMatching(root.path) }
        let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
        defer { server.killNow() }
        let dir = try EndToEndTests.DeployPathTests.app(root, "job", [
            "start.sh": Self.script, "railway.json": #"{"deploy": {"cronSchedule": "61 * * * *"}}"#,
        ])
        let cli = try CLIRunner(root: root, workingDirectory: dir)
        #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "cron@example.com", "--password", "correct-horse-9"]).status == 0)
        #expect(try await cli.run(["init", "--name", "crons"]).status == 0)
        #expect(try await cli.run(["service", "new", "job"]).status == 0)
        let volume = try await cli.run(["volume", "add", "--mount", "/data"])
        try #require(volume.status == 0, "\(volume)")
        let volumeId = String(volume.stdout.split(separator: " ")[2])

        // A schedule that cannot be read is refused, naming the field.
        let refused = try await cli.run(["up"], timeout: .seconds(120))
        #expect(refused.status != 0, "\(refused)")
        #expect((refused.stdout + refused.stderr).contains("minute field '61' is out of range 0–59"), "\(refused)")

        try #"{"deploy": {"cronSchedule": "* * * * *"}}"#.write(toFile: dir + "/railway.json", atomically: true, encoding: .utf8)
        let up = try await cli.run(["up"], timeout: .seconds(120))
        try #require(up.status == 0, "\(up)\n\(server.logs())")
        #expect(up.stdout.contains("live as a cron service"), "\(up)")
        // Nothing serves its host: it is a job.
        if let host = EndToEndTests.DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)) {
            let page = try await EdgeRequest.get(try await server.edgeURL(), host: host)
            #expect(page.status == 503 && page.body.contains("cron service"), "\(page)")
        }

        // Due times T, T+1 min (the first run still sleeps: skipped), T+2 min (runs, exits 3).
        // Polled every 3 s: each look starts a CLI process, and other suites run beside this one.
        var runs: [CronRun] = []
        for _ in 0..<100 {
            let listed = try await cli.run(["cron", "runs", "--json"])
            try #require(listed.status == 0, "\(listed)")
            runs = try RailyardJSON.decoder().decode([CronRun].self, from: Data(listed.stdout.utf8)).sorted { $0.scheduledAt < $1.scheduledAt }
            if runs.filter({ $0.status != .running && $0.status != .skipped }).count >= 2 { break }
            try await Task.sleep(for: .seconds(3))
        }
        try #require(runs.count >= 3, "\(runs)\n\(server.logs())")
        let (first, skipped, second) = (runs[0], runs[1], runs[2])
        #expect(first.status == .succeeded && first.exitCode == 0, "\(first)")
        #expect(skipped.status == .skipped && skipped.startedAt == nil, "\(skipped)")
        #expect(skipped.detail?.contains("was still going") == true, "\(skipped)")
        #expect(second.status == .failed && second.exitCode == 3, "\(second)")
        #expect(skipped.scheduledAt.timeIntervalSince(first.scheduledAt) == 60)
        #expect(second.scheduledAt.timeIntervalSince(first.scheduledAt) == 120)
        for run in [first, second] {
            let start = try #require(run.startedAt)
            #expect(start >= run.scheduledAt && start.timeIntervalSince(run.scheduledAt) < 5, "started on time: \(run)")
        }
        let firstEnd = try #require(first.endedAt)
        #expect(firstEnd.timeIntervalSince(try #require(first.startedAt)) >= 70)
        #expect(firstEnd <= (second.startedAt ?? .distantPast), "the runs overlapped: \(runs)")

        // What the runs themselves saw: start, end, start, end — never two going at once.
        let times = try String(contentsOfFile: root.path + "/data/volumes/\(volumeId)/times", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ") }
        #expect(times.map { String($0[0]) } == ["start", "end", "start", "end"], "\(times)")
        let stamps = times.compactMap { Double($0[1]) }
        #expect(stamps == stamps.sorted(), "\(times)")

        let table = try await cli.run(["cron", "runs"])
        #expect(table.status == 0 && table.stdout.contains("SCHEDULED (UTC)"), "\(table)")
        #expect(table.stdout.contains("skipped") && table.stdout.contains("succeeded") && table.stdout.contains("failed"), "\(table)")
        let log = try await cli.run(["cron", "logs", first.id])
        #expect(log.stdout.contains("first run: sleeping 70 s") && log.stdout.contains("exited with status 0"), "\(log)")
        let secondLog = try await cli.run(["cron", "logs", second.id, "--lines", "1"])
        #expect(secondLog.stdout.contains("exited with status 3"), "\(secondLog)")
        let missing = try await cli.run(["cron", "logs", "no-such-run"])
        #expect(missing.status != 0 && missing.stderr.contains("no cron run no-such-run"), "\(missing)")

        // Taken down, it runs no more.
        #expect(try await cli.run(["down"]).status == 0)
        _ = await server.stop()
    }
}
