/// Why the edge server could not do what it was asked, in a sentence that says what to fix.
public struct EdgeError: Error, CustomStringConvertible, Sendable {
    private enum Base: Sendable {
        case bindFailed(host: String, port: Int, reason: String, flag: String)
        case alreadyRunning
    }

    private let base: Base

    private init(_ base: Base) { self.base = base }

    /// The listening socket could not be opened.
    static func bindFailed(host: String, port: Int, error: Error, flag: String = "--edge-port") -> EdgeError {
        EdgeError(.bindFailed(host: host, port: port, reason: "\(error)", flag: flag))
    }

    /// `run()` was called on a server that is already running or has run.
    static let alreadyRunning = EdgeError(.alreadyRunning)

    /// The sentence to show a person: what went wrong and what to do about it.
    public var description: String {
        switch base {
        case .bindFailed(let host, let port, let reason, let flag):
            "The edge could not listen on \(host):\(port) (\(reason)). Choose another \(flag), or stop the process that uses this one."
        case .alreadyRunning:
            "This edge server has already been started; create a new EdgeServer to run it again."
        }
    }
}
