import Foundation

/// One request the edge answered for a known host: what an HTTP access log line holds.
public struct AccessRecord: Codable, Sendable, Equatable {
    /// When the request arrived.
    public var time: Date
    public var host: String
    public var method: String
    /// The path, without the query string.
    public var path: String
    /// The status sent, or 0 when the client got none (the connection was cut).
    public var status: Int
    /// From the request head's arrival to the response's end, in milliseconds.
    public var durationMs: Double
    /// Response body bytes sent.
    public var bytes: Int
    public var requestId: String

    public init(time: Date, host: String, method: String, path: String, status: Int, durationMs: Double, bytes: Int, requestId: String) {
        self.time = time
        self.host = host
        self.method = method
        self.path = path
        self.status = status
        self.durationMs = durationMs
        self.bytes = bytes
        self.requestId = requestId
    }
}
