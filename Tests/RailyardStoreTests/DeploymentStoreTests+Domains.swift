import Foundation
import RailyardCore
import RailyardStore
import RailyardTestSupport
import Testing

extension DeploymentStoreTests {
    @Test("a custom domain belongs to one service; conflicts name the holder only within the workspace", arguments: TestEngine.allCases)
    func customDomains(engine: TestEngine) async throws {
        try await withService(engine) { store, service, environment in
            let added = try await store.createCustomDomain(serviceId: service.id, environmentId: environment.id, host: "shop.example.com")
            #expect(added.kind == .custom && added.host == "shop.example.com")
            let generated = try await store.ensureGeneratedDomain(serviceId: service.id, environmentId: environment.id, candidates: ["web.localhost"])
            // Added before the first deployment, the custom domain lists first; `.generated` still finds the right one.
            let listed = try await store.domains(serviceId: service.id, environmentId: environment.id)
            #expect(listed == [added, generated] && listed.generated == generated)

            let again = await #expect(throws: RailyardError.self) {
                try await store.createCustomDomain(serviceId: service.id, environmentId: environment.id, host: "shop.example.com")
            }
            #expect(again?.code == .conflict && again?.message == "shop.example.com is already a domain of this service")

            let api = try await store.createService(projectId: service.projectId, name: "api", source: .upload)
            let sibling = await #expect(throws: RailyardError.self) {
                try await store.createCustomDomain(serviceId: api.id, environmentId: environment.id, host: "shop.example.com")
            }
            #expect(sibling?.code == .conflict)
            #expect(sibling?.message == "shop.example.com is already in use by service web in environment production of project shop; remove it from there first")
            // A generated host is taken the same way.
            let generatedTaken = await #expect(throws: RailyardError.self) {
                try await store.createCustomDomain(serviceId: api.id, environmentId: environment.id, host: "web.localhost")
            }
            #expect(generatedTaken?.message.hasPrefix("web.localhost is already in use by service web") == true)

            // Another workspace learns only that the name is taken.
            let stranger = try await store.createUser(email: "b@example.com", name: nil, passwordHash: nil)
            let theirs = try await store.memberships(userId: stranger.id)[0].workspace.id
            let project = try await store.createProject(workspaceId: theirs, name: "secret-project", description: "")
            let theirService = try await store.createService(projectId: project.project.id, name: "hidden", source: .upload)
            let foreign = await #expect(throws: RailyardError.self) {
                try await store.createCustomDomain(serviceId: theirService.id, environmentId: project.environments[0].id, host: "shop.example.com")
            }
            #expect(foreign?.code == .conflict && foreign?.message == "shop.example.com is already in use")

            #expect(try await store.deleteDomain(id: added.id))
            #expect(try await store.deleteDomain(id: added.id) == false)
            #expect(try await store.domains(serviceId: service.id, environmentId: environment.id) == [generated])
            let moved = try await store.createCustomDomain(serviceId: api.id, environmentId: environment.id, host: "shop.example.com")
            #expect(try await store.allDomains().map(\.host) == ["shop.example.com", "web.localhost"])

            // Custom domains go with their service.
            try await store.deleteService(id: api.id)
            #expect(try await store.allDomains().contains(moved) == false)
        }
    }
}
