import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func createProjectWebhook(projectId: String, url: String, format: ProjectWebhook.Format) async throws -> ProjectWebhook {
        let webhook = ProjectWebhook(id: Self.newID(), projectId: projectId, url: url, format: format, createdAt: Date())
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO project_webhooks (id, project_id, url, format, created_at)
                VALUES (\(bind: webhook.id), \(bind: projectId), \(bind: url), \(bind: format.rawValue), \(bind: webhook.createdAt.millis))
                """).run()
        }
        return webhook
    }

    public func projectWebhooks(projectId: String) async throws -> [ProjectWebhook] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM project_webhooks WHERE project_id = \(bind: projectId) ORDER BY created_at, id")
                .all().map { row in
                    let format = try row.string("format")
                    return ProjectWebhook(
                        id: try row.string("id"), projectId: try row.string("project_id"), url: try row.string("url"),
                        format: ProjectWebhook.Format(rawValue: format) ?? .json, createdAt: try row.date("created_at")
                    )
                }
        }
    }

    public func deleteProjectWebhook(id: String, projectId: String) async throws -> Bool {
        try await engine.transaction { db in
            let found = try await db.raw("SELECT id FROM project_webhooks WHERE id = \(bind: id) AND project_id = \(bind: projectId)").first() != nil
            try await db.raw("DELETE FROM project_webhooks WHERE id = \(bind: id) AND project_id = \(bind: projectId)").run()
            return found
        }
    }
}
