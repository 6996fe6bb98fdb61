import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `/api/v1/workspaces`: the caller's workspaces and their members.
struct WorkspaceController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("workspaces", use: list)
        group.get("workspaces/:workspaceId", use: show)
        group.get("workspaces/:workspaceId/members", use: members)
        group.post("workspaces/:workspaceId/members", use: addMember)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[WorkspaceMembership]> {
        let user = try context.requireUser()
        return JSONResponse(try await dependencies.store.memberships(userId: user.id))
    }

    @Sendable func show(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Workspace> {
        let id = try context.parameters.require("workspaceId")
        try await dependencies.access.authorize(.workspaceRead, workspaceId: id, what: "workspace \(id)", context: context)
        guard let workspace = try await dependencies.store.workspace(id: id) else {
            throw RailyardError.notFound("workspace \(id)")
        }
        return JSONResponse(workspace)
    }

    @Sendable func members(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[Member]> {
        let id = try context.parameters.require("workspaceId")
        try await dependencies.access.authorize(.workspaceRead, workspaceId: id, what: "workspace \(id)", context: context)
        return JSONResponse(try await dependencies.store.members(workspaceId: id))
    }

    @Sendable func addMember(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Member> {
        let id = try context.parameters.require("workspaceId")
        let role = try await dependencies.access.authorize(
            .workspaceManageMembers, workspaceId: id, what: "workspace \(id)", context: context
        )
        let body = try await request.decodeJSON(as: AddMemberRequest.self, context: context)
        guard body.role != .owner || role == .owner else {
            throw RailyardError(.forbidden, "only an owner may make someone an owner; ask a workspace owner, or add them as admin")
        }
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        try Validation.email(email)
        guard let user = try await dependencies.store.user(email: email) else {
            throw RailyardError(
                .notFound, "no Railyard user has the email \(email); they must sign up first", field: "email"
            )
        }
        let member = try await dependencies.store.addMember(workspaceId: id, userId: user.id, role: body.role)
        context.logger.info(
            "member added", metadata: ["workspace.id": "\(id)", "member.id": "\(user.id)", "member.role": "\(body.role.rawValue)"]
        )
        return JSONResponse(member, status: .created)
    }
}
