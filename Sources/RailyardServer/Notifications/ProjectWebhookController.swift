import Foundation
import Hummingbird
import RailyardCore

/// `/api/v1/projects/{projectId}/webhooks`: where the project's deploy events and alerts go.
struct ProjectWebhookController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/webhooks", use: list)
        group.post("projects/:projectId/webhooks", use: create)
        group.delete("projects/:projectId/webhooks/:webhookId", use: delete)
        group.get("projects/:projectId/webhooks/:webhookId/deliveries", use: deliveries)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[ProjectWebhook]> {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectRead, context: context)
        let webhooks = try await dependencies.store.projectWebhooks(projectId: project.id)
        // A chat app's webhook URL is a credential (whoever has it can post): only those who may
        // change webhooks see it whole.
        let role = try await dependencies.store.role(userId: try context.requireUser().id, workspaceId: project.workspaceId)
        guard let role, PermissionTable.allows(role, .projectUpdate) else { return JSONResponse(webhooks.map(Self.masked)) }
        return JSONResponse(webhooks)
    }

    /// The webhook with its URL cut to scheme and host.
    static func masked(_ webhook: ProjectWebhook) -> ProjectWebhook {
        var masked = webhook
        if let parts = URLComponents(string: webhook.url), let scheme = parts.scheme, let host = parts.host {
            masked.url = "\(scheme)://\(host)\(parts.port.map { ":\($0)" } ?? "")/…"
        }
        return masked
    }

    /// Answers with the signing secret, this once.
    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ProjectWebhook> {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectUpdate, context: context)
        let body = try await request.decodeJSON(as: CreateProjectWebhookRequest.self, context: context)
        try ProjectWebhook.validate(url: body.url)
        guard let format = ProjectWebhook.Format(rawValue: body.format ?? "json") else {
            throw RailyardError.invalid("format", "format must be json, slack or discord (got '\(body.format ?? "")')")
        }
        var webhook = try await dependencies.store.createProjectWebhook(projectId: project.id, url: body.url, format: format)
        webhook.secret = dependencies.notifier.secret(webhookId: webhook.id)
        context.logger.info("project webhook added", metadata: ["project.id": "\(project.id)", "webhook.id": "\(webhook.id)"])
        return JSONResponse(webhook, status: .created)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectUpdate, context: context)
        let id = try context.parameters.require("webhookId")
        guard try await dependencies.store.deleteProjectWebhook(id: id, projectId: project.id) else {
            throw RailyardError.notFound("webhook \(id) of project \(project.name)")
        }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[WebhookDelivery]> {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectRead, context: context)
        let id = try context.parameters.require("webhookId")
        guard try await dependencies.store.projectWebhooks(projectId: project.id).contains(where: { $0.id == id }) else {
            throw RailyardError.notFound("webhook \(id) of project \(project.name)")
        }
        return JSONResponse(try await dependencies.notifier.deliveries(webhookId: id))
    }
}
