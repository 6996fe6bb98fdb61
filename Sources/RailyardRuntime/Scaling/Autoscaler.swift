/// Horizontal autoscaling as Kubernetes' HorizontalPodAutoscaler decides it, as a pure value:
/// samples of each replica's CPU and memory (as fractions of its limits) come in with their time,
/// decisions come out with the figures that caused them. Tests drive it with any clock.
///
/// Every evaluation averages the samples of the last `window` over the replicas, takes for each
/// metric `ceil(replicas × average / target)` (no change while the ratio is within 10% of 1, HPA's
/// tolerance), keeps the larger, clamps it to `min…max`, and then stabilises: a scale-up goes to the
/// lowest recommendation of the last `scaleUpStabilization`, a scale-down to the highest of the last
/// `scaleDownStabilization` (so a brief dip never sheds replicas a moment later needed back).
public struct Autoscaler: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public struct Settings: Sendable, Equatable {
        public var minReplicas: Int
        public var maxReplicas: Int
        /// Target average CPU use as a fraction of each replica's CPU limit (0.7 = 70%).
        public var targetCPU: Double
        /// Target average memory use as a fraction of each replica's memory limit.
        public var targetMemory: Double
        /// The span samples are averaged over.
        public var window: Duration
        public var scaleUpStabilization: Duration
        public var scaleDownStabilization: Duration

        public init(
            minReplicas: Int = 1, maxReplicas: Int = 10, targetCPU: Double = 0.7, targetMemory: Double = 0.8,
            window: Duration = .seconds(30), scaleUpStabilization: Duration = .zero, scaleDownStabilization: Duration = .seconds(300)
        ) {
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
            self.targetCPU = targetCPU
            self.targetMemory = targetMemory
            self.window = window
            self.scaleUpStabilization = scaleUpStabilization
            self.scaleDownStabilization = scaleDownStabilization
        }
    }

    /// One replica's use at one moment, as fractions of its limits.
    public struct Sample: Sendable, Equatable {
        public var at: Instant
        public var replica: String
        public var cpu: Double
        public var memory: Double

        public init(at: Instant, replica: String, cpu: Double, memory: Double) {
            self.at = at
            self.replica = replica
            self.cpu = cpu
            self.memory = memory
        }
    }

    /// A change of the replica count, and why.
    public struct Decision: Sendable, Equatable {
        public var from: Int
        public var to: Int
        public var averageCPU: Double
        public var averageMemory: Double
        public var reason: String
    }

    public let settings: Settings
    private var samples: [Sample] = []
    private var recommendations: [(at: Instant, replicas: Int)] = []

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Takes one round of samples (one per running replica).
    public mutating func record(_ round: [Sample]) {
        samples += round
    }

    /// The replica count to move to from `current` at `now`, or nil to stay.
    public mutating func evaluate(current: Int, at now: Instant) -> Decision? {
        samples.removeAll { now - $0.at > settings.window }
        let longest = max(settings.scaleUpStabilization, settings.scaleDownStabilization)
        recommendations.removeAll { now - $0.at > longest }
        // Too little to judge on: no figures, or the window not yet covered (a new replica's start).
        guard let oldest = samples.map(\.at).min(), now - oldest >= settings.window / 2 else { return nil }
        let averageCPU = samples.map(\.cpu).reduce(0, +) / Double(samples.count)
        let averageMemory = samples.map(\.memory).reduce(0, +) / Double(samples.count)
        let byCPU = Self.desired(current: current, average: averageCPU, target: settings.targetCPU)
        let byMemory = Self.desired(current: current, average: averageMemory, target: settings.targetMemory)
        let wanted = min(max(byCPU, byMemory, settings.minReplicas), settings.maxReplicas)
        recommendations.append((now, wanted))

        let stabilised: Int
        if wanted > current {
            stabilised = recommendations.filter { now - $0.at <= settings.scaleUpStabilization }.map(\.replicas).min() ?? wanted
        } else if wanted < current {
            stabilised = recommendations.filter { now - $0.at <= settings.scaleDownStabilization }.map(\.replicas).max() ?? wanted
        } else {
            stabilised = current
        }
        let target = min(max(stabilised, settings.minReplicas), settings.maxReplicas)
        guard target != current else { return nil }
        // The new replicas' first figures start a fresh window.
        samples.removeAll()
        let reason = "average CPU \(Self.percent(averageCPU)) of limit (target \(Self.percent(settings.targetCPU))), "
            + "memory \(Self.percent(averageMemory)) (target \(Self.percent(settings.targetMemory))) over \(settings.window)"
        return Decision(from: current, to: target, averageCPU: averageCPU, averageMemory: averageMemory, reason: reason)
    }

    /// HPA's rule: `ceil(current × average / target)`, or `current` within 10% of the target.
    static func desired(current: Int, average: Double, target: Double) -> Int {
        let ratio = average / target
        guard abs(ratio - 1) > 0.1 else { return current }
        // Less a hair, so 1.4 / 0.7 (2.0000000000000004 in binary) asks for 2, not 3.
        return Int((Double(current) * ratio - 1e-9).rounded(.up))
    }

    static func percent(_ fraction: Double) -> String {
        "\(Int((fraction * 100).rounded()))%"
    }
}
