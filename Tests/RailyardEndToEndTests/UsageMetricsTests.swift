import Foundation
import RailyardClient
import RailyardCore
import Testing

extension EndToEndTests {
    /// Issue 11's fourth acceptance item, first half: a memory-hungry app's figures rise in
    /// `railyard metrics`, and nearing its limit raises an alert.
    @Suite("End to end: usage figures and memory alerts")
    struct UsageMetricsTests {
        /// `/grow?mb=N` allocates (and touches) N more MiB and keeps it.
        static let app = """
            import http.server, os
            held = []
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path.startswith("/grow?mb="):
                        held.append(bytearray(b"\\x01") * (int(self.path.split("=")[1]) << 20))
                        print("grew by", self.path.split("=")[1], "MiB", flush=True)
                    body = str(sum(len(block) for block in held) >> 20).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        static func report(_ cli: CLIRunner) async throws -> UsageReport {
            let result = try await cli.run(["metrics", "--since", "10m", "--json"])
            try #require(result.status == 0, "\(result)")
            return try RailyardJSON.decoder().decode(UsageReport.self, from: Data(result.stdout.utf8))
        }

        @Test("a growing app's memory rises in railyard metrics and /metrics, and over 90% of its limit it raises an alert",
              .enabled(if: LimitsTests.cgroupsUsable))
        func memoryHog() async throws {
            try await ServerProcess.withServer(environment: ["RAILYARD_USAGE_INTERVAL": "1"]) { root, server, edge in
                let receiver = try await WebhookReceiver.start(in: root)
                defer { receiver.stop() }

                let hog = try DeployPathTests.app(root, "hog", [
                    "main.py": Self.app, "railway.json": #"{"deploy": {"memoryLimit": "256Mi"}}"#,
                ])
                let cli = try CLIRunner(root: root, workingDirectory: hog)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "hog@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "hungry"]).status == 0)
                #expect(try await cli.run(["webhook", "add", receiver.url]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))

                var report = try await Self.report(cli)
                for _ in 0..<100 where report.points.count < 2 {
                    try await Task.sleep(for: .milliseconds(200))
                    report = try await Self.report(cli)
                }
                let before = try #require(report.points.last)
                #expect(before.memoryLimitBytes == 256 << 20 && before.replicas == 1 && report.resolutionSeconds == 5, "\(report)")
                #expect(before.memoryBytes > 1 << 20 && before.memoryBytes < 128 << 20, "\(before)")

                #expect(try await EdgeRequest.get(edge, host: host, path: "/grow?mb=100").body == "100")
                var risen = before
                for _ in 0..<100 where risen.memoryBytes < before.memoryBytes + (90 << 20) {
                    try await Task.sleep(for: .milliseconds(200))
                    risen = try await Self.report(cli).points.last ?? risen
                }
                #expect(risen.memoryBytes >= before.memoryBytes + (90 << 20), "the figures rose by the 100 MiB held: \(before) → \(risen)")
                let table = try await cli.run(["metrics"])
                #expect(table.status == 0 && table.stdout.contains("MEMORY") && table.stdout.contains("Now: "), "\(table)")
                let scrape = try EdgeRequest.curl([server.baseURL + "/metrics"]).body
                #expect(scrape.contains("railyard_replica_memory_limit_bytes{service_id=") && scrape.contains(" 268435456"), "\(scrape.suffix(2000))")
                // The app's line is found by a log search, with the time it was written (a mark every 6 s here).
                var dated: LogSearchResult?
                for _ in 0..<100 {
                    let search = try await cli.run(["logs", "--search", "GREW BY 100", "--since", "10m", "--json"])
                    dated = try? RailyardJSON.decoder().decode(LogSearchResult.self, from: Data(search.stdout.utf8))
                    if dated?.matches.first?.at != nil { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let line = try #require(dated?.matches.first, "\(String(describing: dated))")
                #expect(line.text == "grew by 100 MiB" && abs((line.at ?? .distantPast).timeIntervalSinceNow) < 120, "\(line)")
                let traffic = try await Self.report(cli).points.reduce(0) { $0 + $1.networkRxBytes }
                #expect(traffic > 0, "requests through the edge show as the replica's network input")

                // Up to 93% of the limit: an alert, not an OOM kill.
                let more = max(1, Int(Double(256 << 20) * 0.93 - Double(risen.memoryBytes)) >> 20)
                #expect(try await EdgeRequest.get(edge, host: host, path: "/grow?mb=\(more)").status == 200)
                let alert = try await receiver.event("alert.memory")
                let memory = try #require(alert, "no memory alert: \(receiver.received.map(\.body))")
                #expect(memory["alert"] as? Bool == true && (memory["text"] as? String)?.contains("of its 256 MiB memory limit") == true, "\(memory)")
            }
        }
    }
}
