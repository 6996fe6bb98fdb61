import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `/api/v1/projects`: create, list, read, update and delete projects.
struct ProjectController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects", use: list)
        group.post("projects", use: create)
        group.get("projects/:projectId", use: show)
        group.patch("projects/:projectId", use: update)
        group.delete("projects/:projectId", use: delete)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[Project]> {
        let user = try context.requireUser()
        let workspaceIds: [String]
        if let workspaceId = request.query("workspaceId") {
            try await dependencies.access.authorize(
                .projectRead, workspaceId: workspaceId, what: "workspace \(workspaceId)", context: context
            )
            workspaceIds = [workspaceId]
        } else {
            workspaceIds = try await dependencies.store.memberships(userId: user.id)
                .filter { PermissionTable.allows($0.role, .projectRead) }
                .map(\.workspace.id)
        }
        guard !workspaceIds.isEmpty else { return JSONResponse([]) }
        return JSONResponse(try await dependencies.store.projects(workspaceIds: workspaceIds))
    }

    @Sendable func create(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ProjectDetail> {
        let user = try context.requireUser()
        let body = try await request.decodeJSON(as: CreateProjectRequest.self, context: context)
        try Validation.dnsLabel(body.name, field: "name")
        let description = body.description ?? ""
        try Validation.description(description)
        let workspaceId: String
        if let requested = body.workspaceId {
            workspaceId = requested
        } else {
            let memberships = try await dependencies.store.memberships(userId: user.id)
            guard let personal = memberships.first(where: { $0.workspace.personalOwnerId == user.id }) else {
                throw RailyardError.invalid("workspaceId", "you have no personal workspace; name one with workspaceId")
            }
            workspaceId = personal.workspace.id
        }
        try await dependencies.access.authorize(
            .projectCreate, workspaceId: workspaceId, what: "workspace \(workspaceId)", context: context
        )
        let detail = try await dependencies.store.createProject(
            workspaceId: workspaceId, name: body.name, description: description
        )
        context.logger.info(
            "project created", metadata: ["project.id": "\(detail.project.id)", "workspace.id": "\(workspaceId)"]
        )
        return JSONResponse(detail, status: .created)
    }

    @Sendable func show(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<ProjectDetail> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectRead, context: context
        )
        guard let detail = try await dependencies.store.projectDetail(id: project.id) else {
            throw RailyardError.notFound("project \(project.id)")
        }
        return JSONResponse(detail)
    }

    @Sendable func update(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Project> {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectUpdate, context: context
        )
        let body = try await request.decodeJSON(as: UpdateProjectRequest.self, context: context)
        if let name = body.name { try Validation.dnsLabel(name, field: "name") }
        if let description = body.description { try Validation.description(description) }
        let updated = try await dependencies.store.updateProject(
            id: project.id, name: body.name, description: body.description
        )
        context.logger.info("project updated", metadata: ["project.id": "\(project.id)"])
        return JSONResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: RailyardRequestContext) async throws -> HTTPResponse.Status {
        let project = try await dependencies.access.project(
            try context.parameters.require("projectId"), .projectDelete, context: context
        )
        let environments = Set(try await dependencies.store.environments(projectId: project.id).map(\.id))
        let custom = try await dependencies.deployer.customDomains { environments.contains($0.environmentId) }
        let services = try await dependencies.store.services(projectId: project.id).map(\.id)
        try await dependencies.store.deleteProject(id: project.id)
        for service in services { dependencies.deployer.discardBuildCache(of: service) }
        await dependencies.deployer.unalias(custom)
        await dependencies.tcpProxies.stop { environments.contains($0.environmentId) }
        context.logger.info("project deleted", metadata: ["project.id": "\(project.id)"])
        return .noContent
    }
}
