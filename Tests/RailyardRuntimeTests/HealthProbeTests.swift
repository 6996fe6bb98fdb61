import Foundation
import Testing

@testable import RailyardRuntime

@Suite("Health probe: GET the health path over real sockets")
struct HealthProbeTests {
    /// A Python server on a free port: `/health` answers 200, `/sick` 503, `/slow` never answers.
    static func server() async throws -> (Process, Int) {
        let port = try PortProbe.freePort()
        let script = """
            import http.server, time, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/slow":
                        time.sleep(30)
                    code = 200 if self.path == "/health" and self.headers.get("Host") == "healthcheck.railway.app" else 503
                    self.send_response(code); self.send_header("Content-Length", "0"); self.end_headers()
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, "\(port)"]
        // Never the test's own output: a leftover child holding it would keep `swift test | tee` open.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !(await PortProbe.answers(host: "127.0.0.1", port: port)) {
            try await Task.sleep(for: .milliseconds(50))
        }
        return (process, port)
    }

    @Test("200 is healthy; another status, silence and a closed port are not")
    func outcomes() async throws {
        let (process, port) = try await Self.server()
        // SIGKILL: the test process may ignore SIGTERM (a server test's signal handling), and a
        // child inherits that.
        defer { kill(process.processIdentifier, SIGKILL) }
        #expect(await HealthProbe.check(port: port, path: "/health") == .healthy)
        let sick = await HealthProbe.check(port: port, path: "/sick")
        #expect(sick == .unhealthy("the health check answered 503 Service Unavailable"))
        let slow = await HealthProbe.check(port: port, path: "/slow", timeout: .milliseconds(300))
        #expect(slow == .unhealthy("no answer to GET /slow within 0.3 seconds"))
        let closed = await HealthProbe.check(port: try PortProbe.freePort(), path: "/health")
        #expect(closed != .healthy)
    }

    @Test("status lines")
    func statusLines() {
        #expect(HealthProbe.outcome(of: "HTTP/1.1 200 OK") == .healthy)
        #expect(HealthProbe.outcome(of: "HTTP/1.0 200") == .healthy)
        #expect(HealthProbe.outcome(of: "HTTP/1.1 204 No Content") == .unhealthy("the health check answered 204 No Content"))
        #expect(HealthProbe.outcome(of: "SSH-2.0-OpenSSH") == .unhealthy("the answer was not HTTP: SSH-2.0-OpenSSH"))
    }
}
