import Foundation

/// A replica process as the store remembers it: enough for a restarted server to find and stop it.
public struct ReplicaRecord: Sendable, Equatable {
    public var id: String
    public var deploymentId: String
    public var pid: Int32
    public var port: Int
    /// The address it listens on: its own network's, or nil for the host's loopback.
    public var address: String?
    public var startedAt: Date

    public init(id: String, deploymentId: String, pid: Int32, port: Int, address: String? = nil, startedAt: Date) {
        self.id = id
        self.deploymentId = deploymentId
        self.pid = pid
        self.port = port
        self.address = address
        self.startedAt = startedAt
    }
}
