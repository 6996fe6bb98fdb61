import Foundation
import RailyardTestSupport
import Testing

extension EndToEndTests {
    /// Issue 7's HTTPS: a custom domain with PEM files and a generated domain with the local CA's
    /// certificate, both over the real binary's HTTPS edge to curl, and the HTTP → HTTPS redirect.
    @Suite("End to end: TLS")
    struct TLSTests {
        static let domain = "shop.example.com"

        /// curl over HTTPS to `host` at the edge's `port` on 127.0.0.1, trusting `caFile`.
        static func https(_ host: String, port: String, caFile: String) throws -> EdgeRequest.Response {
            try EdgeRequest.curl(["--cacert", caFile, "--resolve", "\(host):\(port):127.0.0.1", "https://\(host):\(port)/"])
        }

        @Test("a static site answers over HTTPS at its custom domain (PEM files) and generated domain (local CA); HTTP redirects")
        func httpsForTwoDomains() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            defer { ChildProcess.killMatching(root.path) }
            let server = try await ServerProcess.start(
                dataDirectory: root.path + "/data", logDirectory: root.path, extraArguments: ["--https-port", "0", "--https-redirect"]
            )
            defer { server.killNow() }
            let httpsURL = try await server.printed(after: "railyard HTTPS edge listening on ")
            let port = String(try #require(httpsURL.split(separator: ":").last))
            let localCA = try await server.printed(after: "railyard local CA certificate: ")
            let caKeyMode = try FileManager.default.attributesOfItem(atPath: root.path + "/data/tls/ca/ca-key.pem")[.posixPermissions] as? Int
            #expect(caKeyMode == 0o600)

            let ca = try TestCA()
            let files = try root.subdirectory("certs")
            let good = try ca.issue([Self.domain]), other = try ca.issue(["www.example.org"])
            try good.certificatePEM.write(toFile: files + "/fullchain.pem", atomically: true, encoding: .utf8)
            try good.keyPEM.write(toFile: files + "/privkey.pem", atomically: true, encoding: .utf8)
            try other.certificatePEM.write(toFile: files + "/other.pem", atomically: true, encoding: .utf8)
            try ca.certificatePEM.write(toFile: files + "/ca.pem", atomically: true, encoding: .utf8)

            let site = try DeployPathTests.app(root, "site", ["index.html": "<h1>hello over tls</h1>\n"])
            let cli = try CLIRunner(root: root, workingDirectory: site)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "tls@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "tls"]).status == 0)
            #expect(try await cli.run(["service", "new", "web"]).status == 0)

            let refused = try await cli.run(["domain", "add", Self.domain, "--cert", files + "/other.pem", "--key", files + "/privkey.pem"])
            #expect(refused.status != 0 && refused.stderr.contains("does not belong to the certificate"), "\(refused)")
            let added = try await cli.run(["domain", "add", Self.domain, "--cert", files + "/fullchain.pem", "--key", files + "/privkey.pem"])
            #expect(added.status == 0 && added.stdout.contains("HTTPS for \(Self.domain): certificate for \(Self.domain)"), "\(added)")
            let up = try await cli.run(["up"], timeout: .seconds(120))
            try #require(up.status == 0, "\(up)\n\(server.logs())")
            let generatedURL = try #require(DeployPathTests.url(in: up.stdout).flatMap { URLComponents(string: $0) })
            let generated = try #require(generatedURL.host)

            let custom = try Self.https(Self.domain, port: port, caFile: files + "/ca.pem")
            #expect(custom.status == 200 && custom.body.contains("hello over tls"), "\(custom)")
            let dev = try Self.https(generated, port: port, caFile: localCA)
            #expect(dev.status == 200 && dev.body.contains("hello over tls"), "\(dev)")
            #expect(FileManager.default.fileExists(atPath: root.path + "/data/tls/ca/issued/\(generated).pem"))

            // Plain HTTP to either is sent to HTTPS.
            let edge = try await server.edgeURL()
            let redirect = try EdgeRequest.curl(["-H", "Host: \(Self.domain)", "-o", "/dev/null", "-w", "%{redirect_url}\n%{http_code}", edge + "/a?b=1"])
            #expect(redirect.status == 308 && redirect.body == "https://\(Self.domain):\(port)/a?b=1", "\(redirect)")

            // A restarted server serves both again from what it kept in the data dir.
            _ = await server.stop()
            let again = try await ServerProcess.start(
                dataDirectory: root.path + "/data", logDirectory: root.path, extraArguments: ["--https-port", "0"]
            )
            defer { again.killNow() }
            let newPort = String(try #require(try await again.printed(after: "railyard HTTPS edge listening on ").split(separator: ":").last))
            #expect(try await again.printed(after: "railyard local CA certificate: ") == localCA)
            var restarted = try Self.https(Self.domain, port: newPort, caFile: files + "/ca.pem")
            for _ in 0..<50 where restarted.status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                restarted = try Self.https(Self.domain, port: newPort, caFile: files + "/ca.pem")
            }
            #expect(restarted.status == 200 && restarted.body.contains("hello over tls"), "\(restarted)\n\(again.logs())")
            let devAgain = try Self.https(generated, port: newPort, caFile: localCA)
            #expect(devAgain.status == 200, "\(devAgain)")

            #expect(try await cli.run(["login", "--server", again.baseURL, "--email", "tls@example.com", "--password", "correct-horse-9"]).status == 0)
            let listed = try await cli.run(["domain"])
            #expect(listed.stdout.contains("CERTIFICATE") && listed.stdout.contains("until "), "\(listed)")
            let removed = try await cli.run(["domain", "cert", Self.domain, "--remove"])
            #expect(removed.status == 0 && removed.stdout.contains("Removed the certificate of \(Self.domain)"), "\(removed)")
            let untrusted = try Self.https(Self.domain, port: newPort, caFile: files + "/ca.pem")
            #expect(untrusted.status == 0, "the default certificate does not name \(Self.domain): \(untrusted)")
            _ = await again.stop()
        }
    }
}
