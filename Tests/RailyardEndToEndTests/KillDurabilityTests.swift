import Foundation
import Logging
import RailyardClient
import RailyardCore
import RailyardStore
import Synchronization
import Testing

extension EndToEndTests {
    /// Acceptance 5: SIGKILL during a burst of writes loses nothing that was answered 2xx, leaves no
    /// project without its production environment, and leaves SQLite consistent.
    @Suite("End to end: SIGKILL during writes")
    struct KillDurabilityTests {
        static let total = 200
        static let concurrency = 12
        static let killAfter = 50

        @Test("every answered project survives a SIGKILL and restart, with its production environment")
        func killDuringBurst() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let dataDirectory = root.path + "/data"
            let first = try await ServerProcess.start(dataDirectory: dataDirectory, logDirectory: root.path)
            defer { first.killNow() }

            let anonymous = RailyardClient(baseURL: first.baseURL)
            let auth = try await anonymous.signup(SignupRequest(email: "burst@example.com", password: "correct-horse-9"))
            let client = anonymous.withToken(auth.token)

            let answered = AnsweredWrites()  // project name → id, for every 2xx
            var failures = 0
            var killed = false
            try await withThrowingTaskGroup(of: Bool.self) { group in
                var next = 0
                func launch() {
                    let index = next
                    next += 1
                    group.addTask {
                        let name = "burst-\(index)"
                        do {
                            let detail = try await client.createProject(CreateProjectRequest(name: name))
                            answered.record(name, detail.project.id)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                for _ in 0..<Self.concurrency { launch() }
                while let succeeded = try await group.next() {
                    if !succeeded { failures += 1 }
                    if !killed, answered.count >= Self.killAfter {
                        await first.sigkill()
                        killed = true
                    }
                    if !killed, next < Self.total { launch() }
                }
            }
            let survivors = answered.all
            try #require(killed, "the server was never killed (\(survivors.count) answered, \(failures) failed)")
            #expect(survivors.count >= Self.killAfter)
            #expect(failures > 0, "some writes should have been cut off by the kill")

            // The crash image as the kill left it (database, WAL, shared memory), checked on a copy
            // so that the restart below still recovers from the untouched original.
            let crashImage = root.path + "/crash-image"
            try FileManager.default.copyItem(atPath: dataDirectory, toPath: crashImage)
            #expect(try await Self.integrityCheck(dataDirectory: crashImage) == "ok")

            let second = try await ServerProcess.start(dataDirectory: dataDirectory, logDirectory: root.path)
            defer { second.killNow() }
            let restarted = RailyardClient(baseURL: second.baseURL, token: auth.token)
            let projects = try await restarted.projects()
            let stored = Dictionary(projects.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
            #expect(projects.count == stored.count, "no project name appears twice")
            for (name, id) in survivors.sorted(by: { $0.key < $1.key }) {
                #expect(stored[name] == id, "answered project \(name) (\(id)) is missing after the restart")
            }
            for project in projects {
                let detail = try await restarted.project(id: project.id)
                #expect(
                    detail.environments.contains { $0.name == RailyardCore.Environment.defaultName },
                    "project \(project.name) has no production environment"
                )
            }
            await second.stop()
            #expect(try await Self.integrityCheck(dataDirectory: dataDirectory) == "ok")
        }

        /// `PRAGMA integrity_check` on the data dir's SQLite file, with no server running.
        static func integrityCheck(dataDirectory: String) async throws -> String {
            let directory = URL(fileURLWithPath: dataDirectory, isDirectory: true)
            let secret = try ServerSecret.load(dataDirectory: directory, environment: [:])
            var logger = Logger(label: "railyard.e2e.integrity")
            logger.logLevel = .warning
            let store = try await SQLStore.open(
                .sqlite(path: directory.appendingPathComponent(StoreLocation.sqliteFileName).path), secret: secret, logger: logger
            )
            do {
                let result = try await store.integrityCheck()
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
    }
}

/// Writes the server answered 2xx, recorded from many tasks.
final class AnsweredWrites: Sendable {
    private let storage = Mutex<[String: String]>([:])

    func record(_ name: String, _ id: String) {
        storage.withLock { $0[name] = id }
    }

    var count: Int { storage.withLock { $0.count } }
    var all: [String: String] { storage.withLock { $0 } }
}
