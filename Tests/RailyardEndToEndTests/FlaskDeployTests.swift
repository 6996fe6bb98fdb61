import Foundation
import Testing

extension EndToEndTests {
    /// Issue 4's first end-to-end build: a Python app with a real PyPI dependency (Flask), installed
    /// into the app's venv inside the build sandbox, served through the edge.
    @Suite("End to end: a Flask app with its PyPI dependency")
    struct FlaskDeployTests {
        @Test("up installs Flask into a venv and the app answers through the edge")
        func flask() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let app = try DeployPathTests.app(root, "flaskapp", [
                    "requirements.txt": "flask\n",
                    "app.py": """
                        import os
                        from flask import Flask
                        app = Flask(__name__)
                        @app.get("/")
                        def index():
                            return "hello from flask"
                        if __name__ == "__main__":
                            app.run(host="0.0.0.0", port=int(os.environ["PORT"]))
                        """,
                ])
                let cli = try CLIRunner(root: root, workingDirectory: app)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "f@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "flaskdemo"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(300))
                try #require(up.status == 0, "\(up)\n\(server.logs())")
                #expect(up.stdout.contains("Successfully installed") || up.stdout.contains("flask"), "\(up.stdout)")
                let url = try #require(DeployPathTests.url(in: up.stdout))
                let response = try await EdgeRequest.get(edge, host: try #require(EdgeRequest.host(of: url)))
                #expect(response.status == 200 && response.body == "hello from flask", "\(response)")
            }
        }

        @Test("a redeploy that only changes app.py reuses the cached venv and serves the new code")
        func cachedRedeploy() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer {
                server.killNow()
                ChildProcess.killMatching(root.path)
            }
            let edge = try await server.edgeURL()
            func files(_ greeting: String) -> [String: String] {
                ["requirements.txt": "flask\n", "app.py": """
                    import os
                    from flask import Flask
                    app = Flask(__name__)
                    @app.get("/")
                    def index():
                        return "\(greeting)"
                    if __name__ == "__main__":
                        app.run(host="0.0.0.0", port=int(os.environ["PORT"]))
                    """]
            }
            let app = try DeployPathTests.app(root, "cachedflask", files("first version"))
            let cli = try CLIRunner(root: root, workingDirectory: app)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "c@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "cachedflask"]).status == 0)
            let first = try await cli.run(["up"], timeout: .seconds(300))
            try #require(first.status == 0, "\(first)\n\(server.logs())")
            #expect(first.stdout.contains("No cached dependency install for python"), "\(first.stdout)")
            #expect(first.stdout.contains("Saved the dependency install for python to the build cache"), "\(first.stdout)")

            _ = try DeployPathTests.app(root, "cachedflask", ["app.py": files("second version")["app.py"]!])
            let second = try await cli.run(["up"], timeout: .seconds(120))
            try #require(second.status == 0, "\(second)\n\(server.logs())")
            #expect(second.stdout.contains("Reusing cached dependency install (python: requirements.txt unchanged, key "), "\(second.stdout)")
            #expect(!second.stdout.contains("$ .venv/bin/pip install"), "\(second.stdout)")
            let url = try #require(DeployPathTests.url(in: second.stdout))
            let response = try await EdgeRequest.get(edge, host: try #require(EdgeRequest.host(of: url)))
            #expect(response.status == 200 && response.body == "second version", "\(response)")
            // The cache is the server's: under the data dir, per service, out of the sandbox's reach.
            let services = try FileManager.default.contentsOfDirectory(atPath: root.path + "/data/cache")
            #expect(services.count == 1)
            await server.stop()
        }
    }
}
