import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func recordLogMarks(_ marks: [(deploymentId: String, offset: Int64)], at: Date) async throws {
        guard !marks.isEmpty else { return }
        try await engine.transaction { db in
            for mark in marks {
                try await db.raw("""
                    INSERT INTO log_marks (deployment_id, log_offset, at) VALUES (\(bind: mark.deploymentId), \(bind: mark.offset), \(bind: at.millis))
                    ON CONFLICT (deployment_id, log_offset) DO NOTHING
                    """).run()
            }
        }
    }

    public func logMarks(deploymentId: String) async throws -> [(offset: Int64, at: Date)] {
        try await engine.withConnection { db in
            try await db.raw("SELECT log_offset, at FROM log_marks WHERE deployment_id = \(bind: deploymentId) ORDER BY log_offset")
                .all().map { (try $0.decode(column: "log_offset", as: Int64.self), try $0.date("at")) }
        }
    }

    public func deleteLogMarks(deploymentId: String) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM log_marks WHERE deployment_id = \(bind: deploymentId)").run()
        }
    }
}
