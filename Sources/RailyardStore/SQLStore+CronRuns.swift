import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func recordCronRun(_ run: CronRun, pid: Int32?, keep: Int) async throws -> [String] {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO cron_runs (id, service_id, environment_id, deployment_id, scheduled_at, started_at, ended_at,
                exit_code, status, detail, pid)
                VALUES (\(bind: run.id), \(bind: run.serviceId), \(bind: run.environmentId), \(bind: run.deploymentId),
                \(bind: run.scheduledAt.millis), \(bind: run.startedAt?.millis), \(bind: run.endedAt?.millis),
                \(bind: run.exitCode.map { Int64($0) }), \(bind: run.status.rawValue), \(bind: run.detail), \(bind: pid.map { Int64($0) }))
                """).run()
            // Runs still going are never forgotten: their processes must stay findable.
            // (At most a few more than `keep` rows, since every insert prunes.)
            let old = try await db.raw("""
                SELECT id FROM cron_runs WHERE service_id = \(bind: run.serviceId) AND environment_id = \(bind: run.environmentId)
                AND status <> \(bind: CronRunStatus.running.rawValue)
                ORDER BY scheduled_at DESC, id DESC
                """).all().map { try $0.string("id") }.dropFirst(keep).map { $0 }
            if !old.isEmpty {
                try await db.raw("DELETE FROM cron_runs WHERE id IN (\(binds: old))").run()
            }
            return old
        }
    }

    public func finishCronRun(_ run: CronRun) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                UPDATE cron_runs SET status = \(bind: run.status.rawValue), started_at = \(bind: run.startedAt?.millis),
                ended_at = \(bind: run.endedAt?.millis), exit_code = \(bind: run.exitCode.map { Int64($0) }),
                detail = \(bind: run.detail), pid = NULL
                WHERE id = \(bind: run.id)
                """).run()
        }
    }

    public func cronRun(id: String) async throws -> CronRun? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM cron_runs WHERE id = \(bind: id)").first()?.cronRun()
        }
    }

    public func cronRuns(serviceId: String, environmentId: String, limit: Int) async throws -> [CronRun] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM cron_runs WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                ORDER BY scheduled_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map { try $0.cronRun() }
        }
    }

    public func runningCronRuns() async throws -> [(run: CronRun, pid: Int32?)] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM cron_runs WHERE status = \(bind: CronRunStatus.running.rawValue) ORDER BY scheduled_at, id")
                .all().map { row in (try row.cronRun(), try row.decode(column: "pid", as: Int64?.self).map { Int32($0) }) }
        }
    }
}

extension SQLRow {
    func cronRun() throws -> CronRun {
        let raw = try string("status")
        guard let status = CronRunStatus(rawValue: raw) else { throw RailyardError(.internal, "stored cron run status '\(raw)' is unknown") }
        return CronRun(
            id: try string("id"), serviceId: try string("service_id"), environmentId: try string("environment_id"),
            deploymentId: try string("deployment_id"), scheduledAt: try date("scheduled_at"), startedAt: try optionalDate("started_at"),
            endedAt: try optionalDate("ended_at"), exitCode: try decode(column: "exit_code", as: Int64?.self).map { Int($0) },
            status: status, detail: try optionalString("detail")
        )
    }
}
