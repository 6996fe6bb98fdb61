import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func recordAuditEvent(_ event: AuditEvent) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO audit_events (id, workspace_id, actor_id, actor_email, action, target, ip, status, at)
                VALUES (\(bind: event.id), \(bind: event.workspaceId), \(bind: event.actorId), \(bind: event.actorEmail), \(bind: event.action),
                \(bind: event.target), \(bind: event.ip), \(bind: Int64(event.status)), \(bind: event.at.millis))
                """).run()
        }
    }

    public func auditEvents(workspaceId: String, limit: Int) async throws -> [AuditEvent] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM audit_events WHERE workspace_id = \(bind: workspaceId) ORDER BY at DESC, id DESC LIMIT \(bind: Int64(limit))
                """).all().map { row in
                    AuditEvent(
                        id: try row.string("id"), workspaceId: try row.string("workspace_id"), actorId: try row.string("actor_id"),
                        actorEmail: try row.string("actor_email"), action: try row.string("action"), target: try row.string("target"),
                        ip: try row.string("ip"), status: Int(try row.decode(column: "status", as: Int64.self)), at: try row.date("at")
                    )
                }
        }
    }

    public func createInvitation(_ invitation: WorkspaceInvitation, tokenHash: String) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO workspace_invitations (id, workspace_id, email, role, token_hash, invited_by, created_at)
                VALUES (\(bind: invitation.id), \(bind: invitation.workspaceId), \(bind: invitation.email), \(bind: invitation.role.rawValue),
                \(bind: tokenHash), \(bind: invitation.invitedBy), \(bind: invitation.createdAt.millis))
                """).run()
        }
    }

    public func invitations(workspaceId: String) async throws -> [WorkspaceInvitation] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM workspace_invitations WHERE workspace_id = \(bind: workspaceId) ORDER BY created_at, id")
                .all().map { try $0.invitation() }
        }
    }

    public func invitation(tokenHash: String) async throws -> WorkspaceInvitation? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM workspace_invitations WHERE token_hash = \(bind: tokenHash)").first()?.invitation()
        }
    }

    public func deleteInvitation(id: String, workspaceId: String) async throws -> Bool {
        try await engine.transaction { db in
            let found = try await db.raw(
                "SELECT id FROM workspace_invitations WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceId)"
            ).first() != nil
            try await db.raw("DELETE FROM workspace_invitations WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceId)").run()
            return found
        }
    }

    public func acceptInvitation(_ invitation: WorkspaceInvitation, userId: String) async throws -> Member {
        try await write(conflict: "you are already a member of this workspace", field: "token") { db in
            guard try await db.raw("SELECT id FROM workspace_invitations WHERE id = \(bind: invitation.id)").first() != nil else {
                throw RailyardError.notFound("invitation")
            }
            if try await db.raw(
                "SELECT user_id FROM workspace_members WHERE workspace_id = \(bind: invitation.workspaceId) AND user_id = \(bind: userId)"
            ).first() != nil {
                throw RailyardError(.conflict, "you are already a member of this workspace", field: "token")
            }
            try await db.raw("""
                INSERT INTO workspace_members (workspace_id, user_id, role, created_at)
                VALUES (\(bind: invitation.workspaceId), \(bind: userId), \(bind: invitation.role.rawValue), \(bind: Date().millis))
                """).run()
            try await db.raw("DELETE FROM workspace_invitations WHERE id = \(bind: invitation.id)").run()
            return try await Self.members(db, workspaceId: invitation.workspaceId, userId: userId)[0]
        }
    }
}

extension SQLRow {
    func invitation() throws -> WorkspaceInvitation {
        let roleText = try string("role")
        guard let role = Role(rawValue: roleText) else { throw RailyardError(.internal, "stored invitation role '\(roleText)' is unknown") }
        return WorkspaceInvitation(
            id: try string("id"), workspaceId: try string("workspace_id"), email: try string("email"), role: role,
            invitedBy: try string("invited_by"), createdAt: try date("created_at")
        )
    }
}
