/// A piece of a deployment's log from a byte offset: what the CLI and dashboard poll to follow logs.
public struct LogChunk: Codable, Sendable, Equatable {
    /// The log text from the requested offset (whole lines only).
    public var text: String
    /// The offset to ask for next.
    public var nextOffset: Int64
    /// True when the log will not grow any more (the build ended, or the deployment stopped).
    public var complete: Bool

    public init(text: String, nextOffset: Int64, complete: Bool) {
        self.text = text
        self.nextOffset = nextOffset
        self.complete = complete
    }
}

/// Which log of a deployment: its build, or its running replicas' output.
public enum LogStream: String, Codable, Sendable, CaseIterable {
    case build
    case runtime
}
