import Foundation
import RailyardCore
import RailyardStore
import RailyardTestSupport
import Testing

extension DeploymentStoreTests {
    @Test("a TCP proxy takes the lowest free public port; one per service, environment and target port", arguments: TestEngine.allCases)
    func tcpProxies(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let ports = 20000...20001
            let postgres = try await store.createTCPProxy(serviceId: service.id, environmentId: environment.id, targetPort: 5432, publicPorts: ports)
            #expect(postgres.targetPort == 5432 && postgres.publicPort == 20000)

            let again = await #expect(throws: RailyardError.self) {
                try await store.createTCPProxy(serviceId: service.id, environmentId: environment.id, targetPort: 5432, publicPorts: ports)
            }
            #expect(again?.code == .conflict && again?.message == "port 5432 of this service already has a TCP proxy in this environment")

            let redis = try await store.createTCPProxy(serviceId: service.id, environmentId: environment.id, targetPort: 6379, publicPorts: ports)
            #expect(redis.publicPort == 20001)
            let full = await #expect(throws: RailyardError.self) {
                try await store.createTCPProxy(serviceId: service.id, environmentId: environment.id, targetPort: 7000, publicPorts: ports)
            }
            #expect(full?.code == .conflict && full?.message.contains("20000-20001 is in use") == true)
            #expect(try await store.tcpProxies(serviceId: service.id, environmentId: environment.id) == [postgres, redis])

            // A freed port is the lowest free one again.
            #expect(try await store.deleteTCPProxy(id: postgres.id))
            #expect(try await store.deleteTCPProxy(id: postgres.id) == false)
            let api = try await store.createService(projectId: service.projectId, name: "api", source: .upload)
            let reused = try await store.createTCPProxy(serviceId: api.id, environmentId: environment.id, targetPort: 5432, publicPorts: ports)
            #expect(reused.publicPort == 20000)
            #expect(try await store.allTCPProxies() == [reused, redis])

            // Proxies go with their service.
            try await store.deleteService(id: api.id)
            #expect(try await store.allTCPProxies() == [redis])
        }
    }
}
