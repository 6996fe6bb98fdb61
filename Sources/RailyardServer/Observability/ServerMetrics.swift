import Foundation
import Logging
import Prometheus
import Synchronization
import RailyardCore
import RailyardStore

/// The Prometheus metrics at `/metrics`: the seed guide's three (deployments by outcome, their
/// durations by stage, live applications by workspace tier), the edge's per-service requests, and
/// the control plane's own process figures.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let store: any Store
    private let traffic: HTTPTraffic
    private let logger: Logger
    private let changes: AsyncStream<Deployment>.Continuation
    private let counted = Mutex(RecentKeys(capacity: 10_000))
    /// Every host the edge counted for a service, by host: kept after the domain goes.
    private let hostOwners = Mutex<[String: String]>([:])

    /// Outcomes a deployment is counted with, once each.
    static let outcomes: Set<DeploymentStatus> = [.success, .failed, .crashed]
    /// Histogram buckets for deployment stages, in seconds.
    static let durationBuckets: [Double] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800]

    init(store: any Store, traffic: HTTPTraffic, logger: Logger) {
        self.store = store
        self.traffic = traffic
        self.logger = logger
        let (stream, continuation) = AsyncStream<Deployment>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        self.changes = continuation
        store.observeDeployments { continuation.yield($0) }
        Task { [weak self] in
            for await deployment in stream { await self?.record(deployment) }
        }
    }

    /// Counts a deployment's outcome and its stages' durations, the first time it reaches each outcome.
    private func record(_ deployment: Deployment) async {
        guard Self.outcomes.contains(deployment.status),
            counted.withLock({ $0.insert("\(deployment.id)/\(deployment.status.rawValue)") })
        else { return }
        guard let service = try? await store.service(id: deployment.serviceId) else { return }
        let project = service.projectId
        registry.makeCounter(
            name: "railyard_deployments_total",
            labels: [("project_id", project), ("status", deployment.status.rawValue), ("framework", deployment.provider ?? "unknown")],
            help: "Deployments that reached SUCCESS, FAILED or CRASHED, by project, outcome and detected framework"
        ).increment()
        guard deployment.status != .crashed else { return }
        let end = deployment.finishedAt ?? deployment.updatedAt
        let stages: [(String, Date?, Date?)] = [
            ("build", deployment.buildStartedAt, deployment.buildFinishedAt),
            ("deploy", deployment.deployStartedAt, end), ("total", deployment.createdAt, end),
        ]
        for (stage, start, finish) in stages {
            guard let start, let finish, finish >= start else { continue }
            registry.makeValueHistogram(
                name: "railyard_deployment_duration_seconds", labels: [("project_id", project), ("stage", stage)],
                buckets: Self.durationBuckets, help: "How long deployments took, by project and stage (build, deploy, total)"
            ).record(finish.timeIntervalSince(start))
        }
    }

    /// The exposition text: the registry's metrics, brought up to date, then the edge's and the
    /// process's.
    func exposition(replicas: [UsageSample]) async -> String {
        await refreshActiveApplications()
        var text = registry.emitToString()
        text += await edgeMetrics()
        text += Self.replicaMetrics(replicas)
        text += Self.processMetrics()
        return text
    }

    /// `railyard_active_applications{user_tier}`: services with a live release, by their workspace's tier.
    private func refreshActiveApplications() async {
        do {
            let live = try await store.deployments(statuses: [.success, .sleeping])
            var tiers: [String: Int] = [:]
            var projects: [String: String] = [:], workspaces: [String: String] = [:]
            for serviceId in Set(live.map { "\($0.serviceId)/\($0.environmentId)" }).map({ String($0.split(separator: "/")[0]) }) {
                guard let service = try await store.service(id: serviceId) else { continue }
                if projects[service.projectId] == nil, let project = try await store.project(id: service.projectId) {
                    projects[service.projectId] = project.workspaceId
                }
                guard let workspaceId = projects[service.projectId] else { continue }
                if workspaces[workspaceId] == nil { workspaces[workspaceId] = try await store.workspace(id: workspaceId)?.tier }
                tiers[workspaces[workspaceId] ?? "unknown", default: 0] += 1
            }
            for tier in Set(tiers.keys).union(["free"]) {
                registry.makeGauge(
                    name: "railyard_active_applications", labels: [("user_tier", tier)],
                    help: "Services with a live release (serving or asleep) in some environment, by workspace tier"
                ).set(Double(tiers[tier] ?? 0))
            }
        } catch {
            logger.warning("active applications not counted", metadata: ["error": "\(error)"])
        }
    }

    /// The edge's counters per service, summed over its domains — and over domains it had: a
    /// removed custom domain's requests stay counted, so the counters never go down (Prometheus
    /// reads a decrease as a restart and `rate()` jumps).
    private func edgeMetrics() async -> String {
        let byHost = traffic.allStats()
        let domains = (try? await store.allDomains()) ?? []
        let owners = hostOwners.withLock { owners in
            for domain in domains { owners[domain.host] = domain.serviceId }
            return owners
        }
        var byService: [String: HTTPStats] = [:]
        for (host, service) in owners {
            if let stats = byHost[host] { byService[service, default: HTTPStats()].merge(stats) }
        }
        var lines = [
            "# HELP railyard_http_requests_total Requests the edge answered, by service and status class",
            "# TYPE railyard_http_requests_total counter",
        ]
        for (service, stats) in byService.sorted(by: { $0.key < $1.key }) {
            for (statusClass, count) in stats.statusClasses.sorted(by: { $0.key < $1.key }) {
                lines.append("railyard_http_requests_total{service_id=\"\(service)\",status_class=\"\(statusClass)\"} \(count)")
            }
        }
        lines += [
            "# HELP railyard_http_request_duration_seconds How long the edge took to answer, by service",
            "# TYPE railyard_http_request_duration_seconds histogram",
        ]
        for (service, stats) in byService.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (index, bound) in HTTPStats.bucketBounds.enumerated() {
                cumulative += stats.latencyBuckets[index]
                lines.append("railyard_http_request_duration_seconds_bucket{service_id=\"\(service)\",le=\"\(bound / 1000)\"} \(cumulative)")
            }
            lines.append("railyard_http_request_duration_seconds_bucket{service_id=\"\(service)\",le=\"+Inf\"} \(stats.requests)")
            lines.append("railyard_http_request_duration_seconds_sum{service_id=\"\(service)\"} \(stats.durationSumMs / 1000)")
            lines.append("railyard_http_request_duration_seconds_count{service_id=\"\(service)\"} \(stats.requests)")
        }
        lines += ["# HELP railyard_http_response_bytes_total Response body bytes the edge sent, by service", "# TYPE railyard_http_response_bytes_total counter"]
        for (service, stats) in byService.sorted(by: { $0.key < $1.key }) {
            lines.append("railyard_http_response_bytes_total{service_id=\"\(service)\"} \(stats.bytes)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each running replica's newest usage sample.
    static func replicaMetrics(_ samples: [UsageSample]) -> String {
        let gauges: [(String, String, (UsageSample) -> String)] = [
            ("railyard_replica_cpu_cores", "CPUs the replica used over its last sample", { "\(Double($0.cpuMillicores) / 1000)" }),
            ("railyard_replica_memory_bytes", "Memory the replica uses", { "\($0.memoryBytes)" }),
            ("railyard_replica_memory_limit_bytes", "The replica's memory limit", { "\($0.memoryLimitBytes)" }),
        ]
        var lines: [String] = []
        for (name, help, value) in gauges {
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) gauge"]
            for sample in samples.sorted(by: { $0.replicaId < $1.replicaId }) {
                lines.append("\(name){service_id=\"\(sample.serviceId)\",environment_id=\"\(sample.environmentId)\",replica_id=\"\(sample.replicaId)\"} \(value(sample))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The control plane's own figures, read from /proc.
    static func processMetrics() -> String {
        var lines: [String] = []
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let resident = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) {
            lines += ["# HELP process_resident_memory_bytes Resident memory of the Railyard server", "# TYPE process_resident_memory_bytes gauge",
                "process_resident_memory_bytes \(Int(resident * pageSize))"]
        }
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            // Fields after the command name: state is field 3; utime 14, stktime 15, starttime 22.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, let user = Double(fields[11]), let system = Double(fields[12]), let started = Double(fields[19]) {
                lines += ["# HELP process_cpu_seconds_total CPU time the Railyard server used", "# TYPE process_cpu_seconds_total counter",
                    "process_cpu_seconds_total \((user + system) / ticks)"]
                if let uptime = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8))?.split(separator: " ").first.flatMap({ Double($0) }) {
                    let bootedAt = Date().timeIntervalSince1970 - uptime
                    lines += ["# HELP process_start_time_seconds When the Railyard server started, in Unix seconds",
                        "# TYPE process_start_time_seconds gauge", "process_start_time_seconds \(Int(bootedAt + started / ticks))"]
                }
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            lines += ["# HELP process_open_fds Open file descriptors of the Railyard server", "# TYPE process_open_fds gauge",
                "process_open_fds \(descriptors.count)"]
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
