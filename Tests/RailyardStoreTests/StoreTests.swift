import Crypto
import Foundation
import RailyardCore
import RailyardStore
import RailyardTestSupport
import Testing

/// The store's behaviour, run once on SQLite and once on a real PostgreSQL server.
@Suite("Store")
struct StoreTests {
    /// Runs `body` against a fresh store on `engine`, closing and dropping it afterwards.
    func withStore(_ engine: TestEngine, _ body: (SQLStore) async throws -> Void) async throws {
        let database = try await TestDatabase.make(engine)
        let store = try await database.openStore()
        do {
            try await body(store)
        } catch {
            try? await store.close()
            await database.destroy()
            throw error
        }
        try await store.close()
        await database.destroy()
    }

    @Test("a new user owns a personal free workspace", arguments: TestEngine.allCases)
    func signupCreatesWorkspace(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let user = try await store.createUser(email: "ada@example.com", name: "Ada", passwordHash: "hash")
            #expect(try await store.user(email: "ada@example.com") == user)
            #expect(try await store.passwordHash(userId: user.id) == "hash")
            let memberships = try await store.memberships(userId: user.id)
            #expect(memberships.count == 1)
            #expect(memberships[0].role == .owner)
            #expect(memberships[0].workspace.tier == "free")
            #expect(memberships[0].workspace.personalOwnerId == user.id)
            #expect(try await store.role(userId: user.id, workspaceId: memberships[0].workspace.id) == .owner)
        }
    }

    @Test("a taken email is a conflict and creates nothing", arguments: TestEngine.allCases)
    func duplicateEmail(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            _ = try await store.createUser(email: "ada@example.com", name: nil, passwordHash: "h")
            let error = await #expect(throws: RailyardError.self) {
                _ = try await store.createUser(email: "ada@example.com", name: "Other", passwordHash: "h2")
            }
            #expect(error?.code == .conflict)
            #expect(error?.field == "email")
            #expect(try await store.passwordHash(userId: try await store.user(email: "ada@example.com")!.id) == "h")
        }
    }

    @Test("GitHub users are upserted by GitHub id", arguments: TestEngine.allCases)
    func githubUpsert(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let first = try await store.upsertGitHubUser(githubId: "42", login: "octo", email: "octo@example.com", name: "Octo", avatarURL: nil)
            let second = try await store.upsertGitHubUser(githubId: "42", login: "octocat", email: "octo@example.com", name: nil, avatarURL: "https://a/x.png")
            #expect(first.id == second.id)
            #expect(second.githubLogin == "octocat")
            #expect(second.name == "Octo")
            #expect(try await store.memberships(userId: first.id).count == 1)
            // An existing password account with that email gains GitHub sign-in rather than a twin.
            let password = try await store.createUser(email: "grace@example.com", name: "Grace", passwordHash: "h")
            let linked = try await store.upsertGitHubUser(githubId: "7", login: "grace", email: "grace@example.com", name: nil, avatarURL: nil)
            #expect(linked.id == password.id)
            #expect(linked.githubId == "7")
        }
    }

    @Test("API tokens are found by hash until revoked", arguments: TestEngine.allCases)
    func apiTokens(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
            let other = try await store.createUser(email: "b@example.com", name: nil, passwordHash: nil)
            let token = try await store.createAPIToken(userId: user.id, name: "ci", tokenHash: "abc123", prefix: "ry_abcde")
            #expect(try await store.apiTokens(userId: user.id).map(\.id) == [token.id])
            #expect(try await store.user(apiTokenHash: "abc123")?.id == user.id)
            #expect(try await store.apiTokens(userId: user.id).first?.lastUsedAt != nil)
            #expect(try await store.user(apiTokenHash: "nope") == nil)
            #expect(try await store.revokeAPIToken(id: token.id, userId: other.id) == false)
            #expect(try await store.revokeAPIToken(id: token.id, userId: user.id) == true)
            #expect(try await store.user(apiTokenHash: "abc123") == nil)
            #expect(try await store.apiTokens(userId: user.id).isEmpty)
        }
    }

    @Test("members join workspaces once", arguments: TestEngine.allCases)
    func membership(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let owner = try await store.createUser(email: "o@example.com", name: nil, passwordHash: nil)
            let guest = try await store.createUser(email: "g@example.com", name: nil, passwordHash: nil)
            let workspace = try await store.memberships(userId: owner.id)[0].workspace
            let member = try await store.addMember(workspaceId: workspace.id, userId: guest.id, role: .member)
            #expect(member.user.id == guest.id && member.role == .member)
            #expect(try await store.members(workspaceId: workspace.id).map(\.role) == [.owner, .member])
            #expect(try await store.memberships(userId: guest.id).map(\.workspace.id).contains(workspace.id))
            await #expect(throws: RailyardError.self) {
                _ = try await store.addMember(workspaceId: workspace.id, userId: guest.id, role: .admin)
            }
        }
    }

    @Test("projects start with production; names are unique per workspace", arguments: TestEngine.allCases)
    func projects(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
            let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
            let detail = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "a shop")
            #expect(detail.environments.map(\.name) == ["production"])
            #expect(detail.services.isEmpty)
            let error = await #expect(throws: RailyardError.self) {
                _ = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "")
            }
            #expect(error?.code == .conflict)
            let other = try await store.createProject(workspaceId: workspaceId, name: "blog", description: "")
            #expect(try await store.projects(workspaceIds: [workspaceId]).map(\.name) == ["blog", "shop"])
            await #expect(throws: RailyardError.self) {
                _ = try await store.updateProject(id: other.project.id, name: "shop", description: nil)
            }
            let renamed = try await store.updateProject(id: other.project.id, name: "journal", description: "words")
            #expect(renamed.name == "journal" && renamed.description == "words")
            try await store.deleteProject(id: detail.project.id)
            #expect(try await store.project(id: detail.project.id) == nil)
            #expect(try await store.environments(projectId: detail.project.id).isEmpty)
        }
    }

    @Test("environments duplicate their variables; the last one cannot go", arguments: TestEngine.allCases)
    func environments(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
            let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
            let detail = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "")
            let production = detail.environments[0]
            let web = try await store.createService(projectId: detail.project.id, name: "web", source: .upload)
            _ = try await store.updateVariables(environmentId: production.id, serviceId: web.id, set: ["A": "1", "B": "2"], delete: [])
            _ = try await store.updateVariables(environmentId: production.id, serviceId: nil, set: ["SHARED": "s"], delete: [])
            let staging = try await store.createEnvironment(projectId: detail.project.id, name: "staging", duplicating: production.id)
            #expect(try await store.variables(environmentId: staging.id, serviceId: web.id) == ["A": "1", "B": "2"])
            #expect(try await store.variables(environmentId: staging.id, serviceId: nil) == ["SHARED": "s"])
            // The copy is independent of its source.
            _ = try await store.updateVariables(environmentId: staging.id, serviceId: web.id, set: ["A": "changed"], delete: ["B"])
            #expect(try await store.variables(environmentId: production.id, serviceId: web.id) == ["A": "1", "B": "2"])
            await #expect(throws: RailyardError.self) {
                _ = try await store.createEnvironment(projectId: detail.project.id, name: "staging", duplicating: nil)
            }
            try await store.deleteEnvironment(projectId: detail.project.id, id: staging.id)
            let last = await #expect(throws: RailyardError.self) {
                try await store.deleteEnvironment(projectId: detail.project.id, id: production.id)
            }
            #expect(last?.code == .conflict)
            #expect(try await store.environments(projectId: detail.project.id).map(\.name) == ["production"])
        }
    }

    @Test("services keep their source; deleting one removes its variables", arguments: TestEngine.allCases)
    func services(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
            let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
            let detail = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "")
            let source = ServiceSource(repo: "https://example.com/shop.git", branch: "main", rootDirectory: "api")
            let api = try await store.createService(projectId: detail.project.id, name: "api", source: source)
            #expect(try await store.service(id: api.id)?.source == source)
            await #expect(throws: RailyardError.self) {
                _ = try await store.createService(projectId: detail.project.id, name: "api", source: .upload)
            }
            let renamed = try await store.updateService(id: api.id, name: "backend", source: nil)
            #expect(renamed.name == "backend" && renamed.source == source)
            let env = detail.environments[0].id
            _ = try await store.updateVariables(environmentId: env, serviceId: api.id, set: ["K": "v"], delete: [])
            try await store.deleteService(id: api.id)
            #expect(try await store.service(id: api.id) == nil)
            #expect(try await store.variables(environmentId: env, serviceId: api.id).isEmpty)
        }
    }

    @Test("variables are sealed at rest and need the same secret to open", arguments: TestEngine.allCases)
    func sealedVariables(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        defer { Task { await database.destroy() } }
        let secret = ServerSecret(material: SymmetricKey(size: .bits256))
        let store = try await database.openStore(secret: secret)
        let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
        let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
        let detail = try await store.createProject(workspaceId: workspaceId, name: "shop", description: "")
        let env = detail.environments[0].id
        let value = "sk_live_\(UUID().uuidString)"
        let result = try await store.updateVariables(environmentId: env, serviceId: nil, set: ["STRIPE_KEY": value, "EMPTY": ""], delete: [])
        #expect(result == ["STRIPE_KEY": value, "EMPTY": ""])
        try await store.close()

        let reopened = try await database.openStore(secret: secret)
        #expect(try await reopened.variables(environmentId: env, serviceId: nil)["STRIPE_KEY"] == value)
        try await reopened.close()

        let wrongKey = try await database.openStore()
        let error = await #expect(throws: RailyardError.self) {
            _ = try await wrongKey.variables(environmentId: env, serviceId: nil)
        }
        #expect(error?.message.contains("secret key") == true)
        try await wrongKey.close()
    }

    @Test("migrations run once and a reopened store keeps its data", arguments: TestEngine.allCases)
    func reopen(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        defer { Task { await database.destroy() } }
        let secret = ServerSecret(material: SymmetricKey(size: .bits256))
        let first = try await database.openStore(secret: secret)
        let user = try await first.createUser(email: "a@example.com", name: nil, passwordHash: nil)
        try await first.close()
        let second = try await database.openStore(secret: secret)
        #expect(try await second.user(id: user.id) == user)
        #expect(try await second.integrityCheck() == "ok")
        try await second.close()
    }

    @Test("concurrent writers do not lose or duplicate rows", arguments: TestEngine.allCases)
    func concurrentWrites(engine: TestEngine) async throws {
        try await withStore(engine) { store in
            let user = try await store.createUser(email: "a@example.com", name: nil, passwordHash: nil)
            let workspaceId = try await store.memberships(userId: user.id)[0].workspace.id
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    // Every name twice: exactly one of each pair may win.
                    group.addTask {
                        (try? await store.createProject(workspaceId: workspaceId, name: "p\(index % 20)", description: "")) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 20)
            let projects = try await store.projects(workspaceIds: [workspaceId])
            #expect(projects.count == 20)
            for project in projects {
                #expect(try await store.environments(projectId: project.id).map(\.name) == ["production"])
            }
        }
    }
}
