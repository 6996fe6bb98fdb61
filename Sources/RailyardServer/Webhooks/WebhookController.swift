import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RailyardCore

/// GitHub push webhooks: the unauthenticated delivery route `POST /api/v1/webhooks/github/{serviceId}`
/// (checked by its HMAC signature, rate-limited per IP, bodies up to 1 MiB) and the owner's
/// `GET …/services/{serviceId}/webhook`, which shows the URL and secret to enter in GitHub.
///
/// A push deploys to the project's `production` environment (else its oldest one). An unknown service
/// gets the same 401 as a wrong signature, so the route does not reveal which service ids exist.
struct WebhookController {
    let dependencies: AppDependencies
    /// Largest delivery accepted, in bytes (GitHub caps payloads at 25 MB, but a push is far smaller).
    static let maxBodyBytes = 1024 * 1024

    /// The unauthenticated delivery route, under `/api/v1/webhooks`.
    func addDeliveryRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.post("github/:serviceId", use: deliver)
    }

    /// The authenticated settings route, under `/api/v1`.
    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/services/:serviceId/webhook", use: settings)
    }

    @Sendable func settings(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<WebhookSettings> {
        let project = try await dependencies.access.project(try context.parameters.require("projectId"), .projectUpdate, context: context)
        let service = try await dependencies.access.service(try context.parameters.require("serviceId"), of: project)
        return JSONResponse(WebhookSettings(
            url: "\(dependencies.publicURL)/api/v1/webhooks/github/\(service.id)",
            secret: dependencies.webhooks.secret(serviceId: service.id)
        ))
    }

    @Sendable func deliver(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<WebhookResult> {
        let serviceId = try context.parameters.require("serviceId")
        let body = try await Self.collect(request.body)
        let signature = request.headers[HTTPField.Name(WebhookSignature.header)!]
        guard let service = try await dependencies.store.service(id: serviceId),
            WebhookSignature.isValid(signature, body: body, secret: dependencies.webhooks.secret(serviceId: service.id))
        else {
            context.logger.info("webhook signature rejected", metadata: ["service.id": "\(serviceId)"])
            throw RailyardError(
                .unauthorized,
                "the \(WebhookSignature.header) header is missing or does not match; set the webhook's secret to the one `railyard service webhook` prints"
            )
        }
        let event = request.headers[HTTPField.Name("X-GitHub-Event")!] ?? "push"
        switch event {
        case "ping": return JSONResponse(WebhookResult(deployed: false, reason: "pong: the webhook is set up"))
        case "push": break
        default: return JSONResponse(WebhookResult(deployed: false, reason: "the \(event) event is not handled; send push events"))
        }
        let push = try GitHubPush.parse(body)
        guard let project = try await dependencies.store.project(id: service.projectId) else {
            throw RailyardError.notFound("project of service \(service.id)")
        }
        let environments = try await dependencies.store.environments(projectId: project.id)
        guard let environment = environments.first(where: { $0.name == RailyardCore.Environment.defaultName }) ?? environments.first else {
            throw RailyardError(.conflict, "project \(project.name) has no environment to deploy to")
        }
        let patterns = try await watchPatterns(service: service, environment: environment)
        switch PushDecision.decide(push: push, source: service.source, watchPatterns: patterns) {
        case .skip(let reason):
            context.logger.info("push not deployed", metadata: ["service.id": "\(service.id)", "webhook.reason": "\(reason)"])
            return JSONResponse(WebhookResult(deployed: false, reason: reason))
        case .deploy(let commit):
            let deployment = try await dependencies.deployer.deployWithoutUpload(
                project: project, environment: environment, service: service, commit: commit
            )
            context.logger.info("push deployed", metadata: ["service.id": "\(service.id)", "deployment.id": "\(deployment.id)"])
            return JSONResponse(WebhookResult(deployed: true, deploymentId: deployment.id, commitSha: commit), status: .accepted)
        }
    }

    /// `build.watchPatterns` as the service's latest planned deployment in `environment` went out
    /// with (settings, config as code and the environment's overrides together): the pushed commit's
    /// own config is only known after fetching it, so the one deployed decides. Without such a
    /// deployment, the service's settings; nil (every push deploys) when neither sets any.
    private func watchPatterns(service: Service, environment: RailyardCore.Environment) async throws -> [String]? {
        let store = dependencies.store
        for deployment in try await store.deployments(serviceId: service.id, environmentId: environment.id, limit: 20) {
            if let config = try await store.deploymentConfig(deploymentId: deployment.id) { return config.build.watchPatterns }
        }
        return try await store.serviceSettings(serviceId: service.id, environmentId: environment.id).build.watchPatterns
    }

    /// The whole body, refusing more than ``maxBodyBytes`` with 413.
    private static func collect(_ body: RequestBody) async throws -> Data {
        var data = Data()
        for try await buffer in body {
            guard data.count + buffer.readableBytes <= maxBodyBytes else {
                throw RailyardError(.tooLarge, "webhook deliveries are limited to \(maxBodyBytes / 1024) KiB")
            }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return data
    }
}
