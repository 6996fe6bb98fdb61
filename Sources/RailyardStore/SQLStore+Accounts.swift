import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func createUser(email: String, name: String?, passwordHash: String?) async throws -> User {
        let now = Date().millis
        let id = Self.newID()
        return try await write(conflict: "an account with email \(email) already exists; log in instead", field: "email") { db in
            if try await db.raw("SELECT id FROM users WHERE email = \(bind: email)").first() != nil {
                throw RailyardError(.conflict, "an account with email \(email) already exists; log in instead", field: "email")
            }
            try await db.raw("""
                INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
                VALUES (\(bind: id), \(bind: email), \(bind: name), \(bind: passwordHash), \(bind: now), \(bind: now))
                """).run()
            try await Self.createPersonalWorkspace(db, userId: id, displayName: name ?? email, now: now)
            return try await Self.user(db, id: id)!
        }
    }

    public func upsertGitHubUser(
        githubId: String, login: String, email: String?, name: String?, avatarURL: String?
    ) async throws -> User {
        let now = Date().millis
        return try await write(conflict: "another account already uses this GitHub identity") { db in
            if let existing = try await db.raw("SELECT id FROM users WHERE github_id = \(bind: githubId)").first() {
                let id = try existing.string("id")
                try await db.raw("""
                    UPDATE users SET github_login = \(bind: login), name = COALESCE(\(bind: name), name),
                    avatar_url = \(bind: avatarURL), updated_at = \(bind: now) WHERE id = \(bind: id)
                    """).run()
                return try await Self.user(db, id: id)!
            }
            // A password account with the same (GitHub-verified) email gains GitHub sign-in.
            if let email, let row = try await db.raw(
                "SELECT id FROM users WHERE email = \(bind: email) AND github_id IS NULL"
            ).first() {
                let id = try row.string("id")
                try await db.raw("""
                    UPDATE users SET github_id = \(bind: githubId), github_login = \(bind: login),
                    avatar_url = \(bind: avatarURL), updated_at = \(bind: now) WHERE id = \(bind: id)
                    """).run()
                return try await Self.user(db, id: id)!
            }
            let emailFree = if let email { try await db.raw("SELECT id FROM users WHERE email = \(bind: email)").first() == nil } else { false }
            let id = Self.newID()
            try await db.raw("""
                INSERT INTO users (id, email, name, github_id, github_login, avatar_url, created_at, updated_at)
                VALUES (\(bind: id), \(bind: emailFree ? email : nil), \(bind: name), \(bind: githubId), \(bind: login),
                \(bind: avatarURL), \(bind: now), \(bind: now))
                """).run()
            try await Self.createPersonalWorkspace(db, userId: id, displayName: name ?? login, now: now)
            return try await Self.user(db, id: id)!
        }
    }

    public func user(id: String) async throws -> User? {
        try await engine.withConnection { db in try await Self.user(db, id: id) }
    }

    public func user(email: String) async throws -> User? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM users WHERE email = \(bind: email)").first()?.user()
        }
    }

    public func passwordHash(userId: String) async throws -> String? {
        try await engine.withConnection { db in
            try await db.raw("SELECT password_hash FROM users WHERE id = \(bind: userId)").first()?.optionalString("password_hash")
        }
    }

    // MARK: API tokens

    public func createAPIToken(userId: String, name: String, tokenHash: String, prefix: String) async throws -> APIToken {
        let token = APIToken(id: Self.newID(), name: name, prefix: prefix, createdAt: Date(millis: Date().millis))
        try await write(conflict: "token collision; try again") { db in
            try await db.raw("""
                INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at)
                VALUES (\(bind: token.id), \(bind: userId), \(bind: name), \(bind: tokenHash), \(bind: prefix), \(bind: token.createdAt.millis))
                """).run()
        }
        return token
    }

    public func apiTokens(userId: String) async throws -> [APIToken] {
        try await engine.withConnection { db in
            try await db.raw(
                "SELECT * FROM api_tokens WHERE user_id = \(bind: userId) AND revoked_at IS NULL ORDER BY created_at DESC, id"
            ).all().map { try $0.apiToken() }
        }
    }

    public func revokeAPIToken(id: String, userId: String) async throws -> Bool {
        try await engine.transaction { db in
            guard try await db.raw(
                "SELECT id FROM api_tokens WHERE id = \(bind: id) AND user_id = \(bind: userId) AND revoked_at IS NULL"
            ).first() != nil else { return false }
            try await db.raw("UPDATE api_tokens SET revoked_at = \(bind: Date().millis) WHERE id = \(bind: id)").run()
            return true
        }
    }

    public func user(apiTokenHash: String) async throws -> User? {
        try await engine.transaction { db in
            guard let row = try await db.raw(
                "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = \(bind: apiTokenHash) AND revoked_at IS NULL"
            ).first() else { return nil }
            let now = Date().millis
            // Record use at most once a minute: a busy CI token must not turn every read into a write.
            if (try row.decode(column: "last_used_at", as: Int64?.self) ?? 0) < now - 60_000 {
                try await db.raw("UPDATE api_tokens SET last_used_at = \(bind: now) WHERE id = \(bind: try row.string("id"))").run()
            }
            return try await Self.user(db, id: try row.string("user_id"))
        }
    }

    // MARK: Workspaces

    public func workspace(id: String) async throws -> Workspace? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM workspaces WHERE id = \(bind: id)").first()?.workspace()
        }
    }

    public func memberships(userId: String) async throws -> [WorkspaceMembership] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT w.*, m.role FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id
                WHERE m.user_id = \(bind: userId)
                ORDER BY CASE WHEN w.personal_owner_id = \(bind: userId) THEN 0 ELSE 1 END, w.name, w.id
                """).all().map { WorkspaceMembership(workspace: try $0.workspace(), role: try $0.role()) }
        }
    }

    public func role(userId: String, workspaceId: String) async throws -> Role? {
        try await engine.withConnection { db in
            try await db.raw(
                "SELECT role FROM workspace_members WHERE workspace_id = \(bind: workspaceId) AND user_id = \(bind: userId)"
            ).first()?.role()
        }
    }

    public func members(workspaceId: String) async throws -> [Member] {
        try await engine.withConnection { db in
            try await Self.members(db, workspaceId: workspaceId, userId: nil)
        }
    }

    public func addMember(workspaceId: String, userId: String, role: Role) async throws -> Member {
        try await write(conflict: "that user is already a member of this workspace", field: "email") { db in
            if try await db.raw(
                "SELECT user_id FROM workspace_members WHERE workspace_id = \(bind: workspaceId) AND user_id = \(bind: userId)"
            ).first() != nil {
                throw RailyardError(.conflict, "that user is already a member of this workspace", field: "email")
            }
            try await db.raw("""
                INSERT INTO workspace_members (workspace_id, user_id, role, created_at)
                VALUES (\(bind: workspaceId), \(bind: userId), \(bind: role.rawValue), \(bind: Date().millis))
                """).run()
            return try await Self.members(db, workspaceId: workspaceId, userId: userId)[0]
        }
    }

    // MARK: Helpers inside transactions

    static func user(_ db: any SQLDatabase, id: String) async throws -> User? {
        try await db.raw("SELECT * FROM users WHERE id = \(bind: id)").first()?.user()
    }

    static func members(_ db: any SQLDatabase, workspaceId: String, userId: String?) async throws -> [Member] {
        var query: SQLQueryString = """
            SELECT u.*, m.role, m.created_at AS joined_at FROM workspace_members m JOIN users u ON u.id = m.user_id
            WHERE m.workspace_id = \(bind: workspaceId)
            """
        if let userId { query = query + " AND m.user_id = \(bind: userId)" as SQLQueryString }
        query = query + " ORDER BY m.created_at, u.id"
        return try await db.raw(query).all().map {
            Member(user: try $0.user(), role: try $0.role(), joinedAt: try $0.date("joined_at"))
        }
    }

    static func createPersonalWorkspace(_ db: any SQLDatabase, userId: String, displayName: String, now: Int64) async throws {
        let workspaceId = newID()
        try await db.raw("""
            INSERT INTO workspaces (id, name, tier, personal_owner_id, created_at)
            VALUES (\(bind: workspaceId), \(bind: String(displayName.prefix(80)) + "'s workspace"), 'free', \(bind: userId), \(bind: now))
            """).run()
        try await db.raw("""
            INSERT INTO workspace_members (workspace_id, user_id, role, created_at)
            VALUES (\(bind: workspaceId), \(bind: userId), \(bind: Role.owner.rawValue), \(bind: now))
            """).run()
    }
}
