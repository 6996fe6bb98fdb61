/// One replica the edge can forward requests to: an address and port reachable from the edge.
public struct Upstream: Sendable, Hashable, CustomStringConvertible {
    /// An IP address (preferred: no DNS lookup on connect) or a host name.
    public var host: String
    /// The TCP port the replica listens on (its `$PORT`).
    public var port: Int

    /// Creates an upstream at `host:port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with IPv6 addresses in brackets, for logs and messages.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
