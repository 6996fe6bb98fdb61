import ArgumentParser
import RailyardCore
import RailyardEdge

/// `railyard server`'s flags for the edge's limits and timeouts. Each defaults to
/// `EdgeServer.Configuration`'s value.
struct EdgeOptions: ParsableArguments {
    @Option(name: .customLong("edge-max-body"), help: "Largest request body the edge passes to an app (e.g. 100Mi, 1Gi); bigger gets 413.")
    var maxBody: String?

    @Option(name: .customLong("edge-header-timeout"), help: "Time a client has to send a request head (e.g. 10s); slower gets 408.")
    var headerTimeout: String?

    @Option(name: .customLong("edge-idle-timeout"), help: "Time a keep-alive client connection may sit between requests (e.g. 75s).")
    var idleTimeout: String?

    @Option(name: .customLong("edge-connect-timeout"), help: "Time to wait for a replica to accept a connection before a 504 (e.g. 5s).")
    var connectTimeout: String?

    @Option(name: .customLong("edge-tunnel-idle-timeout"), help: "Time a WebSocket may carry nothing either way before both ends are closed (e.g. 5m).")
    var tunnelIdleTimeout: String?

    @Option(name: .customLong("sleep-after"), help: "Time without a request after which a service with sleepApplication sleeps (e.g. 10m).")
    var sleepAfter: String?

    @Option(name: .customLong("edge-wake-timeout"), help: "Time a request for a sleeping service waits for it to wake before a 503 (e.g. 60s).")
    var wakeTimeout: String?

    /// `--sleep-after`, default 10 minutes.
    func sleepAfterDuration() throws(RailyardError) -> Duration {
        guard let sleepAfter else { return .seconds(600) }
        guard let seconds = Self.seconds(sleepAfter), (1...7 * 86_400).contains(seconds) else {
            throw RailyardError(.invalidInput, "--sleep-after must be a duration from 1s to 168h, like 10m (got '\(sleepAfter)')", field: "--sleep-after")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The edge configuration these flags describe; a bad value is an `invalid_input` error naming
    /// the flag and what it takes.
    func configuration() throws(RailyardError) -> EdgeServer.Configuration {
        var configuration = EdgeServer.Configuration()
        if let maxBody {
            guard let bytes = ResourceQuantity.bytes(maxBody), bytes >= 1024, bytes <= 1 << 40 else {
                throw RailyardError(.invalidInput, "--edge-max-body must be a size from 1Ki to 1Ti, like 100Mi (got '\(maxBody)')", field: "--edge-max-body")
            }
            configuration.maxRequestBodySize = Int(bytes)
        }
        let timeouts: [(String, String?, ClosedRange<Double>, WritableKeyPath<EdgeServer.Configuration, Duration>)] = [
            ("--edge-header-timeout", headerTimeout, 0.1...3600, \.requestHeadTimeout),
            ("--edge-idle-timeout", idleTimeout, 0.1...86_400, \.clientIdleTimeout),
            ("--edge-connect-timeout", connectTimeout, 0.1...600, \.connectTimeout),
            ("--edge-tunnel-idle-timeout", tunnelIdleTimeout, 1...86_400, \.tunnelIdleTimeout),
            ("--edge-wake-timeout", wakeTimeout, 1...3600, \.wakeTimeout),
        ]
        for (flag, text, range, keyPath) in timeouts {
            guard let text else { continue }
            guard let seconds = Self.seconds(text), range.contains(seconds) else {
                throw RailyardError(
                    .invalidInput,
                    "\(flag) must be a duration from \(Self.describe(range.lowerBound)) to \(Self.describe(range.upperBound)), like 30s, 500ms or 5m (got '\(text)')",
                    field: flag
                )
            }
            configuration[keyPath: keyPath] = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return configuration
    }

    /// `500ms`, `10s`, `5m`, `1h` (or a bare number of seconds) in seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return Double(text)
    }

    private static func describe(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int(seconds * 1000))ms" : seconds.truncatingRemainder(dividingBy: 3600) == 0 ? "\(Int(seconds / 3600))h" : "\(Int(seconds))s"
    }
}
