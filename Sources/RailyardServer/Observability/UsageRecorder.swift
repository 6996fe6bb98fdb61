import Foundation
import Logging
import RailyardCore
import RailyardStore

/// A replica's counters at one moment, as its runner reads them.
struct UsageReading: Sendable {
    var serviceId: String
    var environmentId: String
    var replicaId: String
    var cpuNanoseconds: UInt64?
    var memoryBytes: UInt64?
    var memoryLimitBytes: Int64
    var network: (rx: UInt64, tx: UInt64)?

    /// Bytes received and sent by every interface but loopback of the network namespace `pid` is in.
    static func networkBytes(pid: Int32) -> (rx: UInt64, tx: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/dev", encoding: .utf8) else { return nil }
        var rx: UInt64 = 0, tx: UInt64 = 0
        for line in text.split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) != "lo" else { continue }
            let fields = parts[1].split(separator: " ")
            guard fields.count >= 9, let received = UInt64(fields[0]), let sent = UInt64(fields[8]) else { continue }
            rx += received
            tx += sent
        }
        return (rx, tx)
    }
}

/// Samples every live replica's CPU, memory, network and volume every few seconds into the store,
/// rolls the samples up to 1-minute and 10-minute ones, prunes each resolution by age, keeps the
/// newest reading per replica for `/metrics`, and raises a memory alert when a replica passes 90% of
/// its limit (at most once per 10 minutes per service).
actor UsageRecorder {
    private let store: any Store
    private let deployer: Deployer
    private let notifier: DeployNotifier
    private let logger: Logger
    private var previous: [String: (at: ContinuousClock.Instant, cpu: UInt64, rx: UInt64, tx: UInt64)] = [:]
    private var disk: [String: (at: ContinuousClock.Instant, bytes: Int)] = [:]
    private var alerted: [String: ContinuousClock.Instant] = [:]
    private(set) var latest: [UsageSample] = []
    private var rolledUpTo: [Int: Date] = [:]

    /// A replica over this share of its memory limit raises an alert.
    static let memoryAlertShare = 0.9
    static let alertEvery = Duration.seconds(600)

    /// Told of each round's samples (the dashboard's live charts).
    private let published: @Sendable ([UsageSample]) -> Void

    init(
        store: any Store, deployer: Deployer, notifier: DeployNotifier, logger: Logger,
        published: @escaping @Sendable ([UsageSample]) -> Void = { _ in }
    ) {
        self.store = store
        self.deployer = deployer
        self.notifier = notifier
        self.logger = logger
        self.published = published
    }

    /// Samples every `interval` until cancelled; rolls up and prunes once a minute.
    func run(every interval: Duration = .seconds(5)) async {
        var lastMaintenance = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await sample()
            // Six samples per mark: 30 s at the default interval, a bounded table for chatty logs.
            await deployer.markLogs(every: 6 * (Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18))
            if ContinuousClock.now - lastMaintenance >= .seconds(60) {
                lastMaintenance = .now
                await maintain()
            }
        }
    }

    /// One round: a sample per replica read twice or more (the first reading is the baseline), stored
    /// in the raw tier whatever the interval.
    func sample() async {
        let now = ContinuousClock.now
        let readings = await deployer.usageReadings()
        var samples: [UsageSample] = []
        for reading in readings {
            guard let cpu = reading.cpuNanoseconds else { continue }
            // An unreadable network keeps the old baseline (a zero one would make the next delta the
            // namespace's whole lifetime).
            let last = previous[reading.replicaId]
            let network = reading.network ?? (last.map { ($0.rx, $0.tx) } ?? (0, 0))
            defer { previous[reading.replicaId] = (now, cpu, network.rx, network.tx) }
            guard let last, now > last.at, cpu >= last.cpu else { continue }
            let wall = now - last.at
            let wallNanoseconds = Double(wall.components.seconds) * 1e9 + Double(wall.components.attoseconds) / 1e9
            let sample = UsageSample(
                serviceId: reading.serviceId, environmentId: reading.environmentId, replicaId: reading.replicaId,
                resolution: UsageSample.rawResolution, at: Date(), cpuMillicores: Int(Double(cpu - last.cpu) / wallNanoseconds * 1000),
                memoryBytes: Int(reading.memoryBytes ?? 0), memoryLimitBytes: Int(reading.memoryLimitBytes),
                networkRxBytes: Int(network.rx >= last.rx ? network.rx - last.rx : 0),
                networkTxBytes: Int(network.tx >= last.tx ? network.tx - last.tx : 0),
                diskBytes: await volumeBytes(serviceId: reading.serviceId, environmentId: reading.environmentId, now: now)
            )
            samples.append(sample)
        }
        let running = Set(readings.map(\.replicaId))
        previous = previous.filter { running.contains($0.key) }
        // What is kept per service is for services still running (and alerts still recent).
        let services = Set(readings.map { "\($0.serviceId)/\($0.environmentId)" })
        disk = disk.filter { services.contains($0.key) }
        alerted = alerted.filter { now - $0.value < Self.alertEvery }
        latest = samples
        published(samples)
        do {
            try await store.recordUsage(samples)
        } catch {
            logger.warning("usage figures not stored", metadata: ["error": "\(error)"])
        }
        await alertOnMemory(samples, now: now)
    }

    /// The service's volume size, measured at most once a minute (`du` walks it).
    private func volumeBytes(serviceId: String, environmentId: String, now: ContinuousClock.Instant) async -> Int {
        let key = "\(serviceId)/\(environmentId)"
        if let known = disk[key], now - known.at < .seconds(60) { return known.bytes }
        var bytes = 0
        if let volume = try? await store.volumes(serviceId: serviceId, environmentId: environmentId).first {
            bytes = Self.size(of: await deployer.layout.volume(volume.id))
        }
        disk[key] = (now, bytes)
        return bytes
    }

    /// Bytes of the files under `folder` (not following symlinks).
    static func size(of folder: URL) -> Int {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total = 0
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += values.fileSize ?? 0
        }
        return total
    }

    private func alertOnMemory(_ samples: [UsageSample], now: ContinuousClock.Instant) async {
        for sample in samples where sample.memoryLimitBytes > 0
            && Double(sample.memoryBytes) >= Self.memoryAlertShare * Double(sample.memoryLimitBytes) {
            let key = "\(sample.serviceId)/\(sample.environmentId)"
            if let last = alerted[key], now - last < Self.alertEvery { continue }
            alerted[key] = now
            guard let service = try? await store.service(id: sample.serviceId), let project = try? await store.project(id: service.projectId),
                let environment = try? await store.environments(projectId: project.id).first(where: { $0.id == sample.environmentId })
            else { continue }
            let percent = Int(Double(sample.memoryBytes) / Double(sample.memoryLimitBytes) * 100)
            let text = "a replica uses \(percent)% of its \(sample.memoryLimitBytes / 1024 / 1024) MiB memory limit; at 100% it is killed (raise deploy.memoryLimit)"
            logger.warning("memory near limit", metadata: ["service.id": "\(service.id)", "memory.percent": "\(percent)"])
            await notifier.alert(text, kind: "memory", project: project, service: service, environment: environment)
        }
    }

    /// Rolls finished minutes and ten-minute spans up, and prunes each resolution by its age.
    func maintain(now: Date = Date()) async {
        do {
            for (source, target) in [(5, 60), (60, 600)] {
                let span = TimeInterval(target)
                let end = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / span).rounded(.down) * span)
                let start = rolledUpTo[target] ?? end.addingTimeInterval(-UsageSample.retention.first { $0.resolution == source }!.keep)
                if start < end { try await store.rollUpUsage(source: source, target: target, from: start, to: end) }
                rolledUpTo[target] = end
            }
            for (resolution, keep) in UsageSample.retention {
                try await store.pruneUsage(resolution: resolution, before: now.addingTimeInterval(-keep))
            }
        } catch {
            logger.warning("usage figures not rolled up", metadata: ["error": "\(error)"])
        }
    }

    /// A service's report since `since`, at the finest resolution that covers it.
    func report(serviceId: String, environmentId: String, since: TimeInterval) async throws -> UsageReport {
        let resolution = UsageSample.resolution(covering: since)
        let samples = try await store.usage(
            serviceId: serviceId, environmentId: environmentId, resolution: resolution, since: Date().addingTimeInterval(-since)
        )
        return UsageReport(resolution: resolution, samples: samples)
    }
}
