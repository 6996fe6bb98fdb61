import Foundation
import Logging
import RailyardBuild
import RailyardCore
import RailyardEdge
import RailyardRuntime
import RailyardStore

/// Backups of database services: dumps made by the host's tools from the running server into
/// `backups/` in the data dir, kept by a retention count, restorable into the same service or
/// another of the same engine.
extension Deployer {
    /// The longest a dump or a restore may take.
    static let backupTimeout = Duration.seconds(60 * 60)

    /// Where the running database of `service` answers (its replica's address, as the edge reaches
    /// it) and its owner's credentials.
    func databaseEndpoint(project: Project, environment: RailyardCore.Environment, service: Service) async throws -> DatabaseEndpoint {
        guard let engine = service.source.database else {
            throw RailyardError(.conflict, "service \(service.name) is not a database; backups are for services added with `railyard add --database`")
        }
        guard let host = try await store.domains(serviceId: service.id, environmentId: environment.id).generated?.host,
            case .upstreams(let upstreams) = routes.route(for: host), let upstream = upstreams.first
        else {
            throw RailyardError(.conflict, "\(service.name) is not running in \(environment.name); deploy it (or wait until it is up) and try again")
        }
        let variables = try await resolvedVariables(project: project, environment: environment, service: service)
        guard let endpoint = DatabaseEndpoint.from(variables, engine: engine, host: upstream.host, port: upstream.port) else {
            throw RailyardError(.conflict, "\(service.name) lacks the credential variables Railyard gave it (user and password); set them again, as `railyard variables --reveal` shows them in another environment")
        }
        return endpoint
    }

    /// Starts a backup of a running database service and returns it (RUNNING); it ends SUCCESS or
    /// FAILED in the background. A second one while one runs is refused.
    func startBackup(
        project: Project, environment: RailyardCore.Environment, service: Service, trigger: DatabaseBackup.Trigger
    ) async throws -> DatabaseBackup {
        let endpoint = try await databaseEndpoint(project: project, environment: environment, service: service)
        let engine = service.source.database!
        let dump = DatabaseDump(engine: engine, programs: try DatabasePrograms.find(engine, path: ReleaseEnvironment.searchPath))
        let key = "\(service.id)/\(environment.id)"
        guard backupsRunning.insert(key).inserted else {
            throw RailyardError(.conflict, "a backup of \(service.name) in \(environment.name) is already running; wait for it (`railyard backup list`)")
        }
        let backup = DatabaseBackup(
            id: UUID().uuidString.lowercased(), serviceId: service.id, environmentId: environment.id, engine: engine, status: .running,
            trigger: trigger, createdAt: Date()
        )
        do {
            try await store.createDatabaseBackup(backup)
        } catch {
            backupsRunning.remove(key)
            throw error
        }
        Task {
            await self.performBackup(backup, dump: dump, endpoint: endpoint)
            await self.backupEnded(key)
        }
        return backup
    }

    private func backupEnded(_ key: String) {
        backupsRunning.remove(key)
    }

