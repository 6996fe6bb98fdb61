/// `GET …/services/{serviceId}/webhook`: what to enter in GitHub's "Add webhook" form.
public struct WebhookSettings: Codable, Sendable, Equatable {
    /// The payload URL, `<public URL>/api/v1/webhooks/github/<serviceId>`.
    public var url: String
    /// The secret GitHub signs each delivery with (64 hex characters, fixed per service).
    public var secret: String
    /// The content type to choose: `application/json`.
    public var contentType: String
    /// The events to send: `push`.
    public var events: [String]

    public init(url: String, secret: String, contentType: String = "application/json", events: [String] = ["push"]) {
        self.url = url
        self.secret = secret
        self.contentType = contentType
        self.events = events
    }
}

/// The answer to a webhook delivery: whether it queued a deployment, and if not, why.
public struct WebhookResult: Codable, Sendable, Equatable {
    /// Whether a deployment was queued.
    public var deployed: Bool
    /// Why nothing was deployed (a ping, another branch, no watched file changed, …).
    public var reason: String?
    /// The queued deployment.
    public var deploymentId: String?
    /// The commit it deploys.
    public var commitSha: String?

    public init(deployed: Bool, reason: String? = nil, deploymentId: String? = nil, commitSha: String? = nil) {
        self.deployed = deployed
        self.reason = reason
        self.deploymentId = deploymentId
        self.commitSha = commitSha
    }
}
