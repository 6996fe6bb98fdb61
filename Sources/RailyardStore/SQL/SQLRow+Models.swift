import Foundation
import RailyardCore
import SQLKit

/// Decoding of the schema's rows into Core's models, in one place.
extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func date(_ column: String) throws -> Date { Date(millis: try decode(column: column, as: Int64.self)) }
    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Date.init(millis:))
    }

    func user() throws -> User {
        User(
            id: try string("id"), email: try optionalString("email"), name: try optionalString("name"),
            githubId: try optionalString("github_id"), githubLogin: try optionalString("github_login"),
            avatarURL: try optionalString("avatar_url"), createdAt: try date("created_at")
        )
    }

    func workspace() throws -> Workspace {
        Workspace(
            id: try string("id"), name: try string("name"), tier: try string("tier"),
            personalOwnerId: try optionalString("personal_owner_id"), createdAt: try date("created_at")
        )
    }

    func role() throws -> Role {
        let raw = try string("role")
        guard let role = Role(rawValue: raw) else { throw RailyardError(.internal, "stored role '\(raw)' is unknown") }
        return role
    }

    func apiToken() throws -> APIToken {
        APIToken(
            id: try string("id"), name: try string("name"), prefix: try string("prefix"),
            createdAt: try date("created_at"), lastUsedAt: try optionalDate("last_used_at")
        )
    }

    func project() throws -> Project {
        Project(
            id: try string("id"), workspaceId: try string("workspace_id"), name: try string("name"),
            description: try string("description"), createdAt: try date("created_at"), updatedAt: try date("updated_at")
        )
    }

    func environment() throws -> RailyardCore.Environment {
        Environment(id: try string("id"), projectId: try string("project_id"), name: try string("name"), createdAt: try date("created_at"))
    }

    func service() throws -> Service {
        Service(
            id: try string("id"), projectId: try string("project_id"), name: try string("name"),
            source: ServiceSource(
                repo: try optionalString("source_repo"), branch: try optionalString("source_branch"),
                rootDirectory: try optionalString("source_root_directory")
            ),
            createdAt: try date("created_at"), updatedAt: try date("updated_at")
        )
    }
}
