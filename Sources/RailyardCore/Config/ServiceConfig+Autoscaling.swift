extension ServiceConfig {
    /// `deploy.autoscaling`: the seed guide's HorizontalPodAutoscaler. The replica count follows the
    /// replicas' average CPU and memory use (as shares of their limits) between `minReplicas` and
    /// `maxReplicas`; `numReplicas` is then only where a deployment starts.
    public struct Autoscaling: Codable, Sendable, Equatable {
        public var minReplicas: Int?
        public var maxReplicas: Int?
        /// Target average CPU use, percent of each replica's CPU limit (default 70).
        public var targetCPUPercent: Int?
        /// Target average memory use, percent of each replica's memory limit (default 80).
        public var targetMemoryPercent: Int?
        /// Seconds of samples averaged per decision (default 30).
        public var windowSeconds: Int?
        /// A scale-up goes to the lowest count recommended over this many seconds (default 0).
        public var scaleUpStabilizationSeconds: Int?
        /// A scale-down goes to the highest count recommended over this many seconds (default 300).
        public var scaleDownStabilizationSeconds: Int?

        public init(
            minReplicas: Int? = nil, maxReplicas: Int? = nil, targetCPUPercent: Int? = nil, targetMemoryPercent: Int? = nil,
            windowSeconds: Int? = nil, scaleUpStabilizationSeconds: Int? = nil, scaleDownStabilizationSeconds: Int? = nil
        ) {
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
            self.targetCPUPercent = targetCPUPercent
            self.targetMemoryPercent = targetMemoryPercent
            self.windowSeconds = windowSeconds
            self.scaleUpStabilizationSeconds = scaleUpStabilizationSeconds
            self.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds
        }

        /// The seed guide's HorizontalPodAutoscaler bounds.
        public static let replicaRange = 1...10

        func validate(at path: String, prefix: String) throws(RailyardError) {
            let at = path + ".autoscaling"
            try ConfigBound.range(minReplicas, Self.replicaRange, at, "minReplicas", prefix)
            try ConfigBound.range(maxReplicas, Self.replicaRange, at, "maxReplicas", prefix)
            if let minReplicas, let maxReplicas, minReplicas > maxReplicas {
                throw ConfigBound.error(at, "maxReplicas", prefix, "must be at least minReplicas (\(minReplicas)) (got \(maxReplicas))")
            }
            try ConfigBound.range(targetCPUPercent, 1...100, at, "targetCPUPercent", prefix, unit: " percent")
            try ConfigBound.range(targetMemoryPercent, 1...100, at, "targetMemoryPercent", prefix, unit: " percent")
            try ConfigBound.range(windowSeconds, 2...3600, at, "windowSeconds", prefix, unit: " seconds")
            try ConfigBound.range(scaleUpStabilizationSeconds, 0...3600, at, "scaleUpStabilizationSeconds", prefix, unit: " seconds")
            try ConfigBound.range(scaleDownStabilizationSeconds, 0...3600, at, "scaleDownStabilizationSeconds", prefix, unit: " seconds")
        }
    }
}
