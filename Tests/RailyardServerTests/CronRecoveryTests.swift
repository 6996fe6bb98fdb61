import Crypto
import Foundation
import Logging
import RailyardCore
import RailyardEdge
import RailyardRuntime
@testable import RailyardServer
import RailyardStore
import Testing

@Suite("Cron runs after a server restart")
struct CronRecoveryTests {
    /// A `sleep 60` child, with `RAILYARD_DEPLOYMENT_ID` set when `deploymentId` is given.
    private func sleeper(deploymentId: String?) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        var environment = ["PATH": "/usr/bin:/bin"]
        environment["RAILYARD_DEPLOYMENT_ID"] = deploymentId
        process.environment = environment
        try process.run()
        return process
    }

    @Test("a run still marked running is stopped (only if its pid is really that deployment's) and recorded interrupted")
    func interrupted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-cron-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "railyard.test")
        let store = try await SQLStore.open(
            .sqlite(path: directory.appendingPathComponent("railyard.db").path), secret: ServerSecret(material: SymmetricKey(size: .bits256)),
            logger: logger
        )
        let user = try await store.createUser(email: "c@example.com", name: nil, passwordHash: nil)
        let detail = try await store.createProject(
            workspaceId: try await store.memberships(userId: user.id)[0].workspace.id, name: "jobs", description: ""
        )
        let service = try await store.createService(projectId: detail.project.id, name: "job", source: .upload)
        let environment = detail.environments[0]
        try await store.createDeployment(Deployment(id: "d1", serviceId: service.id, environmentId: environment.id, createdAt: Date()))

        let orphan = try sleeper(deploymentId: "d1")
        let stranger = try sleeper(deploymentId: nil)  // a reused pid: not the run's process any more
        defer { stranger.terminate() }
        for (id, pid) in [("r1", orphan.processIdentifier), ("r2", stranger.processIdentifier)] {
            let run = CronRun(
                id: id, serviceId: service.id, environmentId: environment.id, deploymentId: "d1", scheduledAt: Date(), startedAt: Date(),
                status: .running
            )
            _ = try await store.recordCronRun(run, pid: pid, keep: 100)
        }

        let deployer = Deployer(
            store: store, dataDirectory: directory, driver: ProcessDriver(isolation: .detect(), logger: logger), routes: RouteTable(),
            baseDomain: "railyard.test", edgePort: BoundPort(0), logger: logger, separateNetworks: false
        )
        await deployer.interruptCronRuns()

        for _ in 0..<100 where orphan.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!orphan.isRunning, "the run's process was stopped")
        #expect(stranger.isRunning, "a process that is not the run's was left alone")
        for id in ["r1", "r2"] {
            let run = try #require(try await store.cronRun(id: id))
            #expect(run.status == .interrupted && run.endedAt != nil, "\(run)")
            #expect(run.detail == "interrupted by a restart of the Railyard server")
        }
        #expect(try await store.runningCronRuns().isEmpty)
        let log = try String(contentsOf: directory.appendingPathComponent("logs/cron/r1.log"), encoding: .utf8)
        #expect(log.contains("interrupted by a restart"))
        try await store.close()
    }
}
