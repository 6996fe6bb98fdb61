import Foundation
import Testing

extension EndToEndTests {
    /// Issue 3's acceptance: `railyard up` of a static site, a Python app and a Node app through a real
    /// server and the real CLI; each answers through the edge; a broken build fails and the previous
    /// version keeps answering.
    @Suite("End to end: the deploy path")
    struct DeployPathTests {
        /// Writes `files` (relative path → contents) into a new folder under `root`.
        static func app(_ root: TemporaryDirectory, _ name: String, _ files: [String: String]) throws -> String {
            let dir = try root.subdirectory(name)
            for (path, contents) in files {
                let url = URL(fileURLWithPath: dir).appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
            return dir
        }

        /// The `http://…` URL `railyard up` printed.
        static func url(in output: String) -> String? {
            output.split(whereSeparator: \.isWhitespace).map(String.init).last { $0.hasPrefix("http://") }
        }

        @Test("up deploys a static site, a Python app and a Node app; a broken build leaves the old one serving")
        func deployThree() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer {
                server.killNow()
                // Replicas outlive the server by design; end the ones this test started.
                ChildProcess.killMatching(root.path)
            }
            let edge = try await server.edgeURL()

            let home = try root.subdirectory("workspace")
            let cli = try CLIRunner(root: root, workingDirectory: home)
            let signup = try await cli.run(["signup", "--server", server.baseURL, "--email", "deploy@example.com", "--password", "correct-horse-9"])
            try #require(signup.status == 0, "\(signup)")
            let initialized = try await cli.run(["init", "--name", "demo"])
            try #require(initialized.status == 0, "\(initialized)")

            let site = try Self.app(root, "workspace/site", ["index.html": "<h1>hello static</h1>\n"])
            let python = try Self.app(root, "workspace/pyapp", [
                "requirements.txt": "# no dependencies\n",
                "main.py": """
                    import http.server, os
                    print("python app booting on", os.environ["PORT"], flush=True)
                    class H(http.server.BaseHTTPRequestHandler):
                        def do_GET(self):
                            body = ("hello from python in " + os.environ.get("RAILWAY_ENVIRONMENT_NAME", "?")).encode()
                            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                            self.wfile.write(body)
                    http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
                    """,
            ])
            let node = try Self.app(root, "workspace/nodeapp", [
                "package.json": #"{"name": "nodeapp", "version": "1.0.0", "scripts": {"start": "node server.js"}}"#,
                "server.js": """
                    const http = require('http');
                    console.log('node app booting');
                    http.createServer((req, res) => res.end('hello from node')).listen(process.env.PORT);
                    """,
            ])

            var urls: [String: String] = [:]
            for (name, dir) in [("site", site), ("pyapp", python), ("nodeapp", node)] {
                // `up` packs the linked folder, so each app folder gets a link of its own.
                let linked = try await cli.run(["link", "--project", "demo"], in: dir)
                try #require(linked.status == 0, "\(linked)")
                let created = try await cli.run(["service", "new", name], in: dir)
                try #require(created.status == 0, "\(created)")
                let up = try await cli.run(["up", "--service", name], in: dir, timeout: .seconds(180))
                try #require(up.status == 0, "\(name): \(up)\nserver: \(server.logs())")
                let url = try #require(Self.url(in: up.stdout), "no URL in: \(up.stdout)")
                urls[name] = url
            }

            // `open` names the dashboard's page of the linked service (no browser here: it prints).
            let status = try JSONSerialization.jsonObject(with: Data(try await cli.run(["status", "--json"], in: site).stdout.utf8)) as? [String: Any]
            let projectId = try #require((status?["project"] as? [String: Any])?["id"] as? String)
            let environmentId = try #require((status?["environment"] as? [String: Any])?["id"] as? String)
            let siteId = try #require((status?["service"] as? [String: Any])?["id"] as? String)
            let opened = try await cli.run(["open", "--print"], in: site)
            #expect(opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(server.baseURL)/#/projects/\(projectId)/environments/\(environmentId)/services/\(siteId)", "\(opened)")
            let other = try await cli.run(["open", "--print", "--service", "nosuch"], in: site)
            #expect(other.status != 0 && other.stderr.contains("nosuch"), "\(other)")

            let siteResponse = try await EdgeRequest.get(edge, host: EdgeRequest.host(of: urls["site"]!)!)
            #expect(siteResponse.status == 200 && siteResponse.body.contains("hello static"), "\(siteResponse)")
            let pythonResponse = try await EdgeRequest.get(edge, host: EdgeRequest.host(of: urls["pyapp"]!)!)
            #expect(pythonResponse.status == 200 && pythonResponse.body == "hello from python in production", "\(pythonResponse)")
            let nodeResponse = try await EdgeRequest.get(edge, host: EdgeRequest.host(of: urls["nodeapp"]!)!)
            #expect(nodeResponse.status == 200 && nodeResponse.body == "hello from node", "\(nodeResponse)")
            #expect(EdgeRequest.host(of: urls["pyapp"]!) == "pyapp-production-demo.localhost")

            let unknown = try await EdgeRequest.get(edge, host: "nothing-here.localhost")
            #expect(unknown.status == 404, "\(unknown)")

            // The app's own output is in its logs.
            let logs = try await cli.run(["logs", "--service", "pyapp"], in: python)
            #expect(logs.status == 0 && logs.stdout.contains("python app booting"), "\(logs)")
            let nodeLogs = try await cli.run(["logs", "--service", "nodeapp"], in: node)
            #expect(nodeLogs.stdout.contains("node app booting"), "\(nodeLogs)")

            // A broken build: FAILED, the log names the command, the previous release keeps answering.
            // The build runs sandboxed too: the data dir (database, secret key) is not there to read.
            let key = root.path + "/data/secret.key"
            try #require(FileManager.default.fileExists(atPath: key))
            try #"{"build": {"buildCommand": "test ! -e \#(key) && echo sandboxed-build; echo compiling && exit 7"}}"#
                .write(toFile: python + "/railway.json", atomically: true, encoding: .utf8)
            let broken = try await cli.run(["up", "--service", "pyapp"], in: python, timeout: .seconds(180))
            #expect(broken.status != 0, "\(broken)")
            let output = broken.stdout + broken.stderr
            #expect(output.contains("FAILED"), "\(broken)")
            #expect(output.contains("echo compiling && exit 7"), "\(broken)")
            #expect(output.contains("sandboxed-build"), "the build could see the data dir: \(broken)")
            let still = try await EdgeRequest.get(edge, host: EdgeRequest.host(of: urls["pyapp"]!)!)
            #expect(still.status == 200 && still.body == "hello from python in production", "\(still)")

            // `redeploy` rebuilds the latest source (still broken), `domain` prints the URL, and `run`
            // hands the service's variables to a local command.
            let domain = try await cli.run(["domain", "--service", "pyapp"], in: python)
            #expect(domain.status == 0 && domain.stdout.contains(urls["pyapp"]!), "\(domain)")
            #expect(try await cli.run(["variables", "--service", "pyapp", "--set", "GREETING=hello-run"], in: python).status == 0)
            let run = try await cli.run(["run", "--service", "pyapp", "printenv", "GREETING"], in: python)
            #expect(run.status == 0 && run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "hello-run", "\(run)")
            try FileManager.default.removeItem(atPath: python + "/railway.json")
            let fixed = try await cli.run(["up", "--service", "pyapp"], in: python, timeout: .seconds(180))
            #expect(fixed.status == 0, "\(fixed)")
            let redeployed = try await cli.run(["redeploy", "--service", "pyapp"], in: python, timeout: .seconds(180))
            #expect(redeployed.status == 0, "\(redeployed)")

            // `down` takes the service off the edge.
            let down = try await cli.run(["down", "--service", "nodeapp"], in: node)
            #expect(down.status == 0, "\(down)")
            let gone = try await EdgeRequest.get(edge, host: EdgeRequest.host(of: urls["nodeapp"]!)!)
            #expect(gone.status == 503, "\(gone)")

            // Build caches: a service's stays; one whose service is gone (deleted while no server
            // ran, or a store restored from an older backup) goes when the server starts.
            let caches = root.path + "/data/cache"
            let orphan = caches + "/no-such-service-\(UUID().uuidString.prefix(6))"
            for folder in [orphan, caches + "/" + siteId] {
                try FileManager.default.createDirectory(atPath: folder + "/pip", withIntermediateDirectories: true)
            }

            // A restarted server brings back what was live: the static site and the Python app.
            await server.stop()
            let again = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { again.killNow() }
            let newEdge = try await again.edgeURL()
            var revived = try await EdgeRequest.get(newEdge, host: EdgeRequest.host(of: urls["pyapp"]!)!)
            for _ in 0..<100 where revived.status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                revived = try await EdgeRequest.get(newEdge, host: EdgeRequest.host(of: urls["pyapp"]!)!)
            }
            #expect(revived.status == 200 && revived.body == "hello from python in production", "\(revived)\n\(again.logs())")
            #expect(try await EdgeRequest.get(newEdge, host: EdgeRequest.host(of: urls["site"]!)!).status == 200)
            // Releases that will never run again (replaced, failed, taken down) leave no built app
            // behind: only the two live ones keep theirs.
            let artifacts = root.path + "/data/artifacts"
            var left = try FileManager.default.contentsOfDirectory(atPath: artifacts)
            for _ in 0..<100 where left.count != 2 {
                try await Task.sleep(for: .milliseconds(100))
                left = try FileManager.default.contentsOfDirectory(atPath: artifacts)
            }
            #expect(left.count == 2, "built apps left: \(left)")
            for _ in 0..<100 where FileManager.default.fileExists(atPath: orphan) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!FileManager.default.fileExists(atPath: orphan), "an orphaned build cache stayed")
            #expect(FileManager.default.fileExists(atPath: caches + "/" + siteId), "a live service's build cache went")
            // Recovery routes the hosts with nothing live last (a 503 page instead of "unknown host"):
            // on a loaded machine that may come a moment after the Python app answers.
            var takenDown = try await EdgeRequest.get(newEdge, host: EdgeRequest.host(of: urls["nodeapp"]!)!)
            for _ in 0..<100 where takenDown.status == 404 {
                try await Task.sleep(for: .milliseconds(100))
                takenDown = try await EdgeRequest.get(newEdge, host: EdgeRequest.host(of: urls["nodeapp"]!)!)
            }
            #expect(takenDown.status == 503, "\(takenDown)")
            await again.stop()
        }
    }
}
