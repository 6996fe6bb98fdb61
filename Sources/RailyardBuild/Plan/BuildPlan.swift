import RailyardCore

/// What to do with an app's source: the detected provider, the shell commands that install and
/// build it, and how it runs — a start command for a process, or a folder the edge serves.
/// Exactly one of `start` and `staticRoot` is set.
public struct BuildPlan: Codable, Sendable, Equatable {
    /// `staticfile`, `python`, `node`, `go`, `ruby`, `php`, `swift`, `shell`, `procfile`, or `custom`
    /// (only a configured start command).
    public var provider: String
    /// Shell commands run in the app folder to install dependencies.
    public var install: [String]
    /// Shell commands run in the app folder after `install`.
    public var build: [String]
    /// The command a replica runs (through `/bin/sh -c`); nil for a static site.
    public var start: String?
    /// The folder (relative to the app folder) the edge serves, for a static site.
    public var staticRoot: String?
    /// Folders relative to the app folder prepended to `PATH` at build and run time.
    public var paths: [String]
    /// The parsed `railway.json` / `railway.toml` / `railyard.toml` (defaults when absent).
    public var config: ServiceConfig
    /// The config file that was read, or nil when there was none.
    public var configFile: String?
    /// What in the config file was ignored (unknown keys), one sentence each; shown in the build log.
    public var warnings: [String] = []
    /// Dependency installs the build may reuse from an earlier build of the same service.
    public var cache: [BuildCacheEntry]

    /// A plan; everything but the provider defaults to empty.
    public init(
        provider: String, install: [String] = [], build: [String] = [], start: String? = nil,
        staticRoot: String? = nil, paths: [String] = [], config: ServiceConfig = ServiceConfig(), configFile: String? = nil,
        cache: [BuildCacheEntry] = []
    ) {
        self.provider = provider
        self.install = install
        self.build = build
        self.start = start
        self.staticRoot = staticRoot
        self.paths = paths
        self.config = config
        self.configFile = configFile
        self.cache = cache
    }
}
