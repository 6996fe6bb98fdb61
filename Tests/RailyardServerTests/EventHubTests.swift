import Foundation
import Logging
import RailyardCore
import RailyardStore
@testable import RailyardServer
import Testing

@Suite("Live events: the hub")
struct EventHubTests {
    /// A user's project with one service, straight in the store.
    private static func project(_ store: any Store, _ email: String) async throws -> (Project, RailyardCore.Environment, Service) {
        let user = try await store.createUser(email: email, name: nil, passwordHash: nil)
        let workspace = try #require(try await store.memberships(userId: user.id).first).workspace
        let detail = try await store.createProject(workspaceId: workspace.id, name: "shop", description: "")
        let service = try await store.createService(projectId: detail.project.id, name: "web", source: ServiceSource())
        return (detail.project, try #require(detail.environments.first), service)
    }

    private static func next(_ iterator: inout AsyncStream<String>.Iterator) async throws -> JSONValue {
        let text = try #require(await iterator.next())
        return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("every committed create and move reaches the sockets watching the project, in order, and no other")
    func deliversInOrder() async throws {
        try await TestServer.with { _, fixture in
            let store = fixture.store
            let hub = EventHub(store: store, logger: Logger(label: "test")) { $0 }
            let running = Task { try await hub.run() }
            defer { running.cancel() }
            let (project, environment, service) = try await Self.project(store, "hub@example.com")
            let (other, _, _) = try await Self.project(store, "other@example.com")
            let watcher = EventSubscription()
            watcher.watch(project: project.id)
            let stranger = EventSubscription()
            stranger.watch(project: other.id)
            hub.add(watcher)
            hub.add(stranger)

            let before = Date()
            var deployment = Deployment(id: UUID().uuidString.lowercased(), serviceId: service.id, environmentId: environment.id, createdAt: Date())
            try await store.createDeployment(deployment)
            for next in [DeploymentStatus.initializing, .building, .deploying, .success] {
                let moved = try deployment.moving(to: next, at: Date())
                try await store.saveDeployment(moved, from: deployment.status)
                deployment = moved
            }
            // A write that fails (stale status) is not an event.
            await #expect(throws: RailyardError.self) { try await store.saveDeployment(deployment, from: .building) }

            var messages = watcher.messages.makeAsyncIterator()
            var statuses: [String] = []
            for _ in 0..<5 {
                let message = try await Self.next(&messages)
                #expect(message["type"] == "deployment")
                #expect(message["projectId"] == .string(project.id))
                #expect(message["deployment"]?["id"] == .string(deployment.id))
                guard case .number(let stored)? = message["storedAtMillis"] else {
                    Issue.record("no storedAtMillis in \(message)")
                    continue
                }
                #expect(stored >= before.timeIntervalSince1970 * 1000 - 1)
                if case .string(let status)? = message["deployment"]?["status"] { statuses.append(status) }
            }
            #expect(statuses == ["QUEUED", "INITIALIZING", "BUILDING", "DEPLOYING", "SUCCESS"])

            hub.remove(watcher)
            hub.remove(stranger)
            stranger.finish()
            var strangerMessages = stranger.messages.makeAsyncIterator()
            #expect(await strangerMessages.next() == nil, "another project's socket received nothing")
        }
    }
}
