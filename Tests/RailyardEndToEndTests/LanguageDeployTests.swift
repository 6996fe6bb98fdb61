import Foundation
import Testing

extension EndToEndTests {
    /// Issue 4's end-to-end builds beyond Python, Node and static: a shell app, a Go module and a Swift
    /// package, each built in the sandbox by its real toolchain and answering through the edge; and a
    /// monorepo service built from its root directory with its config file's environment overrides.
    @Suite("End to end: shell, Go and Swift builds; monorepo root directory and environment overrides")
    struct LanguageDeployTests {
        static let shellApp: [String: String] = [
            "start.sh": """
                #!/bin/sh
                echo "shell app starting on $PORT"
                exec python3 -m http.server "$PORT" --bind 0.0.0.0
                """,
            "hello.txt": "hello from shell\n",
        ]

        static let goApp: [String: String] = [
            "go.mod": "module example.com/hello\n\ngo 1.19\n",
            "main.go": """
                package main

                import (
                    "fmt"
                    "net/http"
                    "os"
                )

                func main() {
                    fmt.Println("go app starting")
                    http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
                        fmt.Fprintf(w, "hello from go in %s", os.Getenv("RAILYARD_ENVIRONMENT_NAME"))
                    })
                    if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
                        panic(err)
                    }
                }
                """,
        ]

        /// A Swift package with no dependencies: a tiny HTTP responder on plain sockets.
        static let swiftApp: [String: String] = [
            "Package.swift": """
                // swift-tools-version:5.9
                import PackageDescription

                let package = Package(
                    name: "hello",
                    targets: [.executableTarget(name: "hello", path: "Sources")]
                )
                """,
            "Sources/main.swift": """
                #if canImport(Glibc)
                import Glibc
                #endif

                let port = UInt16(String(cString: getenv("PORT"))) ?? 8080
                let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var yes: Int32 = 1
                setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = INADDR_ANY
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                precondition(bound == 0, "bind failed")
                listen(server, 16)
                print("swift app listening on", port)
                fflush(stdout)
                let body = "hello from swift"
                let response = "HTTP/1.1 200 OK\\r\\nContent-Length: \\(body.utf8.count)\\r\\nConnection: close\\r\\n\\r\\n\\(body)"
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let client = accept(server, nil, nil)
                    if client < 0 { continue }
                    _ = read(client, &buffer, buffer.count)
                    _ = response.withCString { write(client, $0, strlen($0)) }
                    close(client)
                }
                """,
        ]

        @Test("a shell app, a Go module and a Swift package build in the sandbox and answer through the edge")
        func languages() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let cli = try CLIRunner(root: root, workingDirectory: try root.subdirectory("workspace"))
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "lang@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "langs"]).status == 0)

                let apps: [(name: String, files: [String: String], provider: String, path: String, body: String)] = [
                    ("shellapp", Self.shellApp, "shell", "/hello.txt", "hello from shell\n"),
                    ("goapp", Self.goApp, "go", "/", "hello from go in production"),
                    ("swiftapp", Self.swiftApp, "swift", "/", "hello from swift"),
                ]
                for app in apps {
                    let dir = try DeployPathTests.app(root, "workspace/\(app.name)", app.files)
                    #expect(try await cli.run(["link", "--project", "langs"], in: dir).status == 0)
                    #expect(try await cli.run(["service", "new", app.name], in: dir).status == 0)
                    let up = try await cli.run(["up", "--service", app.name], in: dir, timeout: .seconds(600))
                    try #require(up.status == 0, "\(app.name): \(up)\nserver: \(server.logs())")
                    #expect(up.stdout.contains("Detected \(app.provider)"), "\(app.name): \(up.stdout)")
                    let url = try #require(DeployPathTests.url(in: up.stdout), "\(app.name): no URL in \(up.stdout)")
                    let response = try await EdgeRequest.get(edge, host: try #require(EdgeRequest.host(of: url)), path: app.path)
                    #expect(response.status == 200, "\(app.name): \(response)")
                    #expect(response.body == app.body, "\(app.name): \(response)")
                }
            }
        }

        @Test("a monorepo service builds from its root directory, with its environment's overrides, and unknown keys warn")
        func monorepo() async throws {
            try await ServerProcess.withServer { root, server, edge in
                let server_py = """
                    import http.server, os, sys
                    word = sys.argv[1] if len(sys.argv) > 1 else "base"
                    class H(http.server.BaseHTTPRequestHandler):
                        def do_GET(self):
                            body = ("api says " + word).encode()
                            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                            self.wfile.write(body)
                    http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
                    """
                let mono = try DeployPathTests.app(root, "mono", [
                    "README.md": "a monorepo\n",
                    "index.html": "<h1>the repo root is a static site; the api service must not be built from here</h1>",
                    "services/api/main.py": server_py,
                    "services/api/railway.json": """
                        {"deploy": {"startCommand": "python main.py base", "startComand": "typo"},
                         "environments": {"production": {"deploy": {"startCommand": "python main.py production-override"}},
                                          "staging": {"deploy": {"startCommand": "python main.py staging-override"}}}}
                        """,
                ])
                let cli = try CLIRunner(root: root, workingDirectory: mono)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "mono@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "mono"]).status == 0)
                let created = try await cli.run(["service", "new", "api", "--root-directory", "services/api"])
                try #require(created.status == 0, "\(created)")

                // Settings made through the API: the build command applies (the file sets none), the
                // start command loses to the file's.
                let settings = try await cli.run([
                    "service", "settings", "api", "--set", "build.buildCommand=echo settings-build-ran",
                    "deploy.startCommand=python main.py from-settings",
                ])
                try #require(settings.status == 0, "\(settings)")
                let shown = try await cli.run(["service", "settings", "api"])
                #expect(shown.stdout.contains("build.buildCommand") && shown.stdout.contains("echo settings-build-ran"), "\(shown)")

                let up = try await cli.run(["up", "--service", "api"], timeout: .seconds(180))
                try #require(up.status == 0, "\(up)\n\(server.logs())")
                #expect(up.stdout.contains("Building from the root directory services/api"), "\(up.stdout)")
                #expect(up.stdout.contains("Detected python"), "\(up.stdout)")
                #expect(up.stdout.contains("`deploy.startComand` is not a setting Railyard knows"), "\(up.stdout)")
                #expect(up.stdout.contains("settings-build-ran"), "the settings' build command ran: \(up.stdout)")
                let url = try #require(DeployPathTests.url(in: up.stdout))
                let response = try await EdgeRequest.get(edge, host: try #require(EdgeRequest.host(of: url)))
                #expect(response.status == 200 && response.body == "api says production-override", "\(response)")

                // A root directory the uploaded folder does not have fails the deployment and says why.
                let other = try DeployPathTests.app(root, "other", ["index.html": "hi"])
                #expect(try await cli.run(["link", "--project", "mono", "--service", "api"], in: other).status == 0)
                let missing = try await cli.run(["up", "--service", "api"], in: other, timeout: .seconds(120))
                #expect(missing.status != 0)
                #expect((missing.stdout + missing.stderr).contains("root directory 'services/api' is not a folder"), "\(missing)")
                let still = try await EdgeRequest.get(edge, host: try #require(EdgeRequest.host(of: url)))
                #expect(still.body == "api says production-override", "the failed deployment leaves the old one serving: \(still)")
            }
        }
    }
}
