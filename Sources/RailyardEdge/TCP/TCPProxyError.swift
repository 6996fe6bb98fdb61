/// Why a TCP proxy could not do what it was asked, in a sentence that says what to fix.
public struct TCPProxyError: Error, CustomStringConvertible, Sendable {
    private enum Base: Sendable {
        case bindFailed(host: String, port: Int, reason: String)
        case noReplica
    }

    private let base: Base

    private init(_ base: Base) { self.base = base }

    /// The public port could not be opened.
    static func bindFailed(host: String, port: Int, error: Error) -> TCPProxyError {
        TCPProxyError(.bindFailed(host: host, port: port, reason: "\(error)"))
    }

    /// No replica accepted a connection (or none is running).
    static let noReplica = TCPProxyError(.noReplica)

    /// The sentence to show a person: what went wrong and what to do about it.
    public var description: String {
        switch base {
        case .bindFailed(let host, let port, let reason):
            "The TCP proxy could not listen on \(host):\(port): \(reason)"
        case .noReplica:
            "No replica of the service accepted the connection; check that the service is running and listens on the proxied port."
        }
    }
}
