import Foundation

/// Everything needed to start one replica of a release.
public struct ReplicaSpec: Sendable, Equatable {
    /// The shell command that starts the app (run with `/bin/sh -c`).
    public var command: String
    /// The app directory: the working directory, and the only writable place in a sandbox.
    public var appDirectory: URL
    /// The full environment of the process (PORT and the injected variables included).
    public var environment: [String: String]
    /// Where stdout and stderr are appended.
    public var logFile: URL
    /// Directories the app must never see (the data dir); hidden inside the sandbox.
    public var hiddenPaths: [String]
    /// Host folders bound writable into the sandbox at a path of its own (volumes): source → mount path.
    public var volumes: [Mount]
    /// The cgroup whose limits the process starts under (created by the caller), if any.
    public var cgroup: Cgroup?
    /// The service's own user, when the server runs as root (else ignored); nobody when nil.
    public var user: AppUser?
    /// Files bound over the sandbox's /etc/passwd and /etc/group so `user` has a name.
    public var identityFiles: (passwd: URL, group: URL)?
    /// Limits to enforce with rlimits where there is no cgroup (`cgroup` nil): memory as the data
    /// segment's size, and — when the process runs as a user of its own — processes per user.
    public var rlimits: ResourceLimits?
    /// A file bound over the sandbox's /etc/hosts (the private network's names), if any.
    public var hostsFile: URL?
    /// What puts the process into its network namespace before the sandbox starts
    /// (`ReplicaNetwork.enterArgv`); empty to stay in the host's network.
    public var networkEnter: [String] = []

    /// A host folder and where the app sees it.
    public struct Mount: Sendable, Equatable {
        public var source: URL
        public var path: String

        public init(source: URL, path: String) {
            self.source = source
            self.path = path
        }
    }

    public init(
        command: String, appDirectory: URL, environment: [String: String], logFile: URL, hiddenPaths: [String], volumes: [Mount] = [],
        cgroup: Cgroup? = nil, user: AppUser? = nil, identityFiles: (passwd: URL, group: URL)? = nil
    ) {
        self.command = command
        self.appDirectory = appDirectory
        self.environment = environment
        self.logFile = logFile
        self.hiddenPaths = hiddenPaths
        self.volumes = volumes
        self.cgroup = cgroup
        self.user = user
        self.identityFiles = identityFiles
    }

    public static func == (lhs: ReplicaSpec, rhs: ReplicaSpec) -> Bool {
        lhs.command == rhs.command && lhs.appDirectory == rhs.appDirectory && lhs.environment == rhs.environment
            && lhs.logFile == rhs.logFile && lhs.hiddenPaths == rhs.hiddenPaths && lhs.volumes == rhs.volumes
            && lhs.cgroup == rhs.cgroup && lhs.user == rhs.user && lhs.identityFiles?.passwd == rhs.identityFiles?.passwd
            && lhs.identityFiles?.group == rhs.identityFiles?.group && lhs.networkEnter == rhs.networkEnter && lhs.rlimits == rhs.rlimits && lhs.hostsFile == rhs.hostsFile
    }
}
