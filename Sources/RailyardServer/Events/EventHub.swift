import Foundation
import Logging
import RailyardCore
import RailyardStore
import ServiceLifecycle
import Synchronization

/// The server's in-process publish/subscribe for live dashboard events: every committed deployment
/// write (the store tells it) goes, in order, to the sockets that watch the deployment's project.
final class EventHub: ServiceLifecycle.Service, Sendable {
    /// A deployment as written, and when the write was committed.
    private struct Write: Sendable {
        var deployment: Deployment
        var storedAt: Date
    }

    private let store: any Store
    private let decorate: @Sendable (Deployment) async -> Deployment
    private let logger: Logger
    private let writes: AsyncStream<Write>
    private let input: AsyncStream<Write>.Continuation
    private let subscriptions = Mutex<[ObjectIdentifier: EventSubscription]>([:])
    /// Services never change project, so their project is looked up once.
    private let projectOfService = Mutex<[String: String]>([:])

    /// A hub fed by `store`'s deployment writes; `decorate` adds what the REST routes add (the URL).
    init(store: any Store, logger: Logger, decorate: @escaping @Sendable (Deployment) async -> Deployment) {
        self.store = store
        self.logger = logger
        self.decorate = decorate
        (writes, input) = AsyncStream.makeStream(of: Write.self, bufferingPolicy: .bufferingNewest(10_000))
        let input = self.input
        store.observeDeployments { deployment in input.yield(Write(deployment: deployment, storedAt: Date())) }
    }

    /// Starts delivering `subscription`'s events until ``remove(_:)``.
    func add(_ subscription: EventSubscription) {
        subscriptions.withLock { $0[ObjectIdentifier(subscription)] = subscription }
    }

    /// Stops delivering to `subscription`.
    func remove(_ subscription: EventSubscription) {
        _ = subscriptions.withLock { $0.removeValue(forKey: ObjectIdentifier(subscription)) }
    }

    /// How many sockets are subscribed (for tests and logs).
    var subscriberCount: Int { subscriptions.withLock { $0.count } }

    /// Delivers writes one at a time, so each socket sees a deployment's moves in the order they were stored.
    func run() async throws {
        try await withGracefulShutdownHandler {
            for await write in writes {
                await deliver(write)
            }
        } onGracefulShutdown: { [input] in
            input.finish()
        }
    }

    private func deliver(_ write: Write) async {
        guard let projectId = await project(ofService: write.deployment.serviceId) else { return }
        let watchers = subscriptions.withLock { $0.values.filter { $0.watches(project: projectId) } }
        guard !watchers.isEmpty else { return }
        let text = EventServerMessage.encode(EventServerMessage.DeploymentChanged(
            projectId: projectId, deployment: await decorate(write.deployment),
            storedAtMillis: Int64((write.storedAt.timeIntervalSince1970 * 1000).rounded())
        ))
        for watcher in watchers { watcher.send(text) }
    }

    /// Sends each service's point of a sampling round to the sockets watching its figures.
    func publishUsage(_ samples: [UsageSample]) {
        let watchers = subscriptions.withLock { Array($0.values) }
        guard !watchers.isEmpty else { return }
        for (key, group) in Dictionary(grouping: samples, by: { "\($0.serviceId)/\($0.environmentId)" }) {
            let interested = watchers.filter { $0.watches(metrics: key) }
            guard !interested.isEmpty, let first = group.first,
                let point = UsageReport(resolution: UsageSample.rawResolution, samples: group).points.last
            else { continue }
            let text = EventServerMessage.encode(EventServerMessage.Metrics(serviceId: first.serviceId, environmentId: first.environmentId, point: point))
            for watcher in interested { watcher.send(text) }
        }
    }

    private func project(ofService serviceId: String) async -> String? {
        if let known = projectOfService.withLock({ $0[serviceId] }) { return known }
        do {
            guard let service = try await store.service(id: serviceId) else { return nil }
            projectOfService.withLock { $0[serviceId] = service.projectId }
            return service.projectId
        } catch {
            logger.warning("live event dropped: service lookup failed", metadata: ["service.id": "\(serviceId)", "error": "\(error)"])
            return nil
        }
    }
}

/// One socket's interest in the hub: the projects it watches and its outgoing queue.
final class EventSubscription: Sendable {
    private let projects = Mutex<Set<String>>([])
    private let authenticated = Atomic<Bool>(false)
    private let outbox: AsyncStream<String>.Continuation
    /// The socket's outgoing text frames, in order.
    let messages: AsyncStream<String>

    /// A subscription whose queue keeps at most `capacity` unsent messages (the oldest are dropped
    /// for a socket that stopped reading).
    init(capacity: Int = 4096) {
        (messages, outbox) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(capacity))
    }

    /// Whether the socket proved who it is (its first message carried a valid token).
    var isAuthenticated: Bool { authenticated.load(ordering: .acquiring) }
    func markAuthenticated() { authenticated.store(true, ordering: .releasing) }

    func watch(project: String) { _ = projects.withLock { $0.insert(project) } }
    func unwatch(project: String) { _ = projects.withLock { $0.remove(project) } }
    func watches(project: String) -> Bool { projects.withLock { $0.contains(project) } }

    private let touched = Mutex<Set<String>>([])
    /// Notes a project something of this socket belongs to (its access is checked again later).
    func note(project: String) { _ = touched.withLock { $0.insert(project) } }
    /// Every project this socket subscribed to something of.
    var notedProjects: Set<String> { touched.withLock { $0 } }

    private let usage = Mutex<Set<String>>([])
    /// Usage figures of `service/environment`.
    func watch(metrics key: String) { _ = usage.withLock { $0.insert(key) } }
    func unwatch(metrics key: String) { _ = usage.withLock { $0.remove(key) } }
    func watches(metrics key: String) -> Bool { usage.withLock { $0.contains(key) } }

    /// Queues one text frame.
    func send(_ text: String) { outbox.yield(text) }

    /// Ends the queue (the socket is closing).
    func finish() { outbox.finish() }
}
