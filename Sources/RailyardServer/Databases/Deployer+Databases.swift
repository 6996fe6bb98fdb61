import Foundation
import RailyardBuild
import RailyardCore
import RailyardStore

extension Deployer {
    /// The template a database service deploys, with the host's programs; an error naming the
    /// package to install when they are missing.
    nonisolated func databaseTemplate(_ engine: DatabaseEngine) throws -> DatabaseTemplate {
        DatabaseTemplate(engine: engine, programs: try DatabasePrograms.find(engine, path: ReleaseEnvironment.searchPath))
    }

    /// Gives a database service what it needs in an environment, keeping whatever it has: a volume,
    /// generated credentials and Railway's variables (only those missing: a password the user
    /// changed stays), and the public URL once it has a TCP proxy. Returns the variable names.
    @discardableResult
    func provisionDatabase(_ engine: DatabaseEngine, service: Service, environment: RailyardCore.Environment) async throws -> [String] {
        let template = try databaseTemplate(engine)
        if try await store.volumes(serviceId: service.id, environmentId: environment.id).isEmpty {
            _ = try await store.createVolume(serviceId: service.id, environmentId: environment.id, mountPath: Self.databaseMountPath())
        }
        let own = try await store.variables(environmentId: environment.id, serviceId: service.id)
        var missing: [String: String] = [:]
        if own[template.passwordVariable] == nil {
            missing = template.variables(password: DatabaseTemplate.generatePassword()).filter { own[$0.key] == nil }
        }
        let publicURL = template.publicURL
        if own[publicURL.name] == nil, try await tcpProxy(serviceId: service.id, environmentId: environment.id) != nil {
            missing[publicURL.name] = publicURL.value
        }
        guard !missing.isEmpty else { return own.keys.sorted() }
        let stored = try await store.updateVariables(environmentId: environment.id, serviceId: service.id, set: missing, delete: [])
        return stored.keys.sorted()
    }

    /// Where a database's volume is mounted: `/data`, or `/railyard-data` on a host that has a /data
    /// of its own (the sandbox shows the host's top-level folders read-only).
    static func databaseMountPath() -> String {
        (try? VolumeController.checkFree("/data")) != nil ? "/data" : "/railyard-data"
    }

    /// INITIALIZING for a database service: provisions it in the environment, then stores the start
    /// script of today's template as the deployment's source (a redeploy or rollback takes the
    /// current template too, so a server upgrade reaches the database at its next deploy).
    func prepareDatabaseSource(_ deployment: Deployment, engine: DatabaseEngine, service: Service, environment: RailyardCore.Environment) async throws -> Deployment {
        let buildLog = layout.buildLog(deployment.id)
        try await provisionDatabase(engine, service: service, environment: environment)
        let template = try databaseTemplate(engine)
        LogFile.append("Preparing \(engine.displayName) from the host's \(template.programs["server"] ?? "server")", to: buildLog)
        let archives = self.archives
        let files = template.files
        let digest = try await Task.detached { try archives.ingest(generated: files) }.value
        var updated = deployment
        updated.sourceDigest = digest
        try await store.saveDeployment(updated, from: deployment.status)
        return updated
    }

    /// A database service's live server is stopped before its replacement starts, so two servers
    /// never share one volume (as on Railway, a redeploy of a service with data has a short gap).
    /// Returns what is left to replace: nothing.
    func stopBeforeReplacing(_ replaced: [Deployment], engine: DatabaseEngine, deploymentId: String, grace: Duration) async -> [Deployment] {
        guard !replaced.isEmpty else { return [] }
        LogFile.append(
            "Stopping the running \(engine.displayName) server first: one server at a time may use its volume",
            to: layout.buildLog(deploymentId)
        )
        for old in replaced {
            if let runner = runners[old.id] { await runner.retire() }
            try? await remove(old, grace: grace)
        }
        return []
    }

    /// Refuses what a database service cannot do, with what to do instead.
    static func refuseForDatabase(_ service: Service, _ what: String) throws {
        guard let engine = service.source.database else { return }
        throw RailyardError(.conflict, "service \(service.name) is a \(engine.displayName) database: \(what)")
    }
}
