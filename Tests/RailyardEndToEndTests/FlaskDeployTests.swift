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
    }
}
