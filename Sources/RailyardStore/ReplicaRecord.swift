import Foundation

/// A replica process as the store remembers it: enough for a restarted server to find and stop it.
public struct ReplicaRecord: Sendable, Equatable {
    public var id: String
    public var deploymentId: String
    public var pid: Int32
    public var port: Int
    public var startedAt: Date

    public init(id: String, deploymentId: String, pid: Int32, port: Int, startedAt: Date) {
        self.id = id
        self.deploymentId = deploymentId
        self.pid = pid
        self.port = port
        self.startedAt = startedAt
    }
}
