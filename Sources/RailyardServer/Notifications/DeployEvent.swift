import Foundation
import RailyardCore

/// One event as a webhook receives it: Railyard's JSON (which also carries `text` and `content`, so
/// Slack and Discord show it), or Slack's or Discord's message alone.
struct DeployEvent: Sendable {
    var event: String
    var alert: Bool
    var project: Project
    var service: Service
    var environment: RailyardCore.Environment
    var deployment: Deployment?
    var text: String?
    var at: Date

    init(
        event: String, alert: Bool, project: Project, service: Service, environment: RailyardCore.Environment,
        deployment: Deployment? = nil, text: String? = nil, at: Date
    ) {
        self.event = event
        self.alert = alert
        self.project = project
        self.service = service
        self.environment = environment
        self.deployment = deployment
        self.text = text
        self.at = at
    }

    /// One line for people: `✅ web in production (shop) is live: http://…`.
    var summary: String {
        let subject = "\(service.name) in \(environment.name) (\(project.name))"
        if let text { return "⚠️ \(subject): \(text)" }
        guard let deployment else { return subject }
        switch deployment.status {
        case .success: return "✅ \(subject) is live\(deployment.url.map { ": \($0)" } ?? "")"
        case .failed: return "❌ \(subject) failed to deploy: \(deployment.failureReason ?? "no reason was given")"
        case .crashed: return "💥 \(subject) crashed: \(deployment.failureReason ?? "its replicas keep exiting")"
        default: return "\(subject) is \(deployment.status.rawValue)"
        }
    }

    struct Named: Encodable {
        var id: String
        var name: String
    }

    struct Payload: Encodable {
        var type: String
        var alert: Bool
        var timestamp: Date
        var project: Named
        var service: Named
        var environment: Named
        var deployment: Deployment?
        var status: String?
        var url: String?
        var text: String
        var content: String
    }

    func body(format: ProjectWebhook.Format) -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch format {
        case .slack: return (try? encoder.encode(["text": summary])) ?? Data()
        case .discord: return (try? encoder.encode(["content": summary])) ?? Data()
        case .json:
            let payload = Payload(
                type: event, alert: alert, timestamp: at, project: Named(id: project.id, name: project.name),
                service: Named(id: service.id, name: service.name), environment: Named(id: environment.id, name: environment.name),
                deployment: deployment, status: deployment?.status.rawValue, url: deployment?.url, text: summary, content: summary
            )
            return (try? encoder.encode(payload)) ?? Data()
        }
    }
}
