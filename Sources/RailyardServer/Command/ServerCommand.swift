import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import RailyardCore
import RailyardRuntime
import RailyardStore

/// `railyard server`: runs the control plane until SIGTERM or SIGINT.
///
/// Loads the server secret, opens the store (running migrations), serves the API and prints
/// `railyard API listening on http://HOST:PORT` once bound.
public struct ServerCommand: AsyncParsableCommand {
    /// The command's name (`server`) and help.
    public static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Railyard control plane (API and dashboard).",
        usage: """
            railyard server [<options>]
            railyard server backup --to <file> [--data <data>] [--database-url <database-url>]
            railyard server restore <file> [--force] [--data <data>] [--database-url <database-url>]
            """,
        discussion: """
            State lives in a SQLite file in the data directory unless --database-url names a PostgreSQL \
            server. GitHub sign-in needs --github-client-id and --github-client-secret. \
            `railyard server backup` and `railyard server restore` take the same --data and --database-url.
            """,
        subcommands: [ServerBackupCommand.self, ServerRestoreCommand.self]
    )

    @Option(name: .customLong("data"), help: "Data directory (default ./.railyard, or $RAILYARD_DATA).")
    var data: String?

    @Option(help: "Address to bind the API to.")
    var host: String = "127.0.0.1"

    @Option(help: "API and dashboard port; 0 picks a free one.")
    var port: Int = 7070

    @Option(name: .customLong("edge-port"), help: "Edge proxy port; 0 picks a free one.")
    var edgePort: Int = 8080

    @Option(
        name: .customLong("https-port"),
        help: "Also serve HTTPS on this edge port (0 picks a free one): custom domains' certificates by SNI, the local CA's for the rest."
    )
    var httpsPort: Int?

    @Flag(name: .customLong("https-redirect"), help: "Answer plain HTTP for hosts with a certificate with a 308 to HTTPS (needs --https-port).")
    var httpsRedirect: Bool = false

    @Option(name: .customLong("base-domain"), help: "Domain under which services get their URLs.")
    var baseDomain: String = "localhost"

    @Option(name: .customLong("public-url"), help: "How the outside reaches the API (default http://localhost:<port>).")
    var publicURL: String?

    @Option(name: .customLong("log-retention"), help: "Delete the logs of deployments that no longer run after this long: 14d, 36h.")
    var logRetention: String?

    @Option(name: .customLong("log-max-size"), help: "Keep at most this much log per service and environment (oldest stopped deployments' go first): 512Mi, 2Gi.")
    var logMaxSize: String?

    @Option(
        name: .customLong("metrics-token"),
        help: "Bearer token Prometheus must send to read /metrics (or $RAILYARD_METRICS_TOKEN); without it /metrics is open to whoever reaches the API."
    )
    var metricsToken: String?

    @Option(name: .customLong("database-url"), help: "postgres://… to keep state in PostgreSQL (or $RAILYARD_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("github-client-id"), help: "GitHub OAuth app client id (or $GITHUB_CLIENT_ID).")
    var githubClientId: String?

    @Option(name: .customLong("github-client-secret"), help: "GitHub OAuth app client secret (or $GITHUB_CLIENT_SECRET).")
    var githubClientSecret: String?

    @Option(name: .customLong("auth-rate-limit"), help: "Budget for auth routes per IP, COUNT/WINDOW (s, m, h).")
    var authRateLimit: String = "100/15m"

    @Option(name: .customLong("api-rate-limit"), help: "Budget for other API routes per token, COUNT/WINDOW.")
    var apiRateLimit: String = "1200/1m"

    @Flag(name: .customLong("trust-forwarded-for"), help: "Take client IPs from X-Forwarded-For (only behind your own proxy).")
    var trustForwardedFor: Bool = false

    @Option(name: .customLong("webhook-rate-limit"), help: "Budget for push webhooks per IP, COUNT/WINDOW.")
    var webhookRateLimit: String = "120/1m"

    @Flag(
        name: .customLong("allow-local-git-sources"),
        help: "Let services deploy from repositories on this machine (file:///path); only when every user may read its disk."
    )
    var allowLocalGitSources: Bool = false

    @Flag(
        name: .customLong("require-sandbox"),
        help: "Refuse to start unless apps run in the bubblewrap sandbox, as another user, under cgroup limits, on private networks."
    )
    var requireSandbox: Bool = false

    @Option(name: .customLong("max-memory"), help: "The most memory a service may ask for per replica (e.g. 8Gi); default 4Gi.")
    var maxMemory: String?
    @Option(name: .customLong("max-cpu"), help: "The most CPUs a service may ask for per replica (e.g. 2); default every CPU.")
    var maxCPU: String?
    @Option(name: .customLong("max-pids"), help: "The most processes a service may ask for per replica; default 4096.")
    var maxPids: Int?

    @Flag(
        name: .customLong("no-network-separation"),
        help: "Run replicas on the host's network even where private networks are possible (they can then reach every host port)."
    )
    var noNetworkSeparation: Bool = false

    @OptionGroup(title: "Edge limits and app sleeping")
    var edgeOptions: EdgeOptions

    @Option(name: .customLong("tcp-proxy-ports"), help: "Public ports given to TCP proxies, LOW-HIGH; default 20000-20999.")
    var tcpProxyPorts: String = "20000-20999"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    /// A command with every option at its default (ArgumentParser fills them in).
    public init() {}

    /// Resolves the configuration and serves until shut down.
    public mutating func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try makeConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            Self.fail(error.message)
            throw ExitCode.validationFailure
        }
        var logger = Logger(label: "railyard.server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        do {
            try await Self.serve(configuration: configuration, logger: logger)
        } catch let error as RailyardError {
            Self.fail(error.message)
            throw ExitCode.failure
        } catch {
            Self.fail("\(error) (binding \(configuration.host):\(configuration.port), data in \(configuration.dataDirectory.path))")
            throw ExitCode.failure
        }
    }

    /// One line on stderr saying what went wrong, after the command's name.
    static func fail(_ message: String, command: String = "railyard server") {
        FileHandle.standardError.write(Data("\(command): \(message)\n".utf8))
    }

    /// The configuration these flags and `environment` describe; a bad value is an `invalid_input`
    /// error naming the flag.
    public func makeConfiguration(environment: [String: String]) throws(RailyardError) -> ServerConfiguration {
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        for (flag, value) in [("--port", port), ("--edge-port", edgePort), ("--https-port", httpsPort ?? 0)] where !(0...65535).contains(value) {
            throw .invalid(flag, "\(flag) must be between 0 and 65535 (got \(value))")
        }
        if httpsRedirect, httpsPort == nil {
            throw .invalid("--https-redirect", "--https-redirect needs --https-port: without an HTTPS listener there is nowhere to redirect to")
        }
        guard !host.isEmpty else { throw .invalid("--host", "--host must not be empty") }
        try Validation.dnsLabel(baseDomain.split(separator: ".").first.map(String.init) ?? "", field: "--base-domain")
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw .invalid("--public-url", "--public-url must start with http:// or https:// (got '\(publicURL)')")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw .invalid("--log-level", "--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let dataDirectory = self.dataDirectory(environment: environment)
        var github = GitHubConfiguration(
            clientId: nonEmpty(githubClientId) ?? nonEmpty(environment["GITHUB_CLIENT_ID"]),
            clientSecret: nonEmpty(githubClientSecret) ?? nonEmpty(environment["GITHUB_CLIENT_SECRET"])
        )
        if let url = nonEmpty(environment["RAILYARD_GITHUB_OAUTH_URL"]) { github.oauthBaseURL = url }
        if let url = nonEmpty(environment["RAILYARD_GITHUB_API_URL"]) { github.apiBaseURL = url }
        if (github.clientId == nil) != (github.clientSecret == nil) {
            throw .invalid(
                "--github-client-secret", "GitHub sign-in needs both --github-client-id and --github-client-secret"
            )
        }
        var configuration = ServerConfiguration(
            dataDirectory: dataDirectory, host: host, port: port, edgePort: edgePort, baseDomain: baseDomain,
            publicURL: nonEmpty(publicURL), databaseURL: databaseURL(environment: environment),
            github: github,
            authRateLimit: try RateLimitRule(parsing: authRateLimit, field: "--auth-rate-limit"),
            apiRateLimit: try RateLimitRule(parsing: apiRateLimit, field: "--api-rate-limit"),
            trustForwardedFor: trustForwardedFor,
            allowLocalGitSources: allowLocalGitSources,
            requireSandbox: requireSandbox,
            webhookRateLimit: try RateLimitRule(parsing: webhookRateLimit, field: "--webhook-rate-limit"),
            separateNetworks: !noNetworkSeparation,
            maxLimits: try maxLimits(),
            edge: try edgeOptions.configuration(),
            sleepAfter: try edgeOptions.sleepAfterDuration(),
            httpsPort: httpsPort,
            httpsRedirect: httpsRedirect,
            tcpProxyPorts: try Self.portRange(tcpProxyPorts, field: "--tcp-proxy-ports"),
            metricsToken: try metricsToken(environment: environment)
        )
        if let logRetention {
            let units: [Character: Double] = ["d": 86_400, "h": 3600]
            guard let unit = logRetention.last.flatMap({ units[$0] }), let value = Double(logRetention.dropLast()), value > 0,
                (3600...3650 * 86_400).contains(value * unit)
            else { throw .invalid("--log-retention", "--log-retention must be hours or days from 1h to 3650d, like 14d or 36h (got '\(logRetention)')") }
            configuration.logRetention = value * unit
        }
        if let logMaxSize {
            guard let bytes = ResourceQuantity.bytes(logMaxSize), bytes >= 1 << 20 else {
                throw .invalid("--log-max-size", "--log-max-size must be a size of at least 1Mi, like 512Mi or 2Gi (got '\(logMaxSize)')")
            }
            configuration.logMaxBytes = bytes
        }
        if let text = environment["RAILYARD_USAGE_INTERVAL"], !text.isEmpty {
            guard let seconds = Int(text), (1...60).contains(seconds) else {
                throw .invalid("RAILYARD_USAGE_INTERVAL", "RAILYARD_USAGE_INTERVAL must be whole seconds from 1 to 60 (got '\(text)')")
            }
            configuration.usageInterval = .seconds(seconds)
        }
        return configuration
    }

    /// `--metrics-token`, else `$RAILYARD_METRICS_TOKEN`: at least 16 characters when given.
    func metricsToken(environment: [String: String]) throws(RailyardError) -> String? {
        let given = [metricsToken, environment["RAILYARD_METRICS_TOKEN"]].compactMap { $0 }.first { !$0.isEmpty }
        guard let token = given else { return nil }
        guard token.count >= 16 else {
            throw .invalid("--metrics-token", "--metrics-token must be at least 16 characters (e.g. `openssl rand -hex 16`)")
        }
        return token
    }

    /// A `LOW-HIGH` range of ports (1–65535, LOW ≤ HIGH).
    static func portRange(_ text: String, field: String) throws(RailyardError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1 <= low, low <= high, high <= 65535 else {
            throw .invalid(field, "\(field) must be a range of ports LOW-HIGH from 1 to 65535, like 20000-20999 (got '\(text)')")
        }
        return low...high
    }

    /// `--max-memory`, `--max-cpu` and `--max-pids` over the defaults, checked like the keys they cap.
    func maxLimits() throws(RailyardError) -> ResourceLimits {
        var limits = ServerConfiguration.defaultMaxLimits
        if let maxMemory {
            guard let bytes = ResourceQuantity.bytes(maxMemory), ServiceConfig.memoryLimitRange.contains(bytes) else {
                throw RailyardError(.invalidInput, "--max-memory must be a memory size from 32Mi to 1024Gi, like 8Gi", field: "--max-memory")
            }
            limits.memoryBytes = bytes
        }
        if let maxCPU {
            guard let cpus = ResourceQuantity.cpus(maxCPU), ServiceConfig.cpuLimitRange.contains(cpus) else {
                throw RailyardError(.invalidInput, "--max-cpu must be from 0.01 to 256 CPUs, like 2 or 500m", field: "--max-cpu")
            }
            limits.cpuMillicores = max(1, Int((cpus * 1000).rounded()))
        }
        if let maxPids {
            guard ServiceConfig.pidsLimitRange.contains(maxPids) else {
                throw RailyardError(.invalidInput, "--max-pids must be from 16 to 4194304", field: "--max-pids")
            }
            limits.pids = maxPids
        }
        return limits
    }

    /// Runs the control plane with `configuration` until a shutdown signal (or cancellation), then
    /// closes the store. `onListening` is told the bound address; by default it prints the
    /// `railyard API listening on …` line.
    public static func serve(
        configuration: ServerConfiguration, logger: Logger,
        onListening: @escaping @Sendable (_ url: String) -> Void = ServerCommand.announce
    ) async throws {
        if configuration.requireSandbox {
            let network = configuration.separateNetworks ? NetworkSeparation.available() : "--no-network-separation was given"
            let missing = SandboxCheck.missing(isolation: .detect(), cgroups: CgroupVersion.usable(), network: network)
            guard missing.isEmpty else {
                throw RailyardError(
                    .invalidInput, "--require-sandbox: this machine cannot give apps \(missing.joined(separator: "; ")); fix that or drop the flag"
                )
            }
        }
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        // Others may pass through (to reach an app's folder) but not list or read what is inside.
        _ = chmod(configuration.dataDirectory.path, 0o711)
        let secret = try ServerSecret.load(dataDirectory: configuration.dataDirectory)
        let location = try StoreLocation.resolve(
            databaseURL: configuration.databaseURL, dataDirectory: configuration.dataDirectory
        )
        logger.info("opening store", metadata: ["store.location": "\(location.redacted)"])
        let store = try await SQLStore.open(location, secret: secret, logger: logger)
        do {
            let app = try await RailyardApp.buildApplication(
                configuration: configuration, store: store, secret: secret, logger: logger, httpClient: .shared
            ) { host, port in
                let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                logger.info("railyard API listening", metadata: ["http.address": "\(address)"])
                onListening(address)
            } onEdgeListening: { host, port in
                let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                FileHandle.standardOutput.write(Data("railyard edge listening on \(address)\n".utf8))
            } onHTTPSListening: { host, port, certificateAuthority in
                let address = "https://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                FileHandle.standardOutput.write(Data("""
                    railyard HTTPS edge listening on \(address)
                    railyard local CA certificate: \(certificateAuthority.path) (trust it for HTTPS on development domains, e.g. curl --cacert)

                    """.utf8))
            }
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            await close(store, logger: logger)
            throw error
        }
        await close(store, logger: logger)
        logger.info("railyard stopped")
    }

    /// Closes the store in a task of its own, so that it closes even when the caller was cancelled.
    private static func close(_ store: SQLStore, logger: Logger) async {
        do {
            try await Task { try await store.close() }.value
        } catch {
            logger.error("closing the store failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Prints `railyard API listening on URL` straight to fd 1 (unbuffered): tests and scripts
    /// wait for this line.
    @Sendable public static func announce(_ url: String) {
        FileHandle.standardOutput.write(Data("railyard API listening on \(url)\n".utf8))
    }
}
