import Hummingbird
import RailyardCore

extension Access {
    /// The project, environment and service a `projects/:projectId/environments/:environmentId/services/:serviceId/…`
    /// route names, after checking the caller holds `permission` in the project's workspace.
    func serviceInEnvironment(
        _ permission: Permission, context: RailyardRequestContext
    ) async throws -> (Project, RailyardCore.Environment, Service) {
        let project = try await self.project(try context.parameters.require("projectId"), permission, context: context)
        let environment = try await self.environment(try context.parameters.require("environmentId"), of: project)
        let service = try await self.service(try context.parameters.require("serviceId"), of: project)
        return (project, environment, service)
    }
}
