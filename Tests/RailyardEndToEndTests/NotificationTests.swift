import Crypto
import Foundation
import RailyardClient
import RailyardCore
import Testing

extension EndToEndTests {
    /// Issue 11's webhook acceptance: a receiver on loopback gets signed deploy events, including after
    /// it first fails, and a crash-looping app raises an alert.
    @Suite("End to end: deploy webhooks and alerts")
    struct NotificationTests {
        /// Answers the first POST with 500 and the rest with 200, writing each (headers and body) as a
        /// JSON line to the log.
        static let receiver = """
            import http.server, json, sys
            log, port_file = sys.argv[1], sys.argv[2]
            seen = [0]
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers["Content-Length"]))
                    seen[0] += 1
                    with open(log, "a") as f:
                        f.write(json.dumps({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode()}) + "\\n")
                    self.send_response(500 if seen[0] == 1 else 200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *args): pass
            server = http.server.HTTPServer(("127.0.0.1", 0), H)
            open(port_file, "w").write(str(server.server_port))
            server.serve_forever()
            """

        struct Received: Decodable {
            var headers: [String: String]
            var body: String
        }

        static func received(_ path: String) -> [Received] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
        }

        @Test("a loopback receiver gets signed deploy events after failing once, and a crash-looping app's alert")
        func webhooks() async throws {
            try await ServerProcess.withServer { root, server, _ in
                let scratch = try root.subdirectory("receiver")
                let log = scratch + "/received.jsonl", portFile = scratch + "/port"
                let script = scratch + "/receiver.py"
                try Self.receiver.write(toFile: script, atomically: true, encoding: .utf8)
                let receiver = Process()
                receiver.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                receiver.arguments = [script, log, portFile]
                try receiver.run()
                defer { receiver.terminate() }
                var port = ""
                for _ in 0..<100 where port.isEmpty {
                    port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
                    if port.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                }
                try #require(!port.isEmpty, "the receiver did not start")

                let site = try DeployPathTests.app(root, "site", ["index.html": "<h1>told</h1>"])
                let cli = try CLIRunner(root: root, workingDirectory: site)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "hook@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "told"]).status == 0)
                let bad = try await cli.run(["webhook", "add", "ftp://127.0.0.1/x"])
                #expect(bad.status != 0 && bad.stderr.contains("url must be an http:// or https:// address"), "\(bad)")
                let added = try await cli.run(["webhook", "add", "http://127.0.0.1:\(port)/hook", "--json"])
                try #require(added.status == 0, "\(added)")
                let webhook = try RailyardJSON.decoder().decode(ProjectWebhook.self, from: Data(added.stdout.utf8))
                let secret = try #require(webhook.secret)
                #expect(secret.hasPrefix("whsec_"))
                let listed = try await cli.run(["webhook", "--json"])
                #expect(!listed.stdout.contains(secret), "the secret is shown only when the webhook is made")

                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                var got: [Received] = []
                for _ in 0..<100 {
                    got = Self.received(log)
                    if got.count >= 2 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try #require(got.count >= 2, "the failed first delivery is retried: \(got.count) received")
                #expect(got[0].body == got[1].body && got[0].headers["x-railyard-delivery"] == got[1].headers["x-railyard-delivery"])
                for delivery in got.prefix(2) {
                    let timestamp = try #require(delivery.headers["x-railyard-timestamp"])
                    let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(delivery.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    #expect(delivery.headers["x-railyard-signature"] == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
                    #expect(delivery.headers["x-railyard-event"] == "deployment.success")
                }
                let event = try #require(try JSONSerialization.jsonObject(with: Data(got[1].body.utf8)) as? [String: Any])
                #expect(event["type"] as? String == "deployment.success" && event["status"] as? String == "SUCCESS")
                #expect((event["project"] as? [String: Any])?["name"] as? String == "told")
                #expect((event["environment"] as? [String: Any])?["name"] as? String == "production")
                #expect((event["url"] as? String)?.contains("site-production-told") == true, "\(event)")
                #expect((event["text"] as? String)?.hasPrefix("✅ site in production (told) is live") == true && event["content"] as? String == event["text"] as? String)
                let deliveries = try RailyardJSON.decoder().decode(
                    [WebhookDelivery].self, from: Data(try await cli.run(["webhook", "deliveries", webhook.id, "--json"]).stdout.utf8)
                )
                #expect(deliveries.map(\.status) == [200, 500] && deliveries.map(\.attempt) == [2, 1], "\(deliveries)")

                // A crash loop: up and healthy for a second, then exits; one restart allowed.
                let crasher = try DeployPathTests.app(root, "crasher", [
                    "main.py": """
                        import http.server, os, threading
                        server = http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler)
                        threading.Timer(1.5, lambda: os._exit(3)).start()
                        server.serve_forever()
                        """,
                    "railway.json": #"{"deploy": {"restartPolicyType": "ON_FAILURE", "restartPolicyMaxRetries": 1}}"#,
                ])
                #expect(try await cli.run(["link", "--project", "told"], in: crasher).status == 0)
                #expect(try await cli.run(["service", "new", "crasher"], in: crasher).status == 0)
                #expect(try await cli.run(["up"], in: crasher, timeout: .seconds(120)).status == 0)
                var crashed: [String: Any]?
                for _ in 0..<300 where crashed == nil {
                    crashed = Self.received(log).compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
                        .first { $0["type"] as? String == "deployment.crashed" }
                    if crashed == nil { try await Task.sleep(for: .milliseconds(100)) }
                }
                let alert = try #require(crashed, "no crash alert came: \(Self.received(log).map(\.body))")
                #expect(alert["alert"] as? Bool == true && (alert["service"] as? [String: Any])?["name"] as? String == "crasher")
                #expect((alert["text"] as? String)?.hasPrefix("💥 crasher in production (told) crashed") == true, "\(alert)")
            }
        }
    }
}
