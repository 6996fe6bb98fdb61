import Foundation

/// One replica's resource use over a stretch of time: its average CPU, its peak memory, the bytes
/// its network moved and its volume's size.
public struct UsageSample: Codable, Sendable, Equatable {
    public var serviceId: String
    public var environmentId: String
    public var replicaId: String
    /// How many seconds the sample covers: 5 (raw), 60 or 600 (rolled up).
    public var resolution: Int
    /// The start of the stretch.
    public var at: Date
    /// Average CPU in thousandths of a CPU (500 = half of one).
    public var cpuMillicores: Int
    /// The most memory in use.
    public var memoryBytes: Int
    public var memoryLimitBytes: Int
    /// Bytes received and sent on its private network during the stretch.
    public var networkRxBytes: Int
    public var networkTxBytes: Int
    /// Its volume's size (0 without one).
    public var diskBytes: Int

    public init(
        serviceId: String, environmentId: String, replicaId: String, resolution: Int, at: Date, cpuMillicores: Int,
        memoryBytes: Int, memoryLimitBytes: Int, networkRxBytes: Int, networkTxBytes: Int, diskBytes: Int
    ) {
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.replicaId = replicaId
        self.resolution = resolution
        self.at = at
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.networkRxBytes = networkRxBytes
        self.networkTxBytes = networkTxBytes
        self.diskBytes = diskBytes
    }

    /// The raw tier: samples as taken (every 5 s unless the server is told otherwise).
    public static let rawResolution = 5

    /// The resolutions kept, finest first, with how long each is kept.
    public static let retention: [(resolution: Int, keep: TimeInterval)] = [(rawResolution, 3600), (60, 2 * 86_400), (600, 8 * 86_400)]

    /// The finest resolution that still covers `since`.
    public static func resolution(covering since: TimeInterval) -> Int {
        retention.first { $0.keep >= since }?.resolution ?? 600
    }
}

/// `GET …/services/{serviceId}/metrics`: the service's figures (its replicas summed per point) and
/// each replica's.
public struct UsageReport: Codable, Sendable, Equatable {
    /// One point of the service: replicas summed (memory and limits too), or one replica's.
    public struct Point: Codable, Sendable, Equatable {
        public var at: Date
        public var cpuMillicores: Int
        public var memoryBytes: Int
        public var memoryLimitBytes: Int
        public var networkRxBytes: Int
        public var networkTxBytes: Int
        public var diskBytes: Int
        public var replicas: Int

        public init(at: Date, cpuMillicores: Int, memoryBytes: Int, memoryLimitBytes: Int, networkRxBytes: Int, networkTxBytes: Int, diskBytes: Int, replicas: Int) {
            self.at = at
            self.cpuMillicores = cpuMillicores
            self.memoryBytes = memoryBytes
            self.memoryLimitBytes = memoryLimitBytes
            self.networkRxBytes = networkRxBytes
            self.networkTxBytes = networkTxBytes
            self.diskBytes = diskBytes
            self.replicas = replicas
        }
    }

    public var resolutionSeconds: Int
    public var points: [Point]
    /// Each replica's own points, by replica id.
    public var replicas: [String: [Point]]

    public init(resolutionSeconds: Int, points: [Point], replicas: [String: [Point]]) {
        self.resolutionSeconds = resolutionSeconds
        self.points = points
        self.replicas = replicas
    }

    /// The report of `samples` (one resolution): per replica, and summed per point.
    public init(resolution: Int, samples: [UsageSample]) {
        var byReplica: [String: [Point]] = [:]
        var byTime: [Date: Point] = [:]
        for sample in samples.sorted(by: { $0.at < $1.at }) {
            let point = Point(
                at: sample.at, cpuMillicores: sample.cpuMillicores, memoryBytes: sample.memoryBytes, memoryLimitBytes: sample.memoryLimitBytes,
                networkRxBytes: sample.networkRxBytes, networkTxBytes: sample.networkTxBytes, diskBytes: sample.diskBytes, replicas: 1
            )
            byReplica[sample.replicaId, default: []].append(point)
            if var total = byTime[sample.at] {
                total.cpuMillicores += point.cpuMillicores
                total.memoryBytes += point.memoryBytes
                total.memoryLimitBytes += point.memoryLimitBytes
                total.networkRxBytes += point.networkRxBytes
                total.networkTxBytes += point.networkTxBytes
                total.diskBytes = max(total.diskBytes, point.diskBytes)
                total.replicas += 1
                byTime[sample.at] = total
            } else {
                byTime[sample.at] = point
            }
        }
        self.init(resolutionSeconds: resolution, points: byTime.values.sorted { $0.at < $1.at }, replicas: byReplica)
    }
}
