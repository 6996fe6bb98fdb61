import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func observeDeployments(_ observer: @escaping @Sendable (Deployment) -> Void) {
        deploymentObservers.add(observer)
    }

    public func createDeployment(_ deployment: Deployment) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO deployments (id, service_id, environment_id, status, source_digest, provider, failure_reason,
                created_at, updated_at, build_started_at, build_finished_at, deploy_started_at, finished_at,
                commit_sha, commit_message, commit_author)
                VALUES (\(bind: deployment.id), \(bind: deployment.serviceId), \(bind: deployment.environmentId),
                \(bind: deployment.status.rawValue), \(bind: deployment.sourceDigest), \(bind: deployment.provider),
                \(bind: deployment.failureReason), \(bind: deployment.createdAt.millis), \(bind: deployment.updatedAt.millis),
                \(bind: deployment.buildStartedAt?.millis), \(bind: deployment.buildFinishedAt?.millis),
                \(bind: deployment.deployStartedAt?.millis), \(bind: deployment.finishedAt?.millis),
                \(bind: deployment.commitSha), \(bind: deployment.commitMessage), \(bind: deployment.commitAuthor))
                """).run()
        }
        deploymentObservers.publish(deployment)
    }

    public func saveDeployment(_ deployment: Deployment, from previous: DeploymentStatus) async throws {
        try await engine.transaction { db in
            guard let current = try await db.raw("SELECT status FROM deployments WHERE id = \(bind: deployment.id)").first() else {
                throw RailyardError.notFound("deployment \(deployment.id)")
            }
            let status = try current.string("status")
            guard status == previous.rawValue else {
                throw RailyardError(
                    .conflict, "deployment \(deployment.id) is \(status), not \(previous.rawValue); it changed meanwhile"
                )
            }
            try await db.raw("""
                UPDATE deployments SET status = \(bind: deployment.status.rawValue), source_digest = \(bind: deployment.sourceDigest),
                provider = \(bind: deployment.provider), failure_reason = \(bind: deployment.failureReason),
                updated_at = \(bind: deployment.updatedAt.millis), build_started_at = \(bind: deployment.buildStartedAt?.millis),
                build_finished_at = \(bind: deployment.buildFinishedAt?.millis),
                deploy_started_at = \(bind: deployment.deployStartedAt?.millis), finished_at = \(bind: deployment.finishedAt?.millis),
                commit_sha = \(bind: deployment.commitSha), commit_message = \(bind: deployment.commitMessage),
                commit_author = \(bind: deployment.commitAuthor)
                WHERE id = \(bind: deployment.id)
                """).run()
        }
        deploymentObservers.publish(deployment)
    }

    public func allDeploymentsForRetention() async throws -> [Deployment] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM deployments ORDER BY created_at").all().map { try $0.deployment() }
        }
    }

    public func deployment(id: String) async throws -> Deployment? {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM deployments WHERE id = \(bind: id)").first()?.deployment()
        }
    }

    public func deployments(serviceId: String, environmentId: String, limit: Int) async throws -> [Deployment] {
        try await deployments(serviceId: serviceId, environmentId: environmentId, limit: limit, before: nil)
    }

    public func deployments(serviceId: String, environmentId: String, limit: Int, before: Deployment?) async throws -> [Deployment] {
        try await engine.withConnection { db in
            guard let before else {
                return try await db.raw("""
                    SELECT * FROM deployments WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                    ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                    """).all().map { try $0.deployment() }
            }
            // The page after `before` in the same order: older, or as old with a smaller id.
            let created = before.createdAt.millis
            return try await db.raw("""
                SELECT * FROM deployments WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                AND (created_at < \(bind: created) OR (created_at = \(bind: created) AND id < \(bind: before.id)))
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map { try $0.deployment() }
        }
    }

    public func deployments(statuses: [DeploymentStatus]) async throws -> [Deployment] {
        guard !statuses.isEmpty else { return [] }
        return try await engine.withConnection { db in
            try await db.raw(
                "SELECT * FROM deployments WHERE status IN (\(binds: statuses.map(\.rawValue))) ORDER BY created_at, id"
            ).all().map { try $0.deployment() }
        }
    }

    // MARK: Replicas

    public func recordReplica(_ replica: ReplicaRecord) async throws {
        try await engine.transaction { db in
            try await db.raw("""
                INSERT INTO replicas (id, deployment_id, pid, port, address, started_at)
                VALUES (\(bind: replica.id), \(bind: replica.deploymentId), \(bind: Int64(replica.pid)), \(bind: Int64(replica.port)),
                \(bind: replica.address), \(bind: replica.startedAt.millis))
                """).run()
        }
    }

    public func replicas(deploymentId: String) async throws -> [ReplicaRecord] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM replicas WHERE deployment_id = \(bind: deploymentId) ORDER BY started_at, id")
                .all().map { try $0.replica() }
        }
    }

    public func removeReplica(id: String) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM replicas WHERE id = \(bind: id)").run()
        }
    }

    public func removeReplicas(deploymentId: String) async throws {
        try await engine.transaction { db in
            try await db.raw("DELETE FROM replicas WHERE deployment_id = \(bind: deploymentId)").run()
        }
    }

    public func allocatedNumber(_ kind: Allocation, owner: String) async throws -> Int {
        // Two allocations racing for the same next number: the loser's insert breaks the unique
        // constraint and it tries again with the number after.
        for _ in 0..<20 {
            do {
                return try await engine.transaction { db in
                    if let row = try await db.raw(
                        "SELECT number FROM allocations WHERE kind = \(bind: kind.rawValue) AND owner = \(bind: owner)"
                    ).first() {
                        return Int(try row.decode(column: "number", as: Int64.self))
                    }
                    let highest = try await db.raw("SELECT MAX(number) AS n FROM allocations WHERE kind = \(bind: kind.rawValue)")
                        .first()?.decode(column: "n", as: Int64?.self) ?? 0
                    let next = highest + 1
                    try await db.raw(
                        "INSERT INTO allocations (kind, owner, number) VALUES (\(bind: kind.rawValue), \(bind: owner), \(bind: next))"
                    ).run()
                    return Int(next)
                }
            } catch where Self.isUniqueViolation(error) {
                continue
            }
        }
        throw RailyardError(.conflict, "could not allocate a \(kind.rawValue) number for \(owner); try again")
    }
}
