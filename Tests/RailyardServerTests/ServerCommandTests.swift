import ArgumentParser
import Foundation
import RailyardCore
@testable import RailyardServer
import RailyardRuntime
import Testing

@Suite("The server command's flags and environment")
struct ServerCommandTests {
    @Test("defaults")
    func defaults() throws {
        let command = try ServerCommand.parse([])
        let configuration = try command.makeConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 7070)
        #expect(configuration.edgePort == 8080)
        #expect(configuration.baseDomain == "localhost")
        #expect(configuration.publicURL(boundPort: 7070) == "http://localhost:7070")
        #expect(configuration.databaseURL == nil)
        #expect(configuration.dataDirectory.lastPathComponent == ".railyard")
        #expect(configuration.authRateLimit == RateLimitRule(limit: 100, window: 900))
        #expect(configuration.apiRateLimit == RateLimitRule(limit: 1200, window: 60))
        #expect(configuration.sessionTTL == 7 * 24 * 3600)
        #expect(configuration.bcryptCost == 12)
        #expect(!configuration.github.isConfigured)
        #expect(configuration.github.oauthBaseURL == "https://github.com")
        #expect(configuration.github.apiBaseURL == "https://api.github.com")
        #expect(!configuration.trustForwardedFor)
        #expect(configuration.httpsPort == nil && !configuration.httpsRedirect)
    }

    @Test("--https-port turns the HTTPS listener on; --https-redirect needs it")
    func https() throws {
        let on = try ServerCommand.parse(["--https-port", "8443", "--https-redirect"]).makeConfiguration(environment: [:])
        #expect(on.httpsPort == 8443 && on.httpsRedirect)
    }

    @Test("flags and environment variables")
    func flagsAndEnvironment() throws {
        let command = try ServerCommand.parse([
            "--port", "0", "--host", "0.0.0.0", "--edge-port", "9090", "--base-domain", "apps.example.com",
            "--public-url", "https://railyard.example.com/", "--auth-rate-limit", "3/1m", "--github-client-id", "flag-id",
        ])
        let configuration = try command.makeConfiguration(environment: [
            "RAILYARD_DATA": "/tmp/railyard-data", "RAILYARD_DATABASE_URL": "postgres://u@localhost/railyard",
            "GITHUB_CLIENT_ID": "env-id", "GITHUB_CLIENT_SECRET": "env-secret",
            "RAILYARD_GITHUB_OAUTH_URL": "http://127.0.0.1:9999", "RAILYARD_GITHUB_API_URL": "http://127.0.0.1:9998",
        ])
        #expect(configuration.port == 0)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.edgePort == 9090)
        #expect(configuration.baseDomain == "apps.example.com")
        #expect(configuration.publicURL(boundPort: 1) == "https://railyard.example.com")
        #expect(configuration.authRateLimit == RateLimitRule(limit: 3, window: 60))
        #expect(configuration.dataDirectory.path == "/tmp/railyard-data")
        #expect(configuration.databaseURL == "postgres://u@localhost/railyard")
        #expect(configuration.github.clientId == "flag-id")
        #expect(configuration.github.clientSecret == "env-secret")
        #expect(configuration.github.oauthBaseURL == "http://127.0.0.1:9999")
        #expect(configuration.github.apiBaseURL == "http://127.0.0.1:9998")
        let explicit = try ServerCommand.parse(["--data", "/srv/railyard", "--database-url", "postgres://x/y"])
            .makeConfiguration(environment: ["RAILYARD_DATA": "/ignored", "RAILYARD_DATABASE_URL": "postgres://ignored"])
        #expect(explicit.dataDirectory.path == "/srv/railyard")
        #expect(explicit.databaseURL == "postgres://x/y")
    }

    @Test("bad values are one clear error naming the flag", arguments: [
        (["--port", "70000"], "--port"),
        (["--edge-port=-1"], "--edge-port"),
        (["--https-port", "65536"], "--https-port"),
        (["--https-redirect"], "--https-redirect"),
        (["--auth-rate-limit", "lots"], "--auth-rate-limit"),
        (["--api-rate-limit", "5/1d"], "--api-rate-limit"),
        (["--public-url", "railyard.example.com"], "--public-url"),
        (["--max-memory", "lots"], "--max-memory"),
        (["--max-cpu", "0"], "--max-cpu"),
        (["--max-pids", "4"], "--max-pids"),
        (["--github-client-id", "only-the-id"], "--github-client-secret"),
        (["--base-domain", "Bad_Domain"], "--base-domain"),
    ])
    func badValues(arguments: [String], flag: String) throws {
        let command = try ServerCommand.parse(arguments)
        do {
            _ = try command.makeConfiguration(environment: [:])
            Issue.record("expected an error for \(arguments)")
        } catch {
            #expect(error.field == flag)
            #expect(error.message.contains(flag))
        }
    }

    @Test("--edge-* flags set the edge's limits and timeouts; bad values name the flag and the form")
    func edgeFlags() throws {
        let defaults = try ServerCommand.parse([]).makeConfiguration(environment: [:]).edge
        #expect(defaults.maxRequestBodySize == 100 << 20 && defaults.requestHeadTimeout == .seconds(10))
        let set = try ServerCommand.parse([
            "--edge-max-body", "1Gi", "--edge-header-timeout", "2500ms", "--edge-idle-timeout", "2m",
            "--edge-connect-timeout", "1.5s", "--edge-tunnel-idle-timeout", "1h",
        ]).makeConfiguration(environment: [:]).edge
        #expect(set.maxRequestBodySize == 1 << 30)
        #expect(set.requestHeadTimeout == .milliseconds(2500))
        #expect(set.clientIdleTimeout == .seconds(120))
        #expect(set.connectTimeout == .milliseconds(1500))
        #expect(set.tunnelIdleTimeout == .seconds(3600))
        for (arguments, field, says) in [
            (["--edge-max-body", "lots"], "--edge-max-body", "like 100Mi"),
            (["--edge-max-body", "10"], "--edge-max-body", "from 1Ki"),
            (["--edge-header-timeout", "10 s"], "--edge-header-timeout", "like 30s"),
            (["--edge-idle-timeout", "0s"], "--edge-idle-timeout", "from 100ms to 24h"),
            (["--edge-connect-timeout=-1s"], "--edge-connect-timeout", "got '-1s'"),
        ] {
            let command = try ServerCommand.parse(arguments)
            do {
                _ = try command.makeConfiguration(environment: [:])
                Issue.record("\(arguments) was accepted")
            } catch {
                #expect(error.field == field)
                #expect(error.message.contains(says), "\(error.message)")
            }
        }
    }

    @Test("the most a service may ask for: 4 GiB, every CPU and 4096 processes, or what the flags say")
    func maxLimits() throws {
        let defaults = try ServerCommand.parse([]).makeConfiguration(environment: [:]).maxLimits
        #expect(defaults.memoryBytes == 4 << 30 && defaults.pids == 4096)
        #expect(defaults.cpuMillicores == ProcessInfo.processInfo.activeProcessorCount * 1000)
        let set = try ServerCommand.parse(["--max-memory", "8Gi", "--max-cpu", "1500m", "--max-pids", "2048"]).makeConfiguration(environment: [:])
        #expect(set.maxLimits == ResourceLimits(memoryBytes: 8 << 30, cpuMillicores: 1500, pids: 2048))
        #expect(ResourceLimits(memoryBytes: 16 << 30, cpuMillicores: 500, pids: 99_999).clamped(to: set.maxLimits)
            == ResourceLimits(memoryBytes: 8 << 30, cpuMillicores: 500, pids: 2048))
    }

    @Test("run() with a bad value exits non-zero instead of serving")
    func runRejectsBadValues() async throws {
        var command = try ServerCommand.parse(["--port", "70000"])
        await #expect(throws: ExitCode.self) {
            try await command.run()
        }
    }
}
