import Foundation
import RailyardCore

/// What a dashboard sends on `/api/v1/events`: first its session token, then subscriptions.
///
/// `{"token": "…"}`, `{"subscribe": {"project": ID}}`,
/// `{"subscribe": {"logs": DEPLOYMENT_ID, "kind": "build"|"runtime"}}`, `{"unsubscribe": {…}}`.
struct EventClientMessage: Decodable, Sendable {
    /// The session JWT (or API token) that authenticates the socket; only in the first message.
    var token: String?
    var subscribe: EventTopic?
    var unsubscribe: EventTopic?
}

/// One thing a socket can watch: a project's deployments, or one deployment's log.
struct EventTopic: Codable, Sendable, Hashable {
    /// The project whose deployment changes to receive.
    var project: String?
    /// The deployment whose log lines to receive.
    var logs: String?
    /// `build` (default) or `runtime`, with `logs`.
    var kind: String?
    /// The service whose usage figures to receive (each sampling round's point), with `environment`.
    var metrics: String?
    var environment: String?
}

/// What the server sends: `ready`, `deployment`, `log` and `error` messages, as one JSON object each.
enum EventServerMessage {
    /// After the token was accepted.
    struct Ready: Encodable {
        var type = "ready"
        var userId: String
    }

    /// A deployment was created or changed status; `storedAtMillis` is when the write was committed
    /// (milliseconds since 1970: the API's ISO 8601 dates stop at seconds).
    struct DeploymentChanged: Encodable {
        var type = "deployment"
        var projectId: String
        var deployment: Deployment
        var storedAtMillis: Int64
    }

    /// New whole lines of a deployment's log; `complete` once the log can no longer grow.
    struct Log: Encodable {
        var type = "log"
        var deploymentId: String
        var kind: String
        var lines: [String]
        var complete: Bool
    }

    /// A service's usage figures of one sampling round, summed over its replicas.
    struct Metrics: Encodable {
        var type = "metrics"
        var serviceId: String
        var environmentId: String
        var point: UsageReport.Point
    }

    /// A subscription was refused or a message was not understood; the socket stays open.
    struct Failure: Encodable {
        var type = "error"
        var code: String
        var message: String
        var topic: EventTopic?
    }

    /// The message as one JSON text frame.
    static func encode(_ message: some Encodable) -> String {
        guard let data = try? RailyardJSON.encoder().encode(message) else { return #"{"type":"error","code":"internal","message":"encoding failed"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
