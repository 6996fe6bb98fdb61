/// A service's HTTP traffic through the edge since the server started (`GET …/http-stats`).
public struct HTTPStats: Codable, Sendable, Equatable {
    /// Latency bucket upper bounds in milliseconds; the last bucket is everything slower.
    public static let bucketBounds: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    public var requests = 0
    /// Requests by status class: `1xx` … `5xx`, and `none` when the client got no status.
    public var statusClasses: [String: Int] = [:]
    /// Requests per latency bucket (`bucketBounds`, then one for slower).
    public var latencyBuckets = [Int](repeating: 0, count: bucketBounds.count + 1)
    /// Sum of all durations, in milliseconds (mean = sum / requests).
    public var durationSumMs = 0.0
    /// Response body bytes sent.
    public var bytes = 0

    public init() {}

    /// Counts one request of `status` that took `durationMs` and sent `bytes`.
    public mutating func add(status: Int, durationMs: Double, bytes: Int) {
        requests += 1
        statusClasses[Self.statusClass(status), default: 0] += 1
        latencyBuckets[Self.bucketBounds.firstIndex { durationMs <= $0 } ?? Self.bucketBounds.count] += 1
        durationSumMs += durationMs
        self.bytes += bytes
    }

    /// The key `status` counts under in `statusClasses`; the common ones without formatting.
    static func statusClass(_ status: Int) -> String {
        switch status {
        case 0: "none"
        case 100..<200: "1xx"
        case 200..<300: "2xx"
        case 300..<400: "3xx"
        case 400..<500: "4xx"
        case 500..<600: "5xx"
        default: "\(status / 100)xx"
        }
    }

    /// Adds `other`'s counts to these.
    public mutating func merge(_ other: HTTPStats) {
        requests += other.requests
        statusClasses.merge(other.statusClasses, uniquingKeysWith: +)
        latencyBuckets = zip(latencyBuckets, other.latencyBuckets).map(+)
        durationSumMs += other.durationSumMs
        bytes += other.bytes
    }
}
