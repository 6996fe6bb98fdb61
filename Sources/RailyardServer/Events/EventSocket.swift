import Foundation
import HummingbirdWebSocket
import Logging
import RailyardCore
import RailyardStore

/// One dashboard's `/api/v1/events` WebSocket: authenticates with the first message, then serves
/// project and log subscriptions, each checked with the same ``Access`` rules as the REST routes.
struct EventSocket: Sendable {
    let dependencies: AppDependencies
    let hub: EventHub
    /// How long a socket may stay open without sending its token.
    var authenticationDeadline: Duration = .seconds(10)
    /// Most log follows one socket may hold at once.
    static let maxFollows = 8
    /// Largest client message, in bytes.
    static let maxMessage = 16 * 1024
    /// How often an open socket's token and access are checked again.
    var revalidateEvery: Duration = .seconds(30)

    private enum Finished { case reader, writer, deadline }

    /// Serves the socket until the client closes it, the token never came, or the server stops.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        let subscription = EventSubscription()
        defer {
            hub.remove(subscription)
            subscription.finish()
        }
        try await withThrowingTaskGroup(of: Finished.self) { group in
            group.addTask {
                for await text in subscription.messages { try await outbound.write(.text(text)) }
                return .writer
            }
            group.addTask {
                try await Task.sleep(for: authenticationDeadline)
                if !subscription.isAuthenticated {
                    subscription.send(Self.failure(RailyardError(.unauthorized, "send {\"token\": SESSION_TOKEN} as the first message")))
                    return .reader
                }
                return .deadline
            }
            group.addTask {
                try await read(inbound, subscription: subscription, logger: logger)
                return .reader
            }
            while let finished = try await group.next() {
                if finished != .deadline { break }
            }
            // Let the writer flush what was queued (e.g. why the socket closes), briefly.
            subscription.finish()
            try? await Task.sleep(for: .milliseconds(50))
            group.cancelAll()
        }
    }

    private func read(
        _ inbound: WebSocketInboundStream, subscription: EventSubscription, logger: Logger
    ) async throws {
        var messages = inbound.messages(maxSize: Self.maxMessage).makeAsyncIterator()
        var user: User?
        var follows: [EventTopic: Task<Void, Never>] = [:]
        var revalidator: Task<Void, Never>?
        defer {
            for follow in follows.values { follow.cancel() }
            revalidator?.cancel()
        }
        while let message = try await messages.next() {
            guard case .text(let text) = message,
                let parsed = try? RailyardJSON.decoder().decode(EventClientMessage.self, from: Data(text.utf8))
            else {
                subscription.send(Self.failure(RailyardError.invalid("message", "messages are JSON objects: token, subscribe or unsubscribe")))
                continue
            }
            guard let user else {
                do {
                    guard let token = parsed.token else { throw RailyardError(.unauthorized, "the first message must be {\"token\": SESSION_TOKEN}") }
                    let identity = try await AuthenticationMiddleware(store: dependencies.store, sessions: dependencies.sessions).authenticate(token)
                    user = identity.user
                } catch {
                    subscription.send(Self.failure(error))
                    return
                }
                subscription.markAuthenticated()
                hub.add(subscription)
                revalidator = Task { [dependencies, revalidateEvery] in
                    await Self.revalidate(token: parsed.token ?? "", subscription: subscription, dependencies: dependencies, every: revalidateEvery)
                }
                subscription.send(EventServerMessage.encode(EventServerMessage.Ready(userId: user?.id ?? "")))
                logger.debug("event socket authenticated", metadata: ["user.id": "\(user?.id ?? "")"])
                continue
            }
            if let topic = parsed.unsubscribe {
                if let project = topic.project { subscription.unwatch(project: project) }
                if let service = topic.metrics { subscription.unwatch(metrics: "\(service)/\(topic.environment ?? "")") }
                follows.removeValue(forKey: normalized(topic))?.cancel()
            }
            if let topic = parsed.subscribe {
                do {
                    try await subscribe(normalized(topic), user: user, subscription: subscription, follows: &follows)
                } catch {
                    subscription.send(Self.failure(error, topic: topic))
                }
            }
        }
    }

    /// Checks the socket's token and its user's access to what it watches every `every`; a socket
    /// whose token is no longer valid (expired, revoked) or whose user lost a project it watches is
    /// told why and closed (the dashboard reconnects and subscribes again, as allowed now).
    static func revalidate(token: String, subscription: EventSubscription, dependencies: AppDependencies, every: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: every)
            guard !Task.isCancelled else { return }
            do {
                let user = try await AuthenticationMiddleware(store: dependencies.store, sessions: dependencies.sessions).authenticate(token).user
                for project in subscription.notedProjects {
                    _ = try await dependencies.access.project(project, .projectRead, user: user)
                }
            } catch {
                subscription.send(failure(error))
                subscription.finish()
                return
            }
        }
    }

    /// A log topic with its kind spelled out, so `{"logs": ID}` and `{"logs": ID, "kind": "build"}` are one.
    private func normalized(_ topic: EventTopic) -> EventTopic {
        if topic.metrics != nil { return EventTopic(metrics: topic.metrics, environment: topic.environment) }
        guard topic.logs != nil else { return EventTopic(project: topic.project) }
        return EventTopic(logs: topic.logs, kind: topic.kind ?? LogStream.build.rawValue)
    }

    private func subscribe(
        _ topic: EventTopic, user: User, subscription: EventSubscription, follows: inout [EventTopic: Task<Void, Never>]
    ) async throws {
        let access = dependencies.access
        if let projectId = topic.project {
            _ = try await access.project(projectId, .projectRead, user: user)
            subscription.note(project: projectId)
            subscription.watch(project: projectId)
            return
        }
        if let serviceId = topic.metrics {
            guard let environmentId = topic.environment, let service = try await dependencies.store.service(id: serviceId) else {
                throw RailyardError.invalid("subscribe", "subscribe to a service's figures with {\"metrics\": SERVICE_ID, \"environment\": ENVIRONMENT_ID}")
            }
            let project = try await access.project(service.projectId, .projectRead, user: user)
            _ = try await access.environment(environmentId, of: project)
            subscription.note(project: project.id)
            subscription.watch(metrics: "\(serviceId)/\(environmentId)")
            return
        }
        guard let deploymentId = topic.logs else {
            throw RailyardError.invalid(
                "subscribe",
                "subscribe to {\"project\": ID}, {\"logs\": DEPLOYMENT_ID, \"kind\": \"build\"|\"runtime\"} or {\"metrics\": SERVICE_ID, \"environment\": ENVIRONMENT_ID}"
            )
        }
        guard let stream = LogStream(rawValue: topic.kind ?? "build") else {
            throw RailyardError.invalid("kind", "kind must be one of build, runtime")
        }
        let store = dependencies.store
        guard let deployment = try await store.deployment(id: deploymentId),
            let service = try await store.service(id: deployment.serviceId)
        else { throw RailyardError.notFound("deployment \(deploymentId)") }
        _ = try await access.project(service.projectId, .projectRead, user: user)
        subscription.note(project: service.projectId)
        guard follows[topic] == nil else { return }
        guard follows.count < Self.maxFollows else {
            throw RailyardError.invalid("subscribe", "a socket follows at most \(Self.maxFollows) logs; unsubscribe from one first")
        }
        let deployer = dependencies.deployer
        let layout = await deployer.layout
        let follower = LogFollower(
            file: stream == .build ? layout.buildLog(deploymentId) : layout.runtimeLog(deploymentId),
            deploymentId: deploymentId, stream: stream,
            isOpen: {
                guard let current = try? await store.deployment(id: deploymentId) else { return false }
                return await deployer.logIsOpen(current, stream: stream)
            }
        )
        follows[topic] = Task { await follower.run(send: subscription.send) }
    }

    /// An `error` message for `error` (a ``RailyardError`` keeps its code; anything else is internal).
    static func failure(_ error: any Error, topic: EventTopic? = nil) -> String {
        let railyard = error as? RailyardError ?? RailyardError(.internal, "the server could not do this; see its log")
        return EventServerMessage.encode(EventServerMessage.Failure(code: railyard.code.rawValue, message: railyard.message, topic: topic))
    }
}
