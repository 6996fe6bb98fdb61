import Crypto
import Foundation
import Hummingbird
import RailyardCore

/// A workspace's team beyond its member list: invitations by email (no mail server: the answer holds
/// the token the invited person accepts with) and the audit log.
struct TeamController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("workspaces/:workspaceId/audit", use: audit)
        group.get("workspaces/:workspaceId/invitations", use: invitations)
        group.post("workspaces/:workspaceId/invitations", use: invite)
        group.delete("workspaces/:workspaceId/invitations/:invitationId", use: revoke)
        group.post("invitations/accept", use: accept)
    }

    @Sendable func audit(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[AuditEvent]> {
        let id = try context.parameters.require("workspaceId")
        try await dependencies.access.authorize(.workspaceAuditRead, workspaceId: id, what: "workspace \(id)", context: context)
        let limit = try request.query("limit").map { text throws(RailyardError) -> Int in
            guard let value = Int(text), (1...1000).contains(value) else { throw .invalid("limit", "limit must be from 1 to 1000 (got '\(text)')") }
            return value
        } ?? 100
        return JSONResponse(try await dependencies.store.auditEvents(workspaceId: id, limit: limit))
    }

    @Sendable func invitations(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[WorkspaceInvitation]> {
        let id = try context.parameters.require("workspaceId")
        try await dependencies.access.authorize(.workspaceManageMembers, workspaceId: id, what: "workspace \(id)", context: context)
        return JSONResponse(try await dependencies.store.invitations(workspaceId: id))
    }

    /// Answers with the token, this once.
    @Sendable func invite(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<WorkspaceInvitation> {
        let id = try context.parameters.require("workspaceId")
        let role = try await dependencies.access.authorize(.workspaceManageMembers, workspaceId: id, what: "workspace \(id)", context: context)
        let body = try await request.decodeJSON(as: CreateInvitationRequest.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        try Validation.email(email)
        guard body.role != .owner || role == .owner else {
            throw RailyardError(.forbidden, "only an owner may invite an owner; ask a workspace owner, or invite them as admin")
        }
        if let user = try await dependencies.store.user(email: email), try await dependencies.store.role(userId: user.id, workspaceId: id) != nil {
            throw RailyardError(.conflict, "\(email) is already a member of this workspace", field: "email")
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = "ryi_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        var invitation = WorkspaceInvitation(
            id: UUID().uuidString.lowercased(), workspaceId: id, email: email, role: body.role,
            invitedBy: try context.requireUser().id, createdAt: Date()
        )
        try await dependencies.store.createInvitation(invitation, tokenHash: Self.hash(token))
        invitation.token = token
        return JSONResponse(invitation, status: .created)
    }

    @Sendable func revoke(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        let id = try context.parameters.require("workspaceId")
        try await dependencies.access.authorize(.workspaceManageMembers, workspaceId: id, what: "workspace \(id)", context: context)
        let invitation = try context.parameters.require("invitationId")
        guard try await dependencies.store.deleteInvitation(id: invitation, workspaceId: id) else {
            throw RailyardError.notFound("invitation \(invitation)")
        }
        return Response(status: .noContent)
    }

    /// The signed-in user whose email the invitation names joins with its role.
    @Sendable func accept(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Member> {
        let user = try context.requireUser()
        let body = try await request.decodeJSON(as: AcceptInvitationRequest.self, context: context)
        guard let invitation = try await dependencies.store.invitation(tokenHash: Self.hash(body.token)) else {
            throw RailyardError(.notFound, "no pending invitation has that token; it may have been accepted or revoked", field: "token")
        }
        guard invitation.expiresAt > Date() else {
            throw RailyardError(
                .forbidden,
                "this invitation expired on \(invitation.expiresAt.formatted(.iso8601)); ask an owner or admin of the workspace to invite \(invitation.email) again",
                field: "token"
            )
        }
        guard user.email?.lowercased() == invitation.email else {
            throw RailyardError(.forbidden, "this invitation is for \(invitation.email); sign in as that user to accept it")
        }
        context.audit.workspaceId = invitation.workspaceId
        let member = try await dependencies.store.acceptInvitation(invitation, userId: user.id)
        return JSONResponse(member, status: .created)
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
