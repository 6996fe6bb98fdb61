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
                rootDirectory: try optionalString("source_root_directory"),
                database: try optionalString("source_database").flatMap(RailyardCore.DatabaseEngine.init(rawValue:))
            ),
            createdAt: try date("created_at"), updatedAt: try date("updated_at")
        )
    }
}

extension SQLRow {
    func deployment() throws -> Deployment {
        let raw = try string("status")
        guard let status = DeploymentStatus(rawValue: raw) else {
            throw RailyardError(.internal, "stored deployment status '\(raw)' is unknown")
        }
        var deployment = Deployment(
            id: try string("id"), serviceId: try string("service_id"), environmentId: try string("environment_id"),
            createdAt: try date("created_at")
        )
        deployment.status = status
        deployment.updatedAt = try date("updated_at")
        deployment.sourceDigest = try optionalString("source_digest")
        deployment.provider = try optionalString("provider")
        deployment.failureReason = try optionalString("failure_reason")
        deployment.buildStartedAt = try optionalDate("build_started_at")
        deployment.buildFinishedAt = try optionalDate("build_finished_at")
        deployment.deployStartedAt = try optionalDate("deploy_started_at")
        deployment.finishedAt = try optionalDate("finished_at")
        deployment.commitSha = try optionalString("commit_sha")
        deployment.commitMessage = try optionalString("commit_message")
        deployment.commitAuthor = try optionalString("commit_author")
        return deployment
    }

    func domain() throws -> ServiceDomain {
        let raw = try string("kind")
        guard let kind = ServiceDomain.Kind(rawValue: raw) else {
            throw RailyardError(.internal, "stored domain kind '\(raw)' is unknown")
        }
        return ServiceDomain(
            id: try string("id"), serviceId: try string("service_id"), environmentId: try string("environment_id"),
            host: try string("host"), kind: kind, createdAt: try date("created_at")
        )
    }

    func replica() throws -> ReplicaRecord {
        ReplicaRecord(
            id: try string("id"), deploymentId: try string("deployment_id"),
            pid: Int32(try decode(column: "pid", as: Int64.self)), port: Int(try decode(column: "port", as: Int64.self)),
            address: try decode(column: "address", as: String?.self), startedAt: try date("started_at")
        )
    }
}
