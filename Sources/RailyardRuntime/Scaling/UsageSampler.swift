import RailyardCore

/// Turns cgroup counters into the autoscaler's samples: CPU as the share of the replica's CPU limit
/// used since the previous reading, memory as the share of its memory limit in use now.
public struct UsageSampler: Sendable {
    private var previous: [String: (at: ContinuousClock.Instant, cpu: UInt64)] = [:]

    public init() {}

    /// One sample per replica (by id) read at least twice; the first reading only sets a baseline.
    public mutating func sample(_ groups: [String: Cgroup], limits: ResourceLimits, at now: ContinuousClock.Instant) -> [Autoscaler.Sample] {
        var samples: [Autoscaler.Sample] = []
        for (replica, group) in groups {
            guard let cpu = group.cpuTimeNanoseconds else { continue }
            defer { previous[replica] = (now, cpu) }
            guard let last = previous[replica], now > last.at, cpu >= last.cpu else { continue }
            let wall = now - last.at
            let wallNanoseconds = Double(wall.components.seconds) * 1e9 + Double(wall.components.attoseconds) / 1e9
            let cpus = Double(cpu - last.cpu) / wallNanoseconds
            samples.append(Autoscaler.Sample(
                at: now, replica: replica,
                cpu: cpus / (Double(limits.cpuMillicores) / 1000),
                memory: Double(group.memoryBytes ?? 0) / Double(limits.memoryBytes)
            ))
        }
        previous = previous.filter { groups[$0.key] != nil }
        return samples
    }
}

extension Autoscaler.Settings {
    /// The settings `deploy.autoscaling` asks for, defaults filled in.
    public init(_ config: ServiceConfig.Autoscaling) {
        let minimum = config.minReplicas ?? 1
        self.init(
            minReplicas: minimum,
            maxReplicas: max(config.maxReplicas ?? 10, minimum),
            targetCPU: Double(config.targetCPUPercent ?? 70) / 100,
            targetMemory: Double(config.targetMemoryPercent ?? 80) / 100,
            window: .seconds(config.windowSeconds ?? 30),
            scaleUpStabilization: .seconds(config.scaleUpStabilizationSeconds ?? 0),
            scaleDownStabilization: .seconds(config.scaleDownStabilizationSeconds ?? 300)
        )
    }
}
