import Foundation
import Testing

extension EndToEndTests {
    /// Issue 7's custom domains: a domain added before the first deploy answers from it, follows
    /// redeploys and a server restart, belongs to one service, and stops answering when removed.
    @Suite("End to end: custom domains")
    struct DomainTests {
        static let domain = "shop.example.com"

        /// GETs `/` on `host` until it answers 200 with a body starting with `prefix` (recovery and
        /// traffic moves take a moment), returning the last answer.
        static func answer(_ edge: String, _ host: String, prefix: String) async throws -> EdgeRequest.Response {
            var response = try await EdgeRequest.get(edge, host: host)
            for _ in 0..<100 where !(response.status == 200 && response.body.hasPrefix(prefix)) {
                try await Task.sleep(for: .milliseconds(100))
                response = try await EdgeRequest.get(edge, host: host)
            }
            return response
        }

        @Test("a custom domain answers from the app through redeploys and a restart, conflicts, and goes when removed")
        func customDomain() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            defer { ChildProcess.killMatching(root.path) }
            let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { server.killNow() }
            let dir = try DeployPathTests.app(root, "web", ["main.py": SupervisorTests.app(word: "v1")])
            let cli = try CLIRunner(root: root, workingDirectory: dir)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "dom@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "doms"]).status == 0)
            #expect(try await cli.run(["service", "new", "web"]).status == 0)

            // Added before the service ever deployed: it starts answering with the first deployment.
            let added = try await cli.run(["domain", "add", "Shop.Example.com"])
            #expect(added.status == 0 && added.stdout.contains("Added \(Self.domain) to service web"), "\(added)")
            #expect(added.stdout.contains("Point its DNS at this server") && added.stdout.contains("answers once the service is deployed"), "\(added)")
            #expect(try await cli.run(["domain", "add", "*.example.com"]).stderr.contains("wildcard domains are not supported yet"))

            let up = try await cli.run(["up"], timeout: .seconds(120))
            try #require(up.status == 0, "\(up)\n\(server.logs())")
            let edge = try await server.edgeURL()
            let first = try await Self.answer(edge, Self.domain, prefix: "v1 ")
            #expect(first.status == 200 && first.body.hasPrefix("v1 "), "\(first)")

            // A second service cannot have it.
            #expect(try await cli.run(["service", "new", "api"]).status == 0)
            let taken = try await cli.run(["domain", "add", Self.domain, "--service", "api"])
            #expect(taken.status != 0 && taken.stderr.contains("\(Self.domain) is already in use by service web"), "\(taken)")

            // A new release takes the custom domain with it.
            try SupervisorTests.app(word: "v2").write(toFile: dir + "/main.py", atomically: true, encoding: .utf8)
            let redeployed = try await cli.run(["up", "--service", "web"], timeout: .seconds(120))
            try #require(redeployed.status == 0, "\(redeployed)")
            let second = try await Self.answer(edge, Self.domain, prefix: "v2 ")
            #expect(second.status == 200 && second.body.hasPrefix("v2 "), "\(second)")
            let listed = try await cli.run(["domain", "--service", "web"])
            #expect(listed.stdout.contains("http://\(Self.domain):") && listed.stdout.contains("custom"), "\(listed)")

            // A restarted server aliases it again at start.
            _ = await server.stop()
            try await Task.sleep(for: .milliseconds(200))
            let again = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { again.killNow() }
            #expect(try await cli.run(["login", "--server", again.baseURL, "--email", "dom@example.com", "--password", "correct-horse-9"]).status == 0)
            let newEdge = try await again.edgeURL()
            let restarted = try await Self.answer(newEdge, Self.domain, prefix: "v2 ")
            #expect(restarted.status == 200 && restarted.body.hasPrefix("v2 "), "\(restarted)\n\(again.logs())")

            let removed = try await cli.run(["domain", "remove", Self.domain, "--service", "web"])
            #expect(removed.status == 0 && removed.stdout.contains("Removed \(Self.domain)"), "\(removed)")
            #expect(try await EdgeRequest.get(newEdge, host: Self.domain).status == 404)
            #expect(try await cli.run(["domain", "remove", Self.domain, "--service", "web"]).status != 0)
            _ = await again.stop()
        }
    }
}