    /// Runs the dump, records how it ended, and applies the retention count.
    private func performBackup(_ backup: DatabaseBackup, dump: DatabaseDump, endpoint: DatabaseEndpoint) async {
        let file = layout.backupFile(backup.id, extension: dump.fileExtension)
        let log = layout.backupLog(backup.id)
        var finished = backup
        finished.finishedAt = nil
        do {
            try FileManager.default.createDirectory(at: layout.backups, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let secret = try writeSecret(for: dump, endpoint: endpoint)
            defer { try? secret.map { try FileManager.default.removeItem(at: $0) } }
            let command = dump.dump(endpoint, to: file.path, secretFile: secret?.path ?? "")
            LogFile.append("Backing up \(backup.engine.displayName) at \(endpoint.host):\(endpoint.port) with \(command.arguments[0])", to: log)
            let failure = try await withDeadline(Self.backupTimeout, message: "the backup took longer than \(Self.backupTimeout) and was stopped") {
                try await HostTool.run(command.arguments, environment: Self.toolEnvironment(command.environment), directory: self.layout.backups, log: log)
            }
            if let failure { throw RailyardError(.invalidInput, "\(URL(fileURLWithPath: command.arguments[0]).lastPathComponent) \(failure): \(Self.lastLine(of: log))") }
            _ = chmod(file.path, 0o600)
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue
            guard let size, size > 0 else { throw RailyardError(.invalidInput, "the dump left no file: \(Self.lastLine(of: log))") }
            finished.status = .success
            finished.sizeBytes = size
        } catch {
            try? FileManager.default.removeItem(at: file)
            finished.status = .failed
            finished.detail = (error as? RailyardError)?.message ?? "\(error)"
            LogFile.append("Backup failed: \(finished.detail ?? "")", to: log)
        }
        finished.finishedAt = Date()
        do {
            try await store.finishDatabaseBackup(finished)
            if finished.status == .success { try await pruneBackups(serviceId: backup.serviceId, environmentId: backup.environmentId, dump: dump) }
        } catch {
            logger.warning("backup not recorded", metadata: ["backup.id": "\(backup.id)", "error": "\(error)"])
        }
        logger.info("database backup \(finished.status == .success ? "made" : "failed")", metadata: [
            "backup.id": "\(backup.id)", "service.id": "\(backup.serviceId)", "backup.size": "\(finished.sizeBytes ?? 0)",
        ])
    }

    /// Keeps the newest `retain` successful backups (and failures newer than the oldest of them).
    func pruneBackups(serviceId: String, environmentId: String, dump: DatabaseDump) async throws {
        let retain = try await store.backupPolicy(serviceId: serviceId, environmentId: environmentId)?.retain ?? DatabaseBackupPolicy.defaultRetain
        let all = try await store.databaseBackups(serviceId: serviceId, environmentId: environmentId)
        let kept = all.filter { $0.status == .success }.prefix(retain)
        guard let oldestKept = kept.last else { return }
        for backup in all where backup.status != .running && !kept.contains(backup) && backup.createdAt <= oldestKept.createdAt {
            try await deleteBackup(backup, fileExtension: dump.fileExtension)
        }
    }

    /// Forgets a backup and deletes its files.
    func deleteBackup(_ backup: DatabaseBackup, fileExtension: String? = nil) async throws {
        guard backup.status != .running else {
            throw RailyardError(.conflict, "backup \(backup.id) is still running; delete it once it ended")
        }
        _ = try await store.deleteDatabaseBackup(id: backup.id)
        let ext = fileExtension ?? DatabaseDump(engine: backup.engine, programs: DatabasePrograms(paths: [:])).fileExtension
        try? FileManager.default.removeItem(at: layout.backupFile(backup.id, extension: ext))
        try? FileManager.default.removeItem(at: layout.backupLog(backup.id))
    }

    /// Restores a successful backup into `service` (the one it was made of, or another database of
    /// the same engine in the project). PostgreSQL and MySQL load it into the running server
    /// (PostgreSQL in one transaction); Redis's RDB replaces the data on the volume and the service is
    /// deployed again, which is returned.
    func restoreBackup(
        _ backup: DatabaseBackup, project: Project, environment: RailyardCore.Environment, service: Service
    ) async throws -> Deployment? {
        guard let engine = service.source.database else {
            throw RailyardError(.conflict, "service \(service.name) is not a database; restore into a service added with `railyard add --database \(backup.engine.rawValue)`")
        }
        guard engine == backup.engine else {
            throw RailyardError(.conflict, "backup \(backup.id) is of \(backup.engine.displayName), but \(service.name) is \(engine.displayName)")
        }
        guard backup.status == .success else {
            throw RailyardError(.conflict, "backup \(backup.id) is \(backup.status.rawValue); only a successful backup can be restored")
        }
        let dump = DatabaseDump(engine: engine, programs: try DatabasePrograms.find(engine, path: ReleaseEnvironment.searchPath))
        let file = layout.backupFile(backup.id, extension: dump.fileExtension)
        // One backup or restore of a database at a time: a restore under a running dump would mix them.
        let key = "\(service.id)/\(environment.id)"
        guard backupsRunning.insert(key).inserted else {
            throw RailyardError(.conflict, "a backup or restore of \(service.name) in \(environment.name) is running; try again once it ended")
        }
        defer { backupsRunning.remove(key) }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw RailyardError(.conflict, "backup \(backup.id)'s file is gone from the server's data dir (\(file.path))")
        }
        let log = layout.backupLog(backup.id)
        guard dump.restoresOnline else {
            return try await restoreOffline(file, into: service, project: project, environment: environment, log: log)
        }
        let endpoint = try await databaseEndpoint(project: project, environment: environment, service: service)
        let secret = try writeSecret(for: dump, endpoint: endpoint)
        defer { try? secret.map { try FileManager.default.removeItem(at: $0) } }
        guard let command = dump.restore(endpoint, from: file.path, secretFile: secret?.path ?? "") else { return nil }
        LogFile.append("Restoring into \(service.name) in \(environment.name) with \(command.arguments[0])", to: log)
        let failure = try await withDeadline(Self.backupTimeout, message: "the restore took longer than \(Self.backupTimeout) and was stopped") {
            try await HostTool.run(command.arguments, environment: Self.toolEnvironment(command.environment), directory: self.layout.backups, log: log)
        }
        if let failure {
            throw RailyardError(.conflict, "the restore \(failure): \(Self.lastLine(of: log))")
        }
        LogFile.append("Restored into \(service.name)", to: log)
        logger.info("database backup restored", metadata: ["backup.id": "\(backup.id)", "service.id": "\(service.id)"])
        return nil
    }

