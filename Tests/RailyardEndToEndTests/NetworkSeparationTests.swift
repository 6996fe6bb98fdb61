import Foundation
import RailyardCore
import RailyardRuntime
import Testing

extension EndToEndTests {
    /// Issue 6's network acceptance: a replica reaches the replicas of its own project-environment and
    /// the public edge, never another project's replicas nor the API's port, and an app listening on
    /// 0.0.0.0 is not reachable on the host's own interfaces.
    @Suite("End to end: private networks")
    struct NetworkSeparationTests {
        static var usable: Bool { getuid() == 0 && NetworkSeparation.available() == nil }

        /// `/where` answers `ADDRESS PORT` (its own address: the source of a route to 10.255.255.254);
        /// `/probe?ADDRESS:PORT` answers `open` or `closed` after a TCP connect of at most 2 s.
        static let app = """
            import http.server, os, socket
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/where":
                        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        s.connect(("10.255.255.254", 9))
                        body = f"{s.getsockname()[0]} {os.environ['PORT']}"
                    elif self.path.startswith("/fetch?"):
                        import urllib.request, urllib.error
                        try:
                            body = urllib.request.urlopen(self.path[len("/fetch?"):], timeout=3).read().decode()
                        except urllib.error.URLError as e:
                            body = "unresolved" if isinstance(e.reason, socket.gaierror) else f"failed: {e.reason}"
                        except OSError as e:
                            body = f"failed: {e}"
                    elif self.path.startswith("/resolve?"):
                        try:
                            body = " ".join(sorted({info[4][0] for info in socket.getaddrinfo(self.path[len("/resolve?"):], 80, socket.AF_INET)}))
                        except socket.gaierror:
                            body = "unresolved"
                    elif self.path.startswith("/env?"):
                        body = os.environ.get(self.path[len("/env?"):], "")
                    elif self.path.startswith("/probe?"):
                        address, port = self.path[len("/probe?"):].rsplit(":", 1)
                        try:
                            socket.create_connection((address, int(port)), timeout=2).close()
                            body = "open"
                        except OSError:
                            body = "closed"
                    else:
                        body = "net " + os.environ["RAILYARD_SERVICE_NAME"]
                    data = body.encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
                    self.wfile.write(data)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """

        /// A deployed service: its public host, and where it listens on its private network.
        struct Placed {
            let host: String
            let address: String
            let port: Int
        }

        static func deploy(
            _ cli: CLIRunner, _ root: TemporaryDirectory, project: String, service: String, edge: String, variables: [String] = []
        ) async throws -> Placed {
            let folder = try DeployPathTests.app(root, "\(project)-\(service)", ["main.py": Self.app])
            #expect(try await cli.run(["link", "--project", project], in: folder).status == 0)
            #expect(try await cli.run(["service", "new", service], in: folder).status == 0)
            if !variables.isEmpty { #expect(try await cli.run(["variables", "--set"] + variables, in: folder).status == 0) }
            let up = try await cli.run(["up", "--service", service], in: folder, timeout: .seconds(120))
            try #require(up.status == 0, "\(up)")
            let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
            let where_ = try await EdgeRequest.get(edge, host: host, path: "/where").body.split(separator: " ")
            try #require(where_.count == 2, "\(where_)")
            return Placed(host: host, address: String(where_[0]), port: try #require(Int(where_[1])))
        }

        static func probe(_ edge: String, from replica: Placed, _ address: String, _ port: Int) async throws -> String {
            try await EdgeRequest.get(edge, host: replica.host, path: "/probe?\(address):\(port)").body
        }

        static func port(of url: String) throws -> Int {
            try #require(URLComponents(string: url)?.port)
        }

        @Test("a replica reaches its own project-environment and the edge, not another project's replicas nor the API", .enabled(if: usable))
        func separation() async throws {
            // The API and the edge listen on every interface: what stops a replica is the firewall.
            try await ServerProcess.withServer(extraArguments: ["--host", "0.0.0.0"]) { root, server, edge in
                let cli = try CLIRunner(root: root, workingDirectory: root.path)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "net@example.com", "--password", "correct-horse-9"]).status == 0)
                for project in ["alpha", "beta"] {
                    #expect(try await cli.run(["init", "--name", project], in: try DeployPathTests.app(root, "init-\(project)", [:])).status == 0)
                }
                let a1 = try await Self.deploy(cli, root, project: "alpha", service: "a1", edge: edge)
                let a2 = try await Self.deploy(cli, root, project: "alpha", service: "a2", edge: edge)
                let b1 = try await Self.deploy(cli, root, project: "beta", service: "b1", edge: edge)
                #expect(a1.address.hasPrefix("10.") && a1.address != a2.address, "replicas have addresses of their own: \(a1), \(a2)")
                #expect(a1.address.split(separator: ".").prefix(3) == a2.address.split(separator: ".").prefix(3), "one subnet per project-environment")
                #expect(a1.address.split(separator: ".").prefix(3) != b1.address.split(separator: ".").prefix(3))

                // Its own project-environment: yes. Another project's replica: no, either way.
                #expect(try await Self.probe(edge, from: a1, a2.address, a2.port) == "open")
                #expect(try await Self.probe(edge, from: a1, b1.address, b1.port) == "closed")
                #expect(try await Self.probe(edge, from: b1, a1.address, a1.port) == "closed")

                // The host: the edge's port, and nothing else — not the API, on any of its addresses.
                let gateway = a1.address.split(separator: ".").prefix(3).joined(separator: ".") + ".1"
                let apiPort = try Self.port(of: server.baseURL), edgePort = try Self.port(of: edge)
                let hostAddresses = try HostAddresses.global()
                try #require(!hostAddresses.isEmpty)
                for address in [gateway] + hostAddresses {
                    #expect(try await Self.probe(edge, from: a1, address, apiPort) == "closed", "the API at \(address):\(apiPort)")
                    #expect(try await Self.probe(edge, from: a1, address, edgePort) == "open", "the edge at \(address):\(edgePort)")
                }
                // A replica's own loopback is its own: the API is not there either.
                #expect(try await Self.probe(edge, from: a1, "127.0.0.1", apiPort) == "closed")

                // An app on 0.0.0.0 is not on the host's interfaces.
                for address in ["127.0.0.1"] + hostAddresses {
                    #expect(!(await PortProbe.answers(host: address, port: a2.port)), "a2's port on the host's \(address)")
                }
                #expect(await PortProbe.answers(host: a2.address, port: a2.port), "the host (the edge) reaches it at its own address")
                #expect(try await EdgeRequest.get(edge, host: a2.host).body == "net a2", "the neighbour is unharmed")

                let shown = try await cli.run(["service", "limits", "a1", "--json"], in: root.path + "/alpha-a1")
                let isolation = try JSONDecoder().decode(ServiceIsolation.self, from: Data(shown.stdout.utf8))
                #expect(isolation.network == "private")
            }
        }
    }
}

