import Foundation
import Testing

extension EndToEndTests {
    /// Issue 8's autoscaling: a CPU-burning app scales out under load and back in after it.
    @Suite("End to end: autoscaling")
    struct AutoscalingTests {
        static let app = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    sum(i * i for i in range(150000))  # ~20 ms of CPU per request
                    body = b"burned"
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        static let config = """
            {"deploy": {"cpuLimit": 0.2, "startCommand": "python3 main.py",
              "autoscaling": {"minReplicas": 1, "maxReplicas": 3, "targetCPUPercent": 50, "windowSeconds": 4,
                              "scaleDownStabilizationSeconds": 6}}}
            """

        /// Sends requests from 4 threads to `host` through the edge until the file `stop` exists.
        static let load = """
            import os, sys, threading, urllib.request
            edge, host, stop = sys.argv[1], sys.argv[2], sys.argv[3]
            def hammer():
                while not os.path.exists(stop):
                    try:
                        urllib.request.urlopen(urllib.request.Request(edge + "/", headers={"Host": host}), timeout=10).read()
                    except Exception:
                        pass
            threads = [threading.Thread(target=hammer) for _ in range(4)]
            [t.start() for t in threads]; [t.join() for t in threads]
            """

        @Test("under load the replica count rises (the figures logged), and falls back to the minimum after")
        func scaleOutAndIn() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let folder = try DeployPathTests.app(root, "burner", ["main.py": Self.app, "railway.json": Self.config])
                let cli = try CLIRunner(root: root, workingDirectory: folder)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "scale@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "burner"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))

                let stop = root.path + "/stop-load"
                let loadScript = root.path + "/load.py"
                try Self.load.write(toFile: loadScript, atomically: true, encoding: .utf8)
                let load = Process()
                load.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                load.arguments = [loadScript, edge, host, stop]
                try load.run()
                defer {
                    FileManager.default.createFile(atPath: stop, contents: nil)
                    load.waitUntilExit()
                }

                var logs = ""
                for _ in 0..<60 where !logs.contains("Autoscaler: 1 → ") {
                    try await Task.sleep(for: .milliseconds(500))
                    logs = try await cli.run(["logs"]).stdout
                }
                let out = try #require(logs.split(separator: "\n").first { $0.contains("Autoscaler: 1 → ") }, "no scale-out within 30 s of load:\n\(logs)")
                #expect(out.contains("average CPU") && out.contains("(target 50%)"), "the decision names its figures: \(out)")

                FileManager.default.createFile(atPath: stop, contents: nil)
                var scaledIn = false
                for _ in 0..<80 where !scaledIn {
                    try await Task.sleep(for: .milliseconds(500))
                    logs = try await cli.run(["logs"]).stdout
                    scaledIn = logs.split(separator: "\n").contains { $0.contains("Autoscaler:") && $0.contains("→ 1 replica(s)") }
                }
                #expect(scaledIn, "back to one replica within 40 s of the load ending:\n\(logs)")
                #expect(try await EdgeRequest.get(edge, host: host).status == 200)
            }
        }
    }
}
