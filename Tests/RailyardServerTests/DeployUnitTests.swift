import Foundation
import RailyardCore
@testable import RailyardServer
import RailyardRuntime
import Testing

/// The deploy path's pure parts: host names, the release environment, static roots.
@Suite("Deploy: pure parts")
struct DeployUnitTests {
    @Test("generated hosts are one DNS label of at most 63 characters, with suffixed fallbacks")
    func generatedHosts() throws {
        let hosts = GeneratedDomain.candidates(service: "web", environment: "production", project: "shop", baseDomain: "localhost", seed: "s/e")
        #expect(hosts.first == "web-production-shop.localhost")
        #expect(Set(hosts).count == hosts.count)
        let long = GeneratedDomain.candidates(
            service: String(repeating: "s", count: 40), environment: "production", project: String(repeating: "p", count: 40),
            baseDomain: "apps.example.com", seed: "x"
        )
        for host in long {
            let label = String(host.split(separator: ".")[0])
            try Validation.dnsLabel(label, field: "host")
        }
    }

    func release(shared: [String: String] = [:], own: [String: String] = [:]) -> ReleaseEnvironment {
        let now = Date()
        return ReleaseEnvironment(
            project: Project(id: "p1", workspaceId: "w1", name: "shop", description: "", createdAt: now, updatedAt: now),
            environment: RailyardCore.Environment(id: "e1", projectId: "p1", name: "production", createdAt: now),
            service: Service(id: "s1", projectId: "p1", name: "web", source: .upload, createdAt: now, updatedAt: now),
            deploymentId: "d1", publicHost: "web-production-shop.localhost", shared: shared, own: own
        )
    }

    @Test("a release sees Railway's names, the service's variables over shared ones, and Railyard's PORT")
    func environment() {
        let env = release(shared: ["A": "shared", "B": "shared"], own: ["B": "own", "PORT": "1", "RAILWAY_SERVICE_NAME": "x"])
            .processEnvironment(port: 4000, replicaId: "r1", paths: [".venv/bin"], appDirectory: URL(fileURLWithPath: "/app"))
        #expect(env["A"] == "shared" && env["B"] == "own")
        #expect(env["PORT"] == "4000")
        #expect(env["RAILWAY_SERVICE_NAME"] == "web" && env["RAILYARD_SERVICE_NAME"] == "web")
        #expect(env["RAILWAY_PUBLIC_DOMAIN"] == "web-production-shop.localhost")
        #expect(env["RAILYARD_PRIVATE_DOMAIN"] == "web.railyard.internal")
        #expect(env["PATH"]?.hasPrefix("/app/.venv/bin:") == true)
    }

    @Test("a deployment from git sees its commit under both prefixes; an upload sees none")
    func gitVariables() {
        var release = release()
        release.service.source = ServiceSource(repo: "https://github.com/acme/shop.git")
        release.commit = .init(sha: "9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e", message: "Fix the header", author: "Ada")
        let env = release.processEnvironment(port: nil, replicaId: nil, paths: [], appDirectory: URL(fileURLWithPath: "/app"))
        for prefix in ["RAILYARD_", "RAILWAY_"] {
            #expect(env[prefix + "GIT_COMMIT_SHA"] == "9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e")
            #expect(env[prefix + "GIT_COMMIT_MESSAGE"] == "Fix the header")
            #expect(env[prefix + "GIT_AUTHOR"] == "Ada")
            #expect(env[prefix + "GIT_BRANCH"] == "main")
            #expect(env[prefix + "GIT_REPO"] == "https://github.com/acme/shop.git")
        }
        let upload = self.release().processEnvironment(port: nil, replicaId: nil, paths: [], appDirectory: URL(fileURLWithPath: "/app"))
        #expect(upload.keys.allSatisfy { !$0.contains("_GIT_") })
    }

    @Test("loader variables never reach a process: the wrappers run with the server's privileges")
    func loaderVariables() {
        let env = release(own: ["LD_PRELOAD": "./evil.so", "LD_LIBRARY_PATH": "/x", "GCONV_PATH": "/x", "FINE": "yes"])
            .processEnvironment(port: nil, replicaId: nil, paths: [], appDirectory: URL(fileURLWithPath: "/app"))
        #expect(env["LD_PRELOAD"] == nil && env["LD_LIBRARY_PATH"] == nil && env["GCONV_PATH"] == nil)
        #expect(env["FINE"] == "yes")
    }

    @Test("a network's hosts file keeps the host's lines, drops stale private names, and lists each replica once")
    func privateHosts() {
        let host = "127.0.0.1 localhost\n10.9.9.9 old.railyard.internal\n::1 localhost ip6-localhost\n\n"
        let hosts = ReplicaNetworks.hosts(host: host, published: [("web", "10.100.1.3"), ("api", "10.100.1.4"), ("api", "10.100.1.2")])
        #expect(hosts == """
            127.0.0.1 localhost
            ::1 localhost ip6-localhost
            # Railyard private network
            10.100.1.2 api.railyard.internal
            10.100.1.4 api.railyard.internal
            10.100.1.3 web.railyard.internal

            """)
        #expect(ReplicaNetworks.hosts(host: "", published: []) == "\n# Railyard private network\n")
    }

    @Test("a replica address names its network and host number; other addresses name nothing")
    func replicaPlaces() throws {
        for (network, host) in [(0, 2), (257, 9), (32767, 254)] {
            let address = try NetworkAddress(number: network).replicaAddress(host: host)
            #expect(ReplicaNetworks.place(of: address)! == (network, host))
        }
        for other in ["127.0.0.1", "10.99.0.2", "10.228.0.2", "10.100.0.1", "10.100.0.255", "10.100.0", "x"] {
            #expect(ReplicaNetworks.place(of: other) == nil, "\(other)")
        }
    }

    @Test("a static root must stay inside the app and hold an index.html")
    func staticRoot() throws {
        let app = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-static-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: app) }
        try FileManager.default.createDirectory(at: app.appendingPathComponent("public"), withIntermediateDirectories: true)
        try "hi".write(to: app.appendingPathComponent("public/index.html"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("out").path, withDestinationPath: "/usr/share")
        #expect(try Deployer.staticRoot("public", in: app).lastPathComponent == "public")
        #expect(throws: RailyardError.self) { try Deployer.staticRoot("out", in: app) }
        #expect(throws: RailyardError.self) { try Deployer.staticRoot("../", in: app) }
        #expect(throws: RailyardError.self) { try Deployer.staticRoot(".", in: app) }
    }
}

@Suite("Deploy: deadlines")
struct DeadlineTests {
    @Test("a body that overruns its deadline is cancelled and fails with the message")
    func overrun() async throws {
        let started = ContinuousClock.now
        let error = await #expect(throws: RailyardError.self) {
            try await withDeadline(.milliseconds(100), message: "too slow") {
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        #expect(error?.message == "too slow")
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a body that finishes in time returns its value")
    func inTime() async throws {
        #expect(try await withDeadline(.seconds(10), message: "x") { 42 } == 42)
    }
}
