import RailyardClient
import RailyardCore

/// Whose variables a `railyard variables` call reads or changes: an environment's shared ones or
/// one service's in one environment.
struct VariablesTarget {
    var projectId: String
    var environment: RailyardCore.Environment
    /// Nil for the environment's shared variables.
    var service: Service?

    /// Words for messages: `service web in production` or `environment production (shared)`.
    var label: String {
        if let service { return "service \(service.name) in \(environment.name)" }
        return "environment \(environment.name) (shared)"
    }

    /// Picks the target from the flags and the folder's link.
    static func resolve(
        client: RailyardClient, context: CommandContext, link: FolderLink,
        service: String?, environment: String?, shared: Bool
    ) async throws -> VariablesTarget {
        if !shared, service == nil, link.serviceId == nil {
            throw CLIError(
                "no service is linked to this folder; pass --service NAME (or --shared for the environment's shared variables), or link one with `railyard service use NAME`"
            )
        }
        let detail = try await context.linkedProject(client, link)
        let chosenEnvironment: RailyardCore.Environment
        if let environment {
            chosenEnvironment = try detail.environment(environment)
        } else if let linked = detail.environments.first(where: { $0.id == link.environmentId }) {
            chosenEnvironment = linked
        } else {
            throw CLIError("the linked environment no longer exists; pass --environment NAME or run `railyard environment use NAME`")
        }
        var chosenService: Service?
        if !shared {
            if let service {
                chosenService = try detail.service(service)
            } else if let id = link.serviceId {
                guard let linked = detail.services.first(where: { $0.id == id }) else {
                    throw CLIError("the linked service no longer exists; pass --service NAME or run `railyard service use NAME`")
                }
                chosenService = linked
            }
        }
        return VariablesTarget(projectId: detail.project.id, environment: chosenEnvironment, service: chosenService)
    }

    /// The target's variables.
    func list(_ client: RailyardClient, reveal: Bool) async throws -> VariableList {
        if let service {
            return try await client.serviceVariables(
                projectId: projectId, environmentId: environment.id, serviceId: service.id, reveal: reveal
            )
        }
        return try await client.sharedVariables(projectId: projectId, environmentId: environment.id, reveal: reveal)
    }

    /// Applies one change to the target's variables.
    func update(_ client: RailyardClient, _ change: UpdateVariablesRequest) async throws -> VariableList {
        if let service {
            return try await client.updateServiceVariables(
                projectId: projectId, environmentId: environment.id, serviceId: service.id, change
            )
        }
        return try await client.updateSharedVariables(projectId: projectId, environmentId: environment.id, change)
    }
}
