import Crypto
import Foundation
import Logging
import RailyardCore
import RailyardEdge
import RailyardRuntime
@testable import RailyardServer
import RailyardStore
import Testing

@Suite("Runtime logs: retention by age and size, search across deployments")
struct LogRetentionTests {
    @Test("stopped deployments' logs go after the retention age, then oldest first past the size cap; live ones stay; search finds lines in every deployment")
    func retentionAndSearch() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("builds"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "railyard.test")
        let store = try await SQLStore.open(
            .sqlite(path: directory.appendingPathComponent("railyard.db").path), secret: ServerSecret(material: SymmetricKey(size: .bits256)),
            logger: logger
        )
        let user = try await store.createUser(email: "l@example.com", name: nil, passwordHash: nil)
        let detail = try await store.createProject(workspaceId: try await store.memberships(userId: user.id)[0].workspace.id, name: "logs", description: "")
        let service = try await store.createService(projectId: detail.project.id, name: "web", source: .upload)
        let environment = detail.environments[0]
        let now = Date()
        // old: removed 20 days ago; mid and recent: removed lately; live: serving.
        let plan: [(String, DeploymentStatus, TimeInterval, Int)] = [
            ("old", .removed, -20 * 86_400, 200), ("mid", .failed, -3 * 86_400, 400), ("recent", .removed, -86_400, 400), ("live", .success, -3600, 900),
        ]
        for (id, status, age, bytes) in plan {
            var deployment = Deployment(id: id, serviceId: service.id, environmentId: environment.id, createdAt: now.addingTimeInterval(age - 60))
            deployment.status = status
            deployment.updatedAt = now.addingTimeInterval(age)
            try await store.createDeployment(deployment)
            let text = (0..<(bytes / 50)).map { "line \($0) of \(id)\(($0 == 3) ? " needle here" : "")".padding(toLength: 49, withPad: ".", startingAt: 0) }
                .joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: directory.appendingPathComponent("logs/\(id).log"))
            try Data("build of \(id)\n".utf8).write(to: directory.appendingPathComponent("builds/\(id).log"))
        }
        let deployer = Deployer(
            store: store, dataDirectory: directory, driver: ProcessDriver(isolation: .detect(), logger: logger), routes: RouteTable(),
            baseDomain: "railyard.test", edgePort: BoundPort(0), logger: logger, separateNetworks: false
        )

        let found = try await deployer.searchLogs(
            service: service, environment: environment, query: "NEEDLE", since: now.addingTimeInterval(-30 * 86_400), until: now, limit: 10
        )
        #expect(found.matches.map(\.deploymentId) == ["live", "recent", "mid", "old"] && found.matches.allSatisfy { $0.line == 4 })
        let lately = try await deployer.searchLogs(
            service: service, environment: environment, query: "needle", since: now.addingTimeInterval(-2 * 86_400), until: now, limit: 10
        )
        #expect(lately.matches.map(\.deploymentId) == ["live", "recent"], "deployments that ended before since are not searched")
        // Marks (taken every few seconds while the server runs) date each line: the needle of "live"
        // ends at byte 199, before the mark at 300.
        try await store.recordLogMarks([("live", 100)], at: now.addingTimeInterval(-3000))
        try await store.recordLogMarks([("live", 300)], at: now.addingTimeInterval(-1000))
        try await store.recordLogMarks([("live", 900)], at: now.addingTimeInterval(-100))
        let dated = try await deployer.searchLogs(
            service: service, environment: environment, query: "needle", since: now.addingTimeInterval(-7200), until: now, limit: 10
        )
        let at = try #require(dated.matches.first?.at)
        #expect(dated.matches.first?.deploymentId == "live" && abs(at.timeIntervalSince(now.addingTimeInterval(-1000))) < 0.01)
        let tooRecent = try await deployer.searchLogs(
            service: service, environment: environment, query: "needle", since: now.addingTimeInterval(-500), until: now, limit: 10
        )
        #expect(!tooRecent.matches.contains { $0.deploymentId == "live" }, "the line is older than the span, though its deployment is live")
        let capped = try await deployer.searchLogs(service: service, environment: environment, query: "of live", since: now.addingTimeInterval(-86_400), until: now, limit: 5)
        #expect(capped.matches.count == 5 && capped.truncated)

        func exists(_ id: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("logs/\(id).log").path) }
        // 14 days: "old" goes; then a cap of 1.6 kB takes "mid" (the oldest stopped one) but never "live".
        await deployer.pruneLogs(age: 14 * 86_400, maxBytes: 1_600, now: now)
        #expect(!exists("old") && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("builds/old.log").path))
        #expect(!exists("mid") && exists("recent") && exists("live"))
        await deployer.pruneLogs(age: 14 * 86_400, maxBytes: 1, now: now)
        #expect(!exists("recent") && exists("live"), "a live deployment's log is kept whatever its size")
        try await store.close()
    }
}
