import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import RailyardCore
import RailyardStore

/// Tells a project's webhooks when its deployments succeed, fail or crash (a crash is an alert),
/// and when a replica nears its memory limit: a signed POST per event and webhook, retried with
/// backoff until the receiver answers 2xx. A delivery being retried is kept in the store's outbox,
/// so a restarted server carries on with it (`start()`); each attempt is recorded, the newest per
/// webhook listed by the API.
actor DeployNotifier {
    private let store: any Store
    private let httpClient: HTTPClient
    private let key: SymmetricKey
    private let logger: Logger
    private let decorate: @Sendable (Deployment) async -> Deployment
    /// Outcomes already told (a status may be written more than once); the newest 10 000 are enough.
    private var sent = RecentKeys(capacity: 10_000)

    /// The deployment statuses that are told, with their event names.
    static let events: [DeploymentStatus: String] = [.success: "deployment.success", .failed: "deployment.failed", .crashed: "deployment.crashed"]
    /// Waits before each attempt: at once, then 1 s, 2 s, 4 s, … (seven attempts over about a minute).
    static let retryDelays: [Duration] = [.zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32)]
    /// The deliveries kept per webhook for the API.
    static let keptDeliveries = 50

    init(store: any Store, httpClient: HTTPClient, secret: ServerSecret, logger: Logger, decorate: @escaping @Sendable (Deployment) async -> Deployment) {
        self.store = store
        self.httpClient = httpClient
        self.key = secret.key(for: "project-webhook")
        self.logger = logger
        self.decorate = decorate
    }

    /// Starts listening to the store's deployment changes, and carries on with the deliveries a
    /// previous run left being retried.
    nonisolated func start() {
        store.observeDeployments { deployment in
            guard Self.events[deployment.status] != nil else { return }
            Task { await self.deploymentChanged(deployment) }
        }
        Task { await self.resumePending() }
    }

    private func resumePending() async {
        do {
            for pending in try await store.pendingWebhookDeliveries() {
                guard let webhook = try await store.projectWebhook(id: pending.webhookId) else {
                    try? await store.finishWebhookDelivery(id: pending.id)
                    continue
                }
                logger.info("webhook delivery resumed", metadata: ["webhook.id": "\(webhook.id)", "webhook.event": "\(pending.event)"])
                deliver(pending, to: webhook)
            }
        } catch {
            logger.warning("pending webhook deliveries not resumed", metadata: ["error": "\(error)"])
        }
    }

    /// A webhook's signing secret: derived from the server's key and the webhook's id, so it is
    /// never stored and differs per webhook and server.
    nonisolated func secret(webhookId: String) -> String {
        "whsec_" + Array(HMAC<SHA256>.authenticationCode(for: Data(webhookId.utf8), using: key)).hexString
    }

    /// The newest deliveries to a webhook, newest first.
    func deliveries(webhookId: String) async throws -> [WebhookDelivery] {
        try await store.webhookAttempts(webhookId: webhookId)
    }

    private func deploymentChanged(_ deployment: Deployment) async {
        guard let event = Self.events[deployment.status], sent.insert("\(deployment.id)/\(deployment.status.rawValue)") else { return }
        do {
            guard let service = try await store.service(id: deployment.serviceId),
                let project = try await store.project(id: service.projectId),
                let environment = try await store.environments(projectId: project.id).first(where: { $0.id == deployment.environmentId })
            else { return }
            let webhooks = try await store.projectWebhooks(projectId: project.id)
            guard !webhooks.isEmpty else { return }
            let decorated = await decorate(deployment)
            let message = DeployEvent(
                event: event, alert: deployment.status == .crashed, project: project, service: service, environment: environment,
                deployment: decorated, at: Date()
            )
            for webhook in webhooks { send(message, to: webhook) }
        } catch {
            logger.warning("deploy event not sent", metadata: ["deployment.id": "\(deployment.id)", "error": "\(error)"])
        }
    }

    /// An alert that is not a deployment's status (a replica near its memory limit).
    func alert(_ text: String, kind: String, project: Project, service: Service, environment: RailyardCore.Environment) async {
        guard let webhooks = try? await store.projectWebhooks(projectId: project.id), !webhooks.isEmpty else { return }
        let message = DeployEvent(event: "alert.\(kind)", alert: true, project: project, service: service, environment: environment, text: text, at: Date())
        for webhook in webhooks { send(message, to: webhook) }
    }

    private func send(_ message: DeployEvent, to webhook: ProjectWebhook) {
        let pending = PendingWebhookDelivery(
            id: UUID().uuidString.lowercased(), webhookId: webhook.id, event: message.event, body: message.body(format: webhook.format),
            nextAttempt: 0, createdAt: Date()
        )
        Task {
            do {
                try await store.enqueueWebhookDelivery(pending)
            } catch {
                logger.warning("webhook delivery not kept for retries", metadata: ["webhook.id": "\(webhook.id)", "error": "\(error)"])
            }
            deliver(pending, to: webhook)
        }
    }

    /// Makes the attempts of `pending` from its next one on, recording each; the outbox forgets it
    /// once the receiver took it, refused it for good, or the attempts ran out.
    private func deliver(_ pending: PendingWebhookDelivery, to webhook: ProjectWebhook) {
        let secret = secret(webhookId: webhook.id)
        Task {
            defer { Task { try? await self.store.finishWebhookDelivery(id: pending.id) } }
            for attempt in min(max(pending.nextAttempt, 0), Self.retryDelays.count)..<Self.retryDelays.count {
                let delay = Self.retryDelays[attempt]
                if delay > .zero {
                    try? await Task.sleep(for: delay)
                    // A webhook removed meanwhile gets no more attempts.
                    do {
                        guard try await store.projectWebhook(id: webhook.id) != nil else { return }
                    } catch {
                        // The store did not answer: try the receiver anyway.
                    }
                }
                let (status, error) = await post(pending.body, to: webhook.url, event: pending.event, delivery: pending.id, secret: secret)
                let outcome = WebhookDelivery(id: pending.id, event: pending.event, attempt: attempt + 1, status: status, error: error, at: Date())
                try? await store.recordWebhookAttempt(outcome, webhookId: webhook.id, keep: Self.keptDeliveries)
                if let status, (200..<300).contains(status) { return }
                // The receiver refused the request itself: sending it again would not help.
                if let status, (400..<500).contains(status), status != 408, status != 429 { return }
                try? await store.advanceWebhookDelivery(id: pending.id, nextAttempt: attempt + 1)
            }
            logger.warning("webhook gave up", metadata: ["webhook.id": "\(webhook.id)", "webhook.event": "\(pending.event)"])
        }
    }

    /// One POST; the receiver's status, or why there was none.
    private nonisolated func post(_ body: Data, to url: String, event: String, delivery: String, secret: String) async -> (Int?, String?) {
        let timestamp = "\(Int(Date().timeIntervalSince1970))"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Railyard-Webhook")
        request.headers.add(name: "X-Railyard-Event", value: event)
        request.headers.add(name: "X-Railyard-Delivery", value: delivery)
        request.headers.add(name: "X-Railyard-Timestamp", value: timestamp)
        request.headers.add(name: "X-Railyard-Signature", value: Self.signature(body, timestamp: timestamp, secret: secret))
        request.body = .bytes(ByteBuffer(data: body))
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (Int(response.status.code), nil)
        } catch {
            return (nil, String(describing: error))
        }
    }

    /// `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): what receivers check.
    static func signature(_ body: Data, timestamp: String, secret: String) -> String {
        let signed = Data("\(timestamp).".utf8) + body
        return "sha256=" + Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))).hexString
    }
}
