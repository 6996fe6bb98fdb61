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
                .all().map { try $0.projectWebhook() }
        }
    }

    public func projectWebhook(id: String) async throws -> ProjectWebhook? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM project_webhooks WHERE id = \(bind: id)").first().map { try $0.projectWebhook() }
        }
    }

    public func enqueueWebhookDelivery(_ delivery: PendingWebhookDelivery) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO webhook_outbox (id, webhook_id, event, body, next_attempt, created_at)
                VALUES (\(bind: delivery.id), \(bind: delivery.webhookId), \(bind: delivery.event),
                \(bind: String(decoding: delivery.body, as: UTF8.self)), \(bind: Int64(delivery.nextAttempt)), \(bind: delivery.createdAt.millis))
                """).run()
        }
    }

    public func pendingWebhookDeliveries() async throws -> [PendingWebhookDelivery] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM webhook_outbox ORDER BY created_at, id").all().map { row in
                PendingWebhookDelivery(
                    id: try row.string("id"), webhookId: try row.string("webhook_id"), event: try row.string("event"),
                    body: Data(try row.string("body").utf8), nextAttempt: Int(try row.decode(column: "next_attempt", as: Int64.self)),
                    createdAt: try row.date("created_at")
                )
            }
        }
    }

    public func advanceWebhookDelivery(id: String, nextAttempt: Int) async throws {
        try await engine.transaction { db in
            try await db.raw("UPDATE webhook_outbox SET next_attempt = \(bind: Int64(nextAttempt)) WHERE id = \(bind: id)").run()
        }
    }

    public func finishWebhookDelivery(id: String) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM webhook_outbox WHERE id = \(bind: id)").run()
        }
    }

    public func recordWebhookAttempt(_ attempt: WebhookDelivery, webhookId: String, keep: Int) async throws {
        try await engine.transaction { db in
            // The webhook may have been removed meanwhile: then there is nothing to record.
            guard try await db.raw("SELECT id FROM project_webhooks WHERE id = \(bind: webhookId)").first() != nil else { return }
            try await db.raw("""
                INSERT INTO webhook_attempts (delivery_id, webhook_id, event, attempt, status, error, at)
                VALUES (\(bind: attempt.id), \(bind: webhookId), \(bind: attempt.event), \(bind: Int64(attempt.attempt)),
                \(bind: attempt.status.map { Int64($0) }), \(bind: attempt.error), \(bind: attempt.at.millis))
                """).run()
            // Only the newest `keep`: the oldest beyond them go.
            let kept = try await db.raw("""
                SELECT delivery_id, attempt FROM webhook_attempts WHERE webhook_id = \(bind: webhookId)
                ORDER BY at DESC, delivery_id DESC, attempt DESC LIMIT \(bind: Int64(keep))
                """).all()
            guard kept.count == keep, let last = kept.last else { return }
            let cutoff = try await db.raw("""
                SELECT at FROM webhook_attempts WHERE delivery_id = \(bind: try last.string("delivery_id"))
                AND attempt = \(bind: try last.decode(column: "attempt", as: Int64.self))
                """).first()?.decode(column: "at", as: Int64.self)
            if let cutoff {
                try await db.raw("DELETE FROM webhook_attempts WHERE webhook_id = \(bind: webhookId) AND at < \(bind: cutoff)").run()
            }
        }
    }

    public func webhookAttempts(webhookId: String) async throws -> [WebhookDelivery] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM webhook_attempts WHERE webhook_id = \(bind: webhookId) ORDER BY at DESC, delivery_id DESC, attempt DESC
                """).all().map { row in
                WebhookDelivery(
                    id: try row.string("delivery_id"), event: try row.string("event"),
                    attempt: Int(try row.decode(column: "attempt", as: Int64.self)),
                    status: try row.decode(column: "status", as: Int64?.self).map { Int($0) }, error: try row.optionalString("error"),
                    at: try row.date("at")
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

extension SQLRow {
    func projectWebhook() throws -> ProjectWebhook {
        ProjectWebhook(
            id: try string("id"), projectId: try string("project_id"), url: try string("url"),
            format: ProjectWebhook.Format(rawValue: try string("format")) ?? .json, createdAt: try date("created_at")
        )
    }
}