    /// Redis: stop the server, put the RDB in its data folder (its append-only files are moved aside,
    /// so the RDB is what loads), and deploy it again. The RDB is copied beside the old one first and
    /// renamed over it, so a failed copy leaves the old data in place; whatever happens after the
    /// stop, the service is deployed again.
    private func restoreOffline(
        _ file: URL, into service: Service, project: Project, environment: RailyardCore.Environment, log: URL
    ) async throws -> Deployment {
        guard let volume = try await store.volumes(serviceId: service.id, environmentId: environment.id).first else {
            throw RailyardError(.conflict, "\(service.name) has no volume in \(environment.name) to restore into; deploy it once first")
        }
        let volumeFolder = layout.volume(volume.id)
        guard FileManager.default.fileExists(atPath: volumeFolder.path) else {
            throw RailyardError(.conflict, "\(service.name)'s volume in \(environment.name) holds no data yet; deploy it once first")
        }
        let identity = try await identity(of: service.id)
        let folder = volumeFolder.appendingPathComponent("redis", isDirectory: true)
        let staged = folder.appendingPathComponent("dump.rdb.restoring")
        for live in try await activeDeployments(serviceId: service.id, environmentId: environment.id) {
            if let runner = runners[live.id] { await runner.retire() }
            try await remove(live)
        }
        var failure: Error?
        do {
            // The stopped server may still be writing its last RDB: its start script's lock on the
            // volume is held until it has exited.
            let lock = try await Self.lockVolume(volumeFolder, owner: identity.user)
            defer { close(lock) }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: staged)
            try FileManager.default.copyItem(at: file, to: staged)
            let append = folder.appendingPathComponent("appendonlydir")
            if FileManager.default.fileExists(atPath: append.path) {
                let aside = folder.appendingPathComponent("appendonlydir.before-restore-\(Int(Date().timeIntervalSince1970))")
                try FileManager.default.moveItem(at: append, to: aside)
                LogFile.append("Moved the append-only files aside to \(aside.lastPathComponent); delete them once the restore is checked", to: log)
            }
            guard rename(staged.path, folder.appendingPathComponent("dump.rdb").path) == 0 else {
                throw RailyardError(.internal, "could not put the RDB in place: \(String(cString: strerror(errno)))")
            }
            Self.ensureOwned(folder, by: identity.user)
            if let user = identity.user { _ = chown(folder.appendingPathComponent("dump.rdb").path, user.uid, user.gid) }
            LogFile.append("Restored the RDB into \(service.name)'s volume; deploying it again", to: log)
        } catch {
            try? FileManager.default.removeItem(at: staged)
            LogFile.append("The restore failed (\(error)); deploying \(service.name) again on its old data", to: log)
            failure = error
        }
        let deployment = try await deployWithoutUpload(project: project, environment: environment, service: service)
        if let failure { throw RailyardError(.internal, "the restore failed and \(service.name) was started again on its old data: \(failure)") }
        return deployment
    }

    /// Takes the lock a database's start script holds on its volume for its server's life (waiting
    /// up to two minutes); returns the descriptor to close.
    static func lockVolume(_ volume: URL, owner: AppUser?) async throws -> Int32 {
        let descriptor = open(volume.appendingPathComponent(".railyard-lock").path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw RailyardError(.internal, "could not open the volume's lock: \(String(cString: strerror(errno)))") }
        // The service's start script opens it too, as the service's user.
        if let owner { _ = fchown(descriptor, owner.uid, owner.gid) }
        let deadline = ContinuousClock.now + .seconds(120)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard ContinuousClock.now < deadline else {
                close(descriptor)
                throw RailyardError(.conflict, "the database's previous server still holds its volume after two minutes; try again")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return descriptor
    }

    /// MongoDB's tools read the password from a config file: a 0600 one in the backups folder.
    private func writeSecret(for dump: DatabaseDump, endpoint: DatabaseEndpoint) throws -> URL? {
        guard dump.engine == .mongo else { return nil }
        let file = layout.backups.appendingPathComponent(".secret-\(UUID().uuidString).yaml")
        guard FileManager.default.createFile(
            atPath: file.path, contents: Data(DatabaseDump.mongoSecret(endpoint.password).utf8), attributes: [.posixPermissions: 0o600]
        ) else { throw RailyardError(.internal, "could not write \(file.path)") }
        return file
    }

    /// A tool's environment: a plain PATH, a C locale, and its password variable.
    static func toolEnvironment(_ extra: [String: String]) -> [String: String] {
        ["PATH": ReleaseEnvironment.searchPath, "LANG": "C.UTF-8", "HOME": "/tmp"].merging(extra) { $1 }
    }

    /// The last non-empty line a tool wrote, for a one-line reason.
    static func lastLine(of log: URL) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }).map(String.init) ?? "no output"
    }

    // MARK: Schedules

    /// Backs up databases on their schedules until cancelled, checking every `interval`.
    func runBackupSchedules(every interval: Duration = .seconds(20)) async {
        var due: [String: (schedule: String, at: Date)] = [:]
        while !Task.isCancelled {
            let now = Date()
            let policies = (try? await store.scheduledBackupPolicies()) ?? []
            var seen: Set<String> = []
            for (serviceId, environmentId, policy) in policies {
                guard let text = policy.schedule, let expression = try? CronExpression(text) else { continue }
                let key = "\(serviceId)/\(environmentId)"
                seen.insert(key)
                guard let next = due[key], next.schedule == text else {
                    due[key] = (text, expression.next(after: now))
                    continue
                }
                guard now >= next.at else { continue }
                due[key] = (text, expression.next(after: now))
                await scheduledBackup(serviceId: serviceId, environmentId: environmentId)
            }
            due = due.filter { seen.contains($0.key) }
            try? await Task.sleep(for: interval)
        }
    }

    private func scheduledBackup(serviceId: String, environmentId: String) async {
        do {
            guard let service = try await store.service(id: serviceId), let project = try await store.project(id: service.projectId),
                let environment = try await store.environments(projectId: project.id).first(where: { $0.id == environmentId })
            else { return }
            _ = try await startBackup(project: project, environment: environment, service: service, trigger: .schedule)
        } catch {
            logger.warning("scheduled backup not started", metadata: ["service.id": "\(serviceId)", "error": "\(error)"])
        }
    }

    /// Deletes files in `backups/` that no backup record names any more (their service,
    /// environment or project was deleted, which deletes the records).
    func removeOrphanedBackupFiles() async {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: layout.backups.path) else { return }
        for name in names {
            let id = String(name.prefix { $0 != "." })
            guard !name.hasPrefix("."), !id.isEmpty, (try? await store.databaseBackup(id: id)) == .some(nil) else {
                if name.hasPrefix(".secret-") { try? FileManager.default.removeItem(at: layout.backups.appendingPathComponent(name)) }
                continue
            }
            try? FileManager.default.removeItem(at: layout.backups.appendingPathComponent(name))
        }
    }

    /// Backups a restart interrupted end FAILED, their partial files removed.
    func failInterruptedBackups() async {
        for backup in (try? await store.databaseBackups(status: .running)) ?? [] {
            var failed = backup
            failed.status = .failed
            failed.detail = "interrupted by a restart of the Railyard server"
            failed.finishedAt = Date()
            try? await store.finishDatabaseBackup(failed)
            let ext = DatabaseDump(engine: backup.engine, programs: DatabasePrograms(paths: [:])).fileExtension
            try? FileManager.default.removeItem(at: layout.backupFile(backup.id, extension: ext))
        }
    }
}
