import RailyardClient
import RailyardCore

/// The project, environment and service a deploy-path command (`up`, `logs`, `domain`, …) acts
/// on, resolved from the folder's link and `--service`.
struct DeployTarget {
    var project: ProjectDetail
    var environment: RailyardCore.Environment
    var service: Service
    /// Whether `railyard up` created the service just now.
    var created = false

    var projectId: String { project.project.id }

    /// Resolves the target; with `createIfEmpty` (`railyard up`) a project without services gets one
    /// named after the linked folder, and the folder is linked to it.
    static func resolve(
        context: inout CommandContext, client: RailyardClient, serviceFlag: String?, createIfEmpty: Bool = false
    ) async throws -> DeployTarget {
        let (path, link) = try context.requireLink()
        let (detail, environment) = try await context.linkedEnvironment(client)
        let choice = try ServiceChoice.decide(
            flag: serviceFlag, linkedServiceId: link.serviceId, services: detail.services, folder: path
        )
        switch choice {
        case .existing(let service):
            return DeployTarget(project: detail, environment: environment, service: service)
        case .create(let name):
            guard createIfEmpty else {
                throw CLIError(
                    "project \(detail.project.name) has no services yet; run `railyard up` to deploy this folder, or `railyard service new NAME`"
                )
            }
            let service = try await client.createService(projectId: detail.project.id, CreateServiceRequest(name: name))
            context.config.links[path]?.serviceId = service.id
            try context.save()
            return DeployTarget(project: detail, environment: environment, service: service, created: true)
        }
    }

    /// The client and target of a command run in a linked folder with an optional `--service`.
    static func resolve(serviceFlag: String?) async throws -> (RailyardClient, DeployTarget) {
        var context = try CommandContext.load()
        let client = try context.client()
        return (client, try await resolve(context: &context, client: client, serviceFlag: serviceFlag))
    }

    /// Words for messages: `service web in production`.
    var label: String { "service \(service.name) in \(environment.name)" }

    /// The service's latest deployment in the environment, if it has any.
    func latestDeployment(_ client: RailyardClient) async throws -> Deployment? {
        try await client.deployments(projectId: projectId, environmentId: environment.id, serviceId: service.id).first
    }
}
