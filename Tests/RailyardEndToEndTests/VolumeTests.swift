import Foundation
import Testing

extension EndToEndTests {
    /// Issue 5's volumes: a file written to a volume survives a redeploy and a restart of the server.
    @Suite("End to end: volumes")
    struct VolumeTests {
        /// Counts its starts in `$RAILYARD_VOLUME_MOUNT_PATH/starts` and answers the count.
        static let app = """
            import http.server, os
            path = os.path.join(os.environ["RAILYARD_VOLUME_MOUNT_PATH"], "starts")
            starts = (int(open(path).read()) if os.path.exists(path) else 0) + 1
            open(path, "w").write(str(starts))
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = ("starts=%d mount=%s" % (starts, os.environ["RAILWAY_VOLUME_MOUNT_PATH"])).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        @Test("a file on a volume survives a redeploy and a server restart; bad mount paths are refused")
        func volume() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            defer { ChildProcess.killMatching(root.path) }
            let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { server.killNow() }
            let dir = try DeployPathTests.app(root, "db", ["main.py": Self.app])
            let cli = try CLIRunner(root: root, workingDirectory: dir)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "vol@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "vols"]).status == 0)
            #expect(try await cli.run(["service", "new", "db"]).status == 0)

            let refused = try await cli.run(["volume", "add", "--mount", "/usr/data"])
            #expect(refused.status != 0 && refused.stderr.contains("choose a path under a new top-level folder"), "\(refused)")
            #expect(try await cli.run(["volume", "add", "--mount", "../data"]).status != 0)
            let added = try await cli.run(["volume", "add", "--mount", "/data"])
            try #require(added.status == 0, "\(added)")
            #expect(try await cli.run(["volume", "add", "--mount", "/other"]).stderr.contains("already has a volume"))
            #expect(try await cli.run(["volume"]).stdout.contains("/data"))

            let up = try await cli.run(["up"], timeout: .seconds(120))
            try #require(up.status == 0, "\(up)\n\(server.logs())")
            let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
            let edge = try await server.edgeURL()
            #expect(try await EdgeRequest.get(edge, host: host).body == "starts=1 mount=/data")

            #expect(try await cli.run(["redeploy"], timeout: .seconds(120)).status == 0)
            #expect(try await EdgeRequest.get(edge, host: host).body == "starts=2 mount=/data", "the redeployed app read what the first wrote")

            // A restarted server's replicas (adopted or started again) see the same data.
            _ = await server.stop()
            try await Task.sleep(for: .milliseconds(200))
            let again = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { again.killNow() }
            #expect(try await cli.run(["login", "--server", again.baseURL, "--email", "vol@example.com", "--password", "correct-horse-9"]).status == 0)
            // The replica kept running and was adopted (starts=2); a restart starts it anew on the volume.
            var restarted = try await cli.run(["restart"])
            for _ in 0..<50 where restarted.status != 0 {
                try await Task.sleep(for: .milliseconds(100))  // recovery is still adopting
                restarted = try await cli.run(["restart"])
            }
            #expect(restarted.status == 0, "\(restarted)")
            let newEdge = try await again.edgeURL()
            var body = ""
            for _ in 0..<100 {
                let response = try await EdgeRequest.get(newEdge, host: host)
                body = response.body
                if response.status == 200, body.hasPrefix("starts=3") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(body == "starts=3 mount=/data", "restarted after the server restart, it counted on from the volume: \(body)")
            let stored = try String(contentsOfFile: root.path + "/data/volumes/" + String(added.stdout.split(separator: " ")[2]) + "/starts", encoding: .utf8)
            #expect(stored == "3")
            _ = await again.stop()
        }
    }
}
