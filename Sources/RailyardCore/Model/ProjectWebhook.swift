import Foundation

/// Where a project's deploy events are POSTed: a URL and the shape of the body.
public struct ProjectWebhook: Codable, Sendable, Equatable, Identifiable {
    /// The body's shape: Railyard's JSON, or a message Slack's or Discord's incoming webhooks accept.
    public enum Format: String, Codable, Sendable, CaseIterable {
        case json
        case slack
        case discord
    }

    public var id: String
    public var projectId: String
    public var url: String
    public var format: Format
    public var createdAt: Date
    /// The signing secret: only in the answer that created the webhook.
    public var secret: String?

    public init(id: String, projectId: String, url: String, format: Format, createdAt: Date, secret: String? = nil) {
        self.id = id
        self.projectId = projectId
        self.url = url
        self.format = format
        self.createdAt = createdAt
        self.secret = secret
    }

    /// Checks a receiver URL: http or https, a host, no credentials in it.
    public static func validate(url: String) throws(RailyardError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parts.host, !host.isEmpty
        else { throw .invalid("url", "url must be an http:// or https:// address with a host, like https://hooks.slack.com/services/… (got '\(url)')") }
        guard parts.user == nil, parts.password == nil else {
            throw .invalid("url", "url must not carry a user or password; the body is signed instead (X-Railyard-Signature)")
        }
        guard url.utf8.count <= 2048 else { throw .invalid("url", "url must be at most 2048 characters") }
    }
}

/// `POST /api/v1/projects/{projectId}/webhooks`.
public struct CreateProjectWebhookRequest: Codable, Sendable {
    public var url: String
    /// `json` (default), `slack` or `discord`.
    public var format: String?

    public init(url: String, format: String? = nil) {
        self.url = url
        self.format = format
    }
}

/// One attempt to deliver an event to a webhook, as `GET …/webhooks/{id}/deliveries` lists it.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public var id: String
    public var event: String
    public var attempt: Int
    /// The receiver's HTTP status, or nil when it could not be reached.
    public var status: Int?
    public var error: String?
    public var at: Date

    public init(id: String, event: String, attempt: Int, status: Int?, error: String?, at: Date) {
        self.id = id
        self.event = event
        self.attempt = attempt
        self.status = status
        self.error = error
        self.at = at
    }
}

/// A delivery still being retried: its body as first made, and which attempt comes next.
public struct PendingWebhookDelivery: Sendable, Equatable {
    public var id: String
    public var webhookId: String
    public var event: String
    public var body: Data
    /// The 0-based attempt that comes next (an index into the notifier's retry delays).
    public var nextAttempt: Int
    public var createdAt: Date

    public init(id: String, webhookId: String, event: String, body: Data, nextAttempt: Int, createdAt: Date) {
        self.id = id
        self.webhookId = webhookId
        self.event = event
        self.body = body
        self.nextAttempt = nextAttempt
        self.createdAt = createdAt
    }
}
