/// Which isolation and limits are in force for a service's replicas in one environment
/// (`GET …/services/{id}/isolation`).
public struct ServiceIsolation: Codable, Sendable, Equatable {
    /// `bubblewrap`, or nil when replicas run unsandboxed (bubblewrap is not installed).
    public var sandbox: String?
    /// The uid the service's builds and replicas run as; nil when they run as the server's own user.
    public var uid: UInt32?
    /// `private` when each replica has a network of its own (reaching only its project-environment,
    /// the edge and the outside world), `host` when replicas share the host's network.
    public var network: String
    /// `cgroup v1` or `cgroup v2` when the limits are enforced; nil when they are not.
    public var enforcement: String?
    /// The limits each replica runs under.
    public var limits: Limits
    /// The live deployment whose config the limits come from; nil when nothing is live (the limits
    /// are then what the service's settings would give the next deployment).
    public var deploymentId: String?

    /// One replica's limits.
    public struct Limits: Codable, Sendable, Equatable {
        public var memoryBytes: Int64
        /// In CPUs (0.5 = half of one).
        public var cpu: Double
        public var pids: Int

        public init(memoryBytes: Int64, cpu: Double, pids: Int) {
            self.memoryBytes = memoryBytes
            self.cpu = cpu
            self.pids = pids
        }
    }

    public init(sandbox: String?, uid: UInt32?, network: String, enforcement: String?, limits: Limits, deploymentId: String?) {
        self.sandbox = sandbox
        self.uid = uid
        self.network = network
        self.enforcement = enforcement
        self.limits = limits
        self.deploymentId = deploymentId
    }
}
