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
        @Test("a loopback receiver gets signed deploy events after failing once, and a crash-looping app's alert")
        func webhooks() async throws {
            try await ServerProcess.withServer { root, server, _ in
                let receiver = try await WebhookReceiver.start(in: root)
                defer { receiver.stop() }

                let site = try DeployPathTests.app(root, "site", ["index.html": "<h1>told</h1>"])
                let cli = try CLIRunner(root: root, workingDirectory: site)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "hook@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "told"]).status == 0)
                let bad = try await cli.run(["webhook", "add", "ftp://127.0.0.1/x"])
                #expect(bad.status != 0 && bad.stderr.contains("url must be an http:// or https:// address"), "\(bad)")
                let added = try await cli.run(["webhook", "add", receiver.url, "--json"])
                try #require(added.status == 0, "\(added)")
                let webhook = try RailyardJSON.decoder().decode(ProjectWebhook.self, from: Data(added.stdout.utf8))
                let secret = try #require(webhook.secret)
                #expect(secret.hasPrefix("whsec_"))
                let listed = try await cli.run(["webhook", "--json"])
                #expect(!listed.stdout.contains(secret), "the secret is shown only when the webhook is made")

                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                var got: [WebhookReceiver.Received] = []
                for _ in 0..<100 {
                    got = receiver.received
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
                let crashed = try await receiver.event("deployment.crashed")
                let alert = try #require(crashed, "no crash alert came: \(receiver.received.map(\.body))")
                #expect(alert["alert"] as? Bool == true && (alert["service"] as? [String: Any])?["name"] as? String == "crasher")
                #expect((alert["text"] as? String)?.hasPrefix("💥 crasher in production (told) crashed") == true, "\(alert)")
            }
        }
    
        @Test("a delivery still being retried when the server dies is carried on by the next one, under the same delivery id")
        func resumedAfterRestart() async throws {
            try await ServerProcess.withServer { root, server, _ in
                let receiver = try await WebhookReceiver.start(in: root, failures: 2)
                defer { receiver.stop() }
                let site = try DeployPathTests.app(root, "site", ["index.html": "<h1>again</h1>"])
                let cli = try CLIRunner(root: root, workingDirectory: site)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "again@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "again"]).status == 0)
                let added = try await cli.run(["webhook", "add", receiver.url, "--json"])
                let webhook = try RailyardJSON.decoder().decode(ProjectWebhook.self, from: Data(added.stdout.utf8))
                try #require(try await cli.run(["up"], timeout: .seconds(120)).status == 0)
                for _ in 0..<100 where receiver.received.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                try #require(receiver.received.count == 1, "the first attempt did not come")
                // Dead before its next attempt (1 s later): nothing of this process retries it.
                server.killNow()
                try await Task.sleep(for: .seconds(2))
                #expect(receiver.received.count == 1)

                let again = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
                defer { again.killNow() }
                var got = receiver.received
                for _ in 0..<150 where got.count < 3 {
                    try await Task.sleep(for: .milliseconds(100))
                    got = receiver.received
                }
                try #require(got.count == 3, "the delivery was not carried on: \(got.count) received\n\(again.logs())")
                #expect(Set(got.map { $0.headers["x-railyard-delivery"] ?? "" }).count == 1 && got.allSatisfy { $0.body == got[0].body })
                #expect(got.allSatisfy { $0.headers["x-railyard-event"] == "deployment.success" } && !webhook.id.isEmpty)
            }
        }
    }
}
