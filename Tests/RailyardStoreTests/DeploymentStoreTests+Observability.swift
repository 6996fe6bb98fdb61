import Foundation
import RailyardCore
import RailyardStore
import RailyardTestSupport
import Synchronization
import Testing

extension DeploymentStoreTests {
    @Test("usage samples roll up to minutes (average CPU, peak memory, summed network) and are pruned by age", arguments: TestEngine.allCases)
    func usageRollUp(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let minute = Date(timeIntervalSince1970: 1_800_000_000)
            func raw(_ replica: String, _ offset: TimeInterval, cpu: Int, memory: Int, rx: Int) -> UsageSample {
                UsageSample(
                    serviceId: service.id, environmentId: environment.id, replicaId: replica, resolution: 5, at: minute.addingTimeInterval(offset),
                    cpuMillicores: cpu, memoryBytes: memory, memoryLimitBytes: 1000, networkRxBytes: rx, networkTxBytes: 1, diskBytes: 7
                )
            }
            try await store.recordUsage([
                raw("a", 0, cpu: 100, memory: 10, rx: 5), raw("a", 5, cpu: 300, memory: 30, rx: 6), raw("a", 55, cpu: 200, memory: 20, rx: 7),
                raw("b", 10, cpu: 50, memory: 40, rx: 1), raw("a", 60, cpu: 900, memory: 90, rx: 100),
            ])
            // The same sample twice is kept once.
            try await store.recordUsage([raw("a", 0, cpu: 100, memory: 10, rx: 5)])
            for _ in 0..<2 {  // idempotent: a second roll-up of the same span replaces the first
                try await store.rollUpUsage(source: 5, target: 60, from: minute, to: minute.addingTimeInterval(60))
            }
            let rolled = try await store.usage(serviceId: service.id, environmentId: environment.id, resolution: 60, since: minute)
            #expect(rolled.map(\.replicaId) == ["a", "b"])
            #expect(rolled.map(\.at) == [minute, minute])
            #expect(rolled[0].cpuMillicores == 200 && rolled[0].memoryBytes == 30 && rolled[0].networkRxBytes == 18 && rolled[0].networkTxBytes == 3)
            #expect(rolled[1].cpuMillicores == 50 && rolled[1].memoryBytes == 40 && rolled[1].diskBytes == 7)

            let report = UsageReport(resolution: 60, samples: rolled)
            #expect(report.points.count == 1 && report.points[0].cpuMillicores == 250 && report.points[0].memoryBytes == 70 && report.points[0].replicas == 2)
            #expect(report.replicas["a"]?.count == 1)

            try await store.pruneUsage(resolution: 5, before: minute.addingTimeInterval(60))
            #expect(try await store.usage(serviceId: service.id, environmentId: environment.id, resolution: 5, since: minute).map(\.cpuMillicores) == [900])
            #expect(try await store.usage(serviceId: service.id, environmentId: environment.id, resolution: 60, since: minute).count == 2)
        }
    }

    @Test("deployment observers hear every committed create and move, not a refused one", arguments: TestEngine.allCases)
    func deploymentObservers(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let heard = Mutex<[DeploymentStatus]>([])
            store.observeDeployments { deployment in heard.withLock { $0.append(deployment.status) } }
            let deployment = Deployment(id: UUID().uuidString, serviceId: service.id, environmentId: environment.id, createdAt: Date())
            try await store.createDeployment(deployment)
            let moved = try deployment.moving(to: .initializing, at: Date())
            try await store.saveDeployment(moved, from: .queued)
            await #expect(throws: RailyardError.self) { try await store.saveDeployment(try moved.moving(to: .building, at: Date()), from: .queued) }
            #expect(heard.withLock { $0 } == [.queued, .initializing])
        }
    }

    @Test("project webhooks are listed per project and removed by id", arguments: TestEngine.allCases)
    func projectWebhooks(engine: TestEngine) async throws {
        try await withService(engine) { store, service, _ in
            let first = try await store.createProjectWebhook(projectId: service.projectId, url: "https://example.com/a", format: .json)
            let second = try await store.createProjectWebhook(projectId: service.projectId, url: "https://example.com/b", format: .slack)
            #expect(try await store.projectWebhooks(projectId: service.projectId).map(\.url) == [first.url, second.url])
            #expect(try await store.deleteProjectWebhook(id: first.id, projectId: "another-project") == false)
            #expect(try await store.deleteProjectWebhook(id: first.id, projectId: service.projectId))
            #expect(try await store.projectWebhooks(projectId: service.projectId).map(\.id) == [second.id])
        }
    }

    @Test("a webhook's pending deliveries survive as kept, advance and finish; attempts keep the newest few; both go with the webhook",
          arguments: TestEngine.allCases)
    func webhookDeliveries(engine: TestEngine) async throws {
        try await withService(engine) { store, service, _ in
            let webhook = try await store.createProjectWebhook(projectId: service.projectId, url: "https://example.com/a", format: .json)
            let body = Data(#"{"type":"deployment.success","text":"✅ live"}"#.utf8)
            let pending = PendingWebhookDelivery(
                id: "delivery-1", webhookId: webhook.id, event: "deployment.success", body: body, nextAttempt: 0,
                createdAt: Date(timeIntervalSince1970: 1_800_000_000)
            )
            try await store.enqueueWebhookDelivery(pending)
            try await store.advanceWebhookDelivery(id: pending.id, nextAttempt: 2)
            var expected = pending
            expected.nextAttempt = 2
            #expect(try await store.pendingWebhookDeliveries() == [expected])
            #expect(try await store.projectWebhook(id: webhook.id)?.url == webhook.url)

            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for attempt in 1...5 {
                let outcome = WebhookDelivery(
                    id: pending.id, event: pending.event, attempt: attempt, status: attempt == 5 ? 200 : nil,
                    error: attempt == 5 ? nil : "connection refused", at: start.addingTimeInterval(Double(attempt))
                )
                try await store.recordWebhookAttempt(outcome, webhookId: webhook.id, keep: 3)
            }
            let attempts = try await store.webhookAttempts(webhookId: webhook.id)
            #expect(attempts.map(\.attempt) == [5, 4, 3] && attempts.first?.status == 200 && attempts.last?.error == "connection refused")
            try await store.finishWebhookDelivery(id: pending.id)
            #expect(try await store.pendingWebhookDeliveries().isEmpty)

            try await store.enqueueWebhookDelivery(PendingWebhookDelivery(
                id: "delivery-2", webhookId: webhook.id, event: "deployment.failed", body: body, nextAttempt: 1, createdAt: Date()
            ))
            #expect(try await store.deleteProjectWebhook(id: webhook.id, projectId: service.projectId))
            let left = try await store.pendingWebhookDeliveries(), attemptsLeft = try await store.webhookAttempts(webhookId: webhook.id)
            #expect(left.isEmpty && attemptsLeft.isEmpty)
            #expect(try await store.projectWebhook(id: webhook.id) == nil)
        }
    }
}
