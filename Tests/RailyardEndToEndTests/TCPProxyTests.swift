import Foundation
import RailyardTestSupport
import Testing

extension EndToEndTests {
    /// Issue 7's TCP proxy: a service's internal port is reachable on a public port of the server,
    /// its releases are told where, it keeps working across a redeploy and a server restart, and it
    /// closes when removed.
    @Suite("End to end: TCP proxy")
    struct TCPProxyTests {
        /// HTTP on PORT answering where its TCP proxy is, and a TCP echo on port 7000 (retrying the
        /// bind: replicas on the host's loopback overlap during a redeploy).
        static let app = """
            import http.server, os, socketserver, threading, time
            class Echo(socketserver.BaseRequestHandler):
                def handle(self):
                    while True:
                        data = self.request.recv(65536)
                        if not data: break
                        self.request.sendall(data)
            class EchoServer(socketserver.ThreadingTCPServer):
                daemon_threads = True
                allow_reuse_address = True
            def echo():
                while True:
                    try:
                        server = EchoServer(("0.0.0.0", 7000), Echo)
                        break
                    except OSError:
                        time.sleep(0.2)
                server.serve_forever()
            threading.Thread(target=echo, daemon=True).start()
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = ("tcp=%s:%s railway=%s" % (os.environ.get("RAILYARD_TCP_PROXY_DOMAIN", ""),
                        os.environ.get("RAILYARD_TCP_PROXY_PORT", ""), os.environ.get("RAILWAY_TCP_PROXY_PORT", ""))).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        /// Sends 256 KiB through the public port until the app echoes them all back (its echo thread
        /// and a redeploy's new replica take a moment).
        static func echoes(port: Int) async throws -> Bool {
            let bytes = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }
            for _ in 0..<100 {
                if let reply = try? TCPClient.exchange(port: port, bytes: bytes), reply == bytes { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        @Test("tcp-proxy add exposes port 7000; the app sees RAILYARD_TCP_PROXY_PORT; it survives a redeploy and a server restart; remove closes it")
        func tcpProxy() async throws {
            let low = TCPClient.freePort()
            try await ServerProcess.withServer(extraArguments: ["--tcp-proxy-ports", "\(low)-\(low + 9)"]) { root, server, edge in
                let dir = try DeployPathTests.app(root, "db", ["main.py": Self.app])
                let cli = try CLIRunner(root: root, workingDirectory: dir)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "tcp@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "tcps"]).status == 0)
                #expect(try await cli.run(["service", "new", "db"]).status == 0)

                let added = try await cli.run(["tcp-proxy", "add", "7000", "--json"])
                try #require(added.status == 0, "\(added)")
                let proxy = try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])
                let port = try #require(proxy["publicPort"] as? Int)
                #expect(port == low && proxy["domain"] as? String == "localhost" && proxy["targetPort"] as? Int == 7000, "\(added)")
                #expect(try await cli.run(["tcp-proxy", "add", "7000"]).stderr.contains("already has a TCP proxy"))

                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)\n\(server.logs())")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
                #expect(try await EdgeRequest.get(edge, host: host).body == "tcp=localhost:\(port) railway=\(port)")
                #expect(try await Self.echoes(port: port), "bytes sent to \(port) came back from the app\n\(server.logs())")

                #expect(try await cli.run(["redeploy"], timeout: .seconds(120)).status == 0)
                #expect(try await Self.echoes(port: port), "the proxy follows the new release")

                // A restarted server listens on the stored proxy's port again.
                _ = await server.stop()
                try await Task.sleep(for: .milliseconds(200))
                let again = try await ServerProcess.start(
                    dataDirectory: root.path + "/data", logDirectory: root.path, extraArguments: ["--tcp-proxy-ports", "\(low)-\(low + 9)"]
                )
                defer { again.killNow() }
                #expect(try await cli.run(["login", "--server", again.baseURL, "--email", "tcp@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await Self.echoes(port: port), "the restarted server forwards again\n\(again.logs())")

                let listed = try await cli.run(["tcp-proxy"])
                #expect(listed.stdout.contains("localhost:\(port)") && listed.stdout.contains("7000"), "\(listed)")
                let removed = try await cli.run(["tcp-proxy", "remove", "\(port)"])
                #expect(removed.status == 0 && removed.stdout.contains("Removed the TCP proxy localhost:\(port)"), "\(removed)")
                #expect(!TCPClient.accepts(port: port))
                #expect(try await cli.run(["tcp-proxy", "remove", "\(port)"]).status != 0)
                _ = await again.stop()
            }
        }
    }
}
