import Foundation
import RailyardCore
import RailyardStore
import RailyardTestSupport
import Testing

/// Deployments, domains and replicas, on both engines.
@Suite("Store: deployments")
struct DeploymentStoreTests {
    /// A store with one project (production) and one service, handed to `body`.
    func withService(
        _ engine: TestEngine, _ body: (SQLStore, Service, RailyardCore.Environment) async throws -> Void
    ) async throws {
        let database = try await TestDatabase.make(engine)
        let store = try await database.openStore()
        do {
            let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
            let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
            let detail = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "")
            let service = try await store.createService(projectId: detail.project.id, name: "web", source: .upload)
            try await body(store, service, detail.environments[0])
        } catch {
            try? await store.close()
            await database.destroy()
            throw error
        }
        try await store.close()
        await database.destroy()
    }

    @Test("one volume per service and environment; it goes with its service", arguments: TestEngine.allCases)
    func volumes(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            #expect(try await store.volumes(serviceId: service.id, environmentId: environment.id).isEmpty)
            let volume = try await store.createVolume(serviceId: service.id, environmentId: environment.id, mountPath: "/data")
            #expect(try await store.volumes(serviceId: service.id, environmentId: environment.id) == [volume])
            let second = await #expect(throws: RailyardError.self) {
                try await store.createVolume(serviceId: service.id, environmentId: environment.id, mountPath: "/other")
            }
            #expect(second?.code == .conflict)
            #expect(try await store.deleteVolume(id: volume.id))
            #expect(try await store.deleteVolume(id: volume.id) == false)
            let again = try await store.createVolume(serviceId: service.id, environmentId: environment.id, mountPath: "/data")
            try await store.deleteService(id: service.id)
            #expect(try await store.volumes(serviceId: service.id, environmentId: environment.id).isEmpty)
            #expect(try await store.deleteVolume(id: again.id) == false)
        }
    }

    @Test("service settings per environment and the config a deployment went out with round-trip", arguments: TestEngine.allCases)
    func settingsAndConfigs(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            #expect(try await store.serviceSettings(serviceId: service.id, environmentId: environment.id).isEmpty)
            let settings = ServiceConfig(
                build: .init(builder: "RAILPACK", watchPatterns: ["src/**"]),
                deploy: .init(startCommand: "./serve", preDeployCommand: ["./migrate"], restartPolicyType: .always, numReplicas: 2, sleepApplication: true)
            )
            try await store.saveServiceSettings(settings, serviceId: service.id, environmentId: environment.id)
            #expect(try await store.serviceSettings(serviceId: service.id, environmentId: environment.id) == settings)
            let changed = ServiceConfig(deploy: .init(numReplicas: 3))
            try await store.saveServiceSettings(changed, serviceId: service.id, environmentId: environment.id)
            #expect(try await store.serviceSettings(serviceId: service.id, environmentId: environment.id) == changed, "saving replaces")

            let deployment = Deployment(id: "d-cfg", serviceId: service.id, environmentId: environment.id, createdAt: Date())
            try await store.createDeployment(deployment)
            #expect(try await store.deploymentConfig(deploymentId: "d-cfg") == nil)
            try await store.saveDeploymentConfig(settings, deploymentId: "d-cfg")
            #expect(try await store.deploymentConfig(deploymentId: "d-cfg") == settings)

            // Both go with their service.
            try await store.deleteService(id: service.id)
            #expect(try await store.serviceSettings(serviceId: service.id, environmentId: environment.id).isEmpty)
            #expect(try await store.deploymentConfig(deploymentId: "d-cfg") == nil)
        }
    }

    @Test("a deployment's moves are persisted, and a stale writer loses", arguments: TestEngine.allCases)
    func moves(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            var deployment = Deployment(id: "d-1", serviceId: service.id, environmentId: environment.id, createdAt: now)
            deployment.sourceDigest = "abc"
            try await store.createDeployment(deployment)
            let initializing = try deployment.moving(to: .initializing, at: now.addingTimeInterval(1))
            try await store.saveDeployment(initializing, from: .queued)
            var building = try initializing.moving(to: .building, at: now.addingTimeInterval(2))
            building.provider = "python"
            try await store.saveDeployment(building, from: .initializing)
            let stored = try #require(try await store.deployment(id: "d-1"))
            #expect(stored == building)
            // Someone still holding the QUEUED copy cannot overwrite the newer status.
            let stale = await #expect(throws: RailyardError.self) {
                try await store.saveDeployment(try deployment.moving(to: .failed, at: now, reason: "x"), from: .queued)
            }
            #expect(stale?.code == .conflict)
            #expect(try await store.deployments(statuses: [.building]).map(\.id) == ["d-1"])
            #expect(try await store.deployments(statuses: [.success]).isEmpty)
        }
    }

    @Test("a deployment's commit (sha, message, author) is stored, set late, and may stay empty", arguments: TestEngine.allCases)
    func commits(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            var pushed = Deployment(id: "d-git", serviceId: service.id, environmentId: environment.id, createdAt: now)
            pushed.commitSha = String(repeating: "a", count: 40)
            try await store.createDeployment(pushed)
            #expect(try await store.deployment(id: "d-git") == pushed)
            var fetched = try pushed.moving(to: .initializing, at: now.addingTimeInterval(1))
            fetched.sourceDigest = "digest"
            fetched.commitMessage = "Fix the 'quotes' — and ünïcode"
            fetched.commitAuthor = "Ada Lovelace"
            try await store.saveDeployment(fetched, from: .queued)
            let stored = try #require(try await store.deployment(id: "d-git"))
            #expect(stored.commitSha == pushed.commitSha)
            #expect(stored.commitMessage == "Fix the 'quotes' — and ünïcode" && stored.commitAuthor == "Ada Lovelace")
            try await store.createDeployment(Deployment(id: "d-up", serviceId: service.id, environmentId: environment.id, createdAt: now))
            let upload = try #require(try await store.deployment(id: "d-up"))
            #expect(upload.commitSha == nil && upload.commitMessage == nil && upload.commitAuthor == nil)
        }
    }

    @Test("deployments list newest first", arguments: TestEngine.allCases)
    func listing(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            for index in 0..<3 {
                try await store.createDeployment(Deployment(
                    id: "d-\(index)", serviceId: service.id, environmentId: environment.id,
                    createdAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(index))
                ))
            }
            #expect(try await store.deployments(serviceId: service.id, environmentId: environment.id, limit: 2).map(\.id) == ["d-2", "d-1"])
        }
    }

    @Test("a generated domain is made once and skips taken hosts", arguments: TestEngine.allCases)
    func domains(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let other = try await store.createService(projectId: service.projectId, name: "api", source: .upload)
            let first = try await store.ensureGeneratedDomain(serviceId: other.id, environmentId: environment.id, candidates: ["taken.localhost"])
            #expect(first.host == "taken.localhost")
            let domain = try await store.ensureGeneratedDomain(
                serviceId: service.id, environmentId: environment.id, candidates: ["taken.localhost", "web-2.localhost"]
            )
            #expect(domain.host == "web-2.localhost" && domain.kind == .generated)
            let again = try await store.ensureGeneratedDomain(serviceId: service.id, environmentId: environment.id, candidates: ["x.localhost"])
            #expect(again == domain)
            #expect(try await store.domains(serviceId: service.id, environmentId: environment.id) == [domain])
            #expect(try await store.allDomains().map(\.host) == ["taken.localhost", "web-2.localhost"])
        }
    }

    @Test("replicas are remembered per deployment", arguments: TestEngine.allCases)
    func replicas(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            try await store.createDeployment(Deployment(id: "d-1", serviceId: service.id, environmentId: environment.id, createdAt: Date()))
            let replica = ReplicaRecord(id: "r-1", deploymentId: "d-1", pid: 4242, port: 40001, startedAt: Date(timeIntervalSince1970: 1_700_000_000))
            let networked = ReplicaRecord(
                id: "r-2", deploymentId: "d-1", pid: 4243, port: 40002, address: "10.100.1.2", startedAt: Date(timeIntervalSince1970: 1_700_000_001)
            )
            try await store.recordReplica(replica)
            try await store.recordReplica(networked)
            #expect(try await store.replicas(deploymentId: "d-1") == [replica, networked])
            try await store.removeReplicas(deploymentId: "d-1")
            #expect(try await store.replicas(deploymentId: "d-1").isEmpty)
        }
    }

    @Test("allocated numbers are stable per owner, distinct per kind's owners, never reused, and safe to race for", arguments: TestEngine.allCases)
    func allocations(engine: TestEngine) async throws {
        try await withService(engine) { store, service, _ in
            let first = try await store.allocatedNumber(.serviceUser, owner: service.id)
            #expect(first == 1)
            #expect(try await store.allocatedNumber(.serviceUser, owner: service.id) == first)
            #expect(try await store.allocatedNumber(.network, owner: "p1/e1") == 1, "each kind counts on its own")
            let raced = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 { group.addTask { try await store.allocatedNumber(.serviceUser, owner: "svc-\(index)") } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(Set(raced) == Set(2...9), "eight owners racing get eight different numbers: \(raced.sorted())")
            try await store.deleteService(id: service.id)
            #expect(try await store.allocatedNumber(.serviceUser, owner: "newcomer") == 10, "a deleted service's number stays taken")
        }
    }
}
