import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func recordUsage(_ samples: [UsageSample]) async throws {
        guard !samples.isEmpty else { return }
        try await engine.transaction { db in
            for sample in samples {
                try await db.raw("""
                    INSERT INTO usage_samples (service_id, environment_id, replica_id, resolution, at, cpu_millicores, memory_bytes,
                    memory_limit_bytes, net_rx_bytes, net_tx_bytes, disk_bytes)
                    VALUES (\(bind: sample.serviceId), \(bind: sample.environmentId), \(bind: sample.replicaId), \(bind: Int64(sample.resolution)),
                    \(bind: sample.at.millis), \(bind: Int64(sample.cpuMillicores)), \(bind: Int64(sample.memoryBytes)),
                    \(bind: Int64(sample.memoryLimitBytes)), \(bind: Int64(sample.networkRxBytes)), \(bind: Int64(sample.networkTxBytes)),
                    \(bind: Int64(sample.diskBytes)))
                    ON CONFLICT (service_id, environment_id, replica_id, resolution, at) DO NOTHING
                    """).run()
            }
        }
    }

    public func rollUpUsage(source: Int, target: Int, from: Date, to: Date) async throws {
        // Inlined, not bound: PostgreSQL must see the SELECT's bucket and the GROUP BY's as the same expression.
        let span = String(Int64(target) * 1000)
        try await engine.transaction { db in
            try await db.raw("""
                DELETE FROM usage_samples WHERE resolution = \(bind: Int64(target)) AND at >= \(bind: from.millis) AND at < \(bind: to.millis)
                """).run()
            try await db.raw("""
                INSERT INTO usage_samples (service_id, environment_id, replica_id, resolution, at, cpu_millicores, memory_bytes,
                memory_limit_bytes, net_rx_bytes, net_tx_bytes, disk_bytes)
                SELECT service_id, environment_id, replica_id, \(unsafeRaw: String(target)), (at / \(unsafeRaw: span)) * \(unsafeRaw: span),
                CAST(AVG(cpu_millicores) AS BIGINT), MAX(memory_bytes), MAX(memory_limit_bytes), SUM(net_rx_bytes), SUM(net_tx_bytes),
                MAX(disk_bytes)
                FROM usage_samples
                WHERE resolution = \(bind: Int64(source)) AND at >= \(bind: from.millis) AND at < \(bind: to.millis)
                GROUP BY service_id, environment_id, replica_id, at / \(unsafeRaw: span)
                """).run()
        }
    }

    public func usage(serviceId: String, environmentId: String, resolution: Int, since: Date) async throws -> [UsageSample] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM usage_samples WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                AND resolution = \(bind: Int64(resolution)) AND at >= \(bind: since.millis) ORDER BY at, replica_id
                """).all().map { row in
                    func int(_ column: String) throws -> Int { Int(try row.decode(column: column, as: Int64.self)) }
                    return UsageSample(
                        serviceId: try row.string("service_id"), environmentId: try row.string("environment_id"),
                        replicaId: try row.string("replica_id"), resolution: try int("resolution"), at: try row.date("at"),
                        cpuMillicores: try int("cpu_millicores"), memoryBytes: try int("memory_bytes"),
                        memoryLimitBytes: try int("memory_limit_bytes"), networkRxBytes: try int("net_rx_bytes"),
                        networkTxBytes: try int("net_tx_bytes"), diskBytes: try int("disk_bytes")
                    )
                }
        }
    }

    public func pruneUsage(resolution: Int, before: Date) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM usage_samples WHERE resolution = \(bind: Int64(resolution)) AND at < \(bind: before.millis)").run()
        }
    }
}
