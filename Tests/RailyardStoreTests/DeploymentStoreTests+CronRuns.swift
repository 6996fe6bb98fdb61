import Foundation
import RailyardCore
import RailyardStore
import RailyardTestSupport
import Testing

extension DeploymentStoreTests {
    @Test("cron runs round-trip, list newest first, keep only the newest ended ones, and go with their service",
          arguments: TestEngine.allCases)
    func cronRuns(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let deployment = Deployment(id: "d1", serviceId: service.id, environmentId: environment.id, createdAt: Date())
            try await store.createDeployment(deployment)
            func run(_ minute: Int, _ status: CronRunStatus) -> CronRun {
                CronRun(
                    id: "r\(minute)", serviceId: service.id, environmentId: environment.id, deploymentId: "d1",
                    scheduledAt: Date(timeIntervalSince1970: Double(minute) * 60), status: status
                )
            }
            // The oldest is still running: pruning never forgets a run whose process may still go.
            #expect(try await store.recordCronRun(run(1, .running), pid: 4242, keep: 3).isEmpty)
            for minute in 2...4 {
                #expect(try await store.recordCronRun(run(minute, .skipped), pid: nil, keep: 3).isEmpty)
            }
            #expect(try await store.recordCronRun(run(5, .succeeded), pid: nil, keep: 3) == ["r2"])
            let listed = try await store.cronRuns(serviceId: service.id, environmentId: environment.id, limit: 10)
            #expect(listed.map(\.id) == ["r5", "r4", "r3", "r1"])
            #expect(try await store.cronRuns(serviceId: service.id, environmentId: environment.id, limit: 2).map(\.id) == ["r5", "r4"])

            let running = try await store.runningCronRuns()
            #expect(running.map(\.run.id) == ["r1"])
            #expect(running.first?.pid == 4242)

            var ended = run(1, .failed)
            ended.startedAt = Date(timeIntervalSince1970: 61.5)
            ended.endedAt = Date(timeIntervalSince1970: 133)
            ended.exitCode = 3
            ended.detail = "the command exited with status 3"
            try await store.finishCronRun(ended)
            #expect(try await store.cronRun(id: "r1") == ended)
            #expect(try await store.runningCronRuns().isEmpty)

            try await store.deleteService(id: service.id)
            #expect(try await store.cronRun(id: "r5") == nil)
        }
    }
}
