import Foundation
import Testing

/// A webhook receiver on loopback (Python's http.server): answers the first POST (or the first
/// `failures`) with 500 and the rest with 200, and keeps each delivery's headers and body in a
/// JSON-lines file.
struct WebhookReceiver {
    struct Received: Decodable {
        var headers: [String: String]
        var body: String
    }

    static let script = """
        import http.server, json, sys
        log, port_file, failures = sys.argv[1], sys.argv[2], int(sys.argv[3])
        seen = [0]
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                seen[0] += 1
                with open(log, "a") as f:
                    f.write(json.dumps({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode()}) + "\\n")
                self.send_response(500 if seen[0] <= failures else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), H)
        open(port_file, "w").write(str(server.server_port))
        server.serve_forever()
        """

    let process: Process
    let log: String
    let url: String

    /// Starts one in a folder of `root`; stop it with `stop()`.
    static func start(in root: TemporaryDirectory, failures: Int = 1) async throws -> WebhookReceiver {
        let scratch = try root.subdirectory("receiver-\(UUID().uuidString.prefix(6))")
        let log = scratch + "/received.jsonl", portFile = scratch + "/port"
        try script.write(toFile: scratch + "/receiver.py", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [scratch + "/receiver.py", log, portFile, "\(failures)"]
        try process.run()
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if port.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(!port.isEmpty, "the webhook receiver did not start")
        return WebhookReceiver(process: process, log: log, url: "http://127.0.0.1:\(port)/hook")
    }

    func stop() { process.terminate() }

    /// Every delivery so far, retries included.
    var received: [Received] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    /// The first event of `type` received, waiting up to `timeout` for it.
    func event(_ type: String, timeout: Duration = .seconds(30)) async throws -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let events = received.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
            if let found = events.first(where: { $0["type"] as? String == type }) { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