extension EndToEndTests.NetworkSeparationTests {
    @Test("<service>.railyard.internal reaches a service's replicas from its own project-environment only, at its own PORT", .enabled(if: usable))
    func privateNames() async throws {
        try await ServerProcess.withServer { root, server, edge in
            let cli = try CLIRunner(root: root, workingDirectory: root.path)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "names@example.com", "--password", "correct-horse-9"]).status == 0)
            for project in ["shop", "other"] {
                #expect(try await cli.run(["init", "--name", project], in: try EndToEndTests.DeployPathTests.app(root, "init-\(project)", [:])).status == 0)
            }
            let api = try await Self.deploy(cli, root, project: "shop", service: "api", edge: edge, variables: ["PORT=80"])
            let web = try await Self.deploy(cli, root, project: "shop", service: "web", edge: edge)
            let spy = try await Self.deploy(cli, root, project: "other", service: "spy", edge: edge)
            #expect(api.port == 80, "the service's own PORT, even below 1024, on its own address")
            #expect(web.port != 80)

            #expect(try await EdgeRequest.get(edge, host: web.host, path: "/env?RAILYARD_PRIVATE_DOMAIN").body == "web.railyard.internal")
            #expect(try await EdgeRequest.get(edge, host: web.host, path: "/resolve?api.railyard.internal").body == api.address)
            #expect(try await EdgeRequest.get(edge, host: web.host, path: "/fetch?http://api.railyard.internal/").body == "net api")
            #expect(try await EdgeRequest.get(edge, host: web.host, path: "/fetch?http://api.railyard.internal:80/where").body == "\(api.address) 80")

            // Another project sees neither the name nor the replica.
            #expect(try await EdgeRequest.get(edge, host: spy.host, path: "/resolve?api.railyard.internal").body == "unresolved")
            #expect(try await EdgeRequest.get(edge, host: spy.host, path: "/fetch?http://\(api.address)/").body.hasPrefix("failed"))
            // Nor does the public edge serve private names.
            #expect(try await EdgeRequest.get(edge, host: "api.railyard.internal").status == 404)

            // The name follows the replicas: two after scaling, each answering.
            let folder = root.path + "/shop-api"
            #expect(try await cli.run(["scale", "2"], in: folder).status == 0)
            var resolved = ""
            for _ in 0..<100 {
                resolved = try await EdgeRequest.get(edge, host: web.host, path: "/resolve?api.railyard.internal").body
                if resolved.split(separator: " ").count == 2 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let addresses = resolved.split(separator: " ").map(String.init)
            #expect(addresses.count == 2 && addresses.contains(api.address), "\(resolved)")
            for address in addresses {
                #expect(try await EdgeRequest.get(edge, host: web.host, path: "/fetch?http://\(address)/").body == "net api")
            }
        }
    }
}

/// The host's own global IPv4 addresses, Railyard's bridges left out.
enum HostAddresses {
    static func global() throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["-4", "-o", "addr", "show", "scope", "global"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, !fields[1].hasPrefix("ryb") else { return nil }
            return fields[3].split(separator: "/").first.map(String.init)
        }
    }
}
