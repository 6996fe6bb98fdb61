import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Projects, environments and services")
struct ProjectTests {
    @Test("a new project has a production environment and lands in the personal workspace")
    func createProject() async throws {
        try await TestServer.with { api, _ in
            let auth = try await api.signup("alice@example.com")
            let reply = try await api.send(
                .post, "/api/v1/projects", body: CreateProjectRequest(name: "shop", description: "the shop"), token: auth.token
            )
            #expect(reply.status == .created)
            let detail: ProjectDetail = try reply.decode()
            #expect(detail.project.name == "shop")
            #expect(detail.project.description == "the shop")
            #expect(detail.environments.map(\.name) == ["production"])
            #expect(detail.services.isEmpty)
            let me: Me = try await api.send(.get, "/api/v1/me", token: auth.token).decode()
            #expect(detail.project.workspaceId == me.workspaces.first?.workspace.id)

            let list: [Project] = try await api.send(.get, "/api/v1/projects", token: auth.token).decode()
            #expect(list.map(\.id) == [detail.project.id])
            let filtered: [Project] = try await api.send(
                .get, "/api/v1/projects?workspaceId=\(detail.project.workspaceId)", token: auth.token
            ).decode()
            #expect(filtered.map(\.id) == [detail.project.id])
            let shown: ProjectDetail = try await api.send(.get, "/api/v1/projects/\(detail.project.id)", token: auth.token).decode()
            #expect(shown.project.id == detail.project.id)
        }
    }

    @Test("a duplicate name in the workspace is 409")
    func duplicateName() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            _ = try await api.createProject("shop", token: token)
            let again = try await api.send(.post, "/api/v1/projects", body: CreateProjectRequest(name: "shop"), token: token)
            #expect(again.status == .conflict)
            #expect(again.error?.code == .conflict)
        }
    }

    @Test("bad names are 400 naming the field, and nothing is created", arguments: ["", "Shop", "-shop", "shop-", "my_shop", String(repeating: "a", count: 64), "shöp"])
    func badNames(name: String) async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let reply = try await api.send(.post, "/api/v1/projects", body: CreateProjectRequest(name: name), token: token)
            #expect(reply.status == .badRequest)
            #expect(reply.error?.field == "name")
            let list: [Project] = try await api.send(.get, "/api/v1/projects", token: token).decode()
            #expect(list.isEmpty)
        }
    }

    @Test("a description over the limit is 400; an update validates too and changes nothing when rejected")
    func descriptions() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let tooLong = String(repeating: "d", count: Validation.maxDescriptionLength + 1)
            let create = try await api.send(.post, "/api/v1/projects", body: CreateProjectRequest(name: "shop", description: tooLong), token: token)
            #expect(create.status == .badRequest)
            #expect(create.error?.field == "description")

            let project = try await api.createProject("shop", token: token).project
            let rejected = try await api.send(
                .patch, "/api/v1/projects/\(project.id)", body: UpdateProjectRequest(name: "store", description: tooLong), token: token
            )
            #expect(rejected.status == .badRequest)
            let unchanged: ProjectDetail = try await api.send(.get, "/api/v1/projects/\(project.id)", token: token).decode()
            #expect(unchanged.project.name == "shop")

            let updated = try await api.send(
                .patch, "/api/v1/projects/\(project.id)", body: UpdateProjectRequest(name: "store", description: "now a store"), token: token
            )
            #expect(updated.status == .ok)
            let body: Project = try updated.decode()
            #expect(body.name == "store")
            #expect(body.description == "now a store")
        }
    }

    @Test("deleting a project removes it")
    func deleteProject() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let project = try await api.createProject("shop", token: token).project
            #expect(try await api.send(.delete, "/api/v1/projects/\(project.id)", token: token).status == .noContent)
            #expect(try await api.send(.get, "/api/v1/projects/\(project.id)", token: token).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/projects/\(project.id)", token: token).status == .notFound)
        }
    }

    @Test("environments: create, duplicate with variables, reject duplicates, delete")
    func environments() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let detail = try await api.createProject("shop", token: token)
            let project = detail.project.id
            let production = try #require(detail.environments.first)
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(project)/services", body: CreateServiceRequest(name: "web"), token: token
            ).decode()
            let shared = "/api/v1/projects/\(project)/environments/\(production.id)/variables"
            #expect(try await api.send(.patch, shared, body: UpdateVariablesRequest(set: ["REGION": "eu"]), token: token).status == .ok)
            let own = "/api/v1/projects/\(project)/environments/\(production.id)/services/\(service.id)/variables"
            #expect(try await api.send(.patch, own, body: UpdateVariablesRequest(set: ["PORT_HINT": "8080"]), token: token).status == .ok)

            let empty = try await api.send(.post, "/api/v1/projects/\(project)/environments", body: CreateEnvironmentRequest(name: "staging"), token: token)
            #expect(empty.status == .created)
            let staging: RailyardCore.Environment = try empty.decode()
            let stagingShared: VariableList = try await api.send(
                .get, "/api/v1/projects/\(project)/environments/\(staging.id)/variables", token: token
            ).decode()
            #expect(stagingShared.variables.isEmpty)

            let copy = try await api.send(
                .post, "/api/v1/projects/\(project)/environments", body: CreateEnvironmentRequest(name: "preview", duplicateFrom: "production"), token: token
            )
            #expect(copy.status == .created)
            let preview: RailyardCore.Environment = try copy.decode()
            let copiedShared: VariableList = try await api.send(
                .get, "/api/v1/projects/\(project)/environments/\(preview.id)/variables?reveal=true", token: token
            ).decode()
            #expect(copiedShared.variables == [Variable(key: "REGION", value: "eu", masked: false)])
            let copiedOwn: VariableList = try await api.send(
                .get, "/api/v1/projects/\(project)/environments/\(preview.id)/services/\(service.id)/variables?reveal=true", token: token
            ).decode()
            #expect(copiedOwn.variables == [Variable(key: "PORT_HINT", value: "8080", masked: false)])

            let byId = try await api.send(
                .post, "/api/v1/projects/\(project)/environments", body: CreateEnvironmentRequest(name: "qa", duplicateFrom: production.id), token: token
            )
            #expect(byId.status == .created)

            let duplicate = try await api.send(.post, "/api/v1/projects/\(project)/environments", body: CreateEnvironmentRequest(name: "staging"), token: token)
            #expect(duplicate.status == .conflict)
            let badName = try await api.send(.post, "/api/v1/projects/\(project)/environments", body: CreateEnvironmentRequest(name: "Staging!"), token: token)
            #expect(badName.status == .badRequest)
            #expect(badName.error?.field == "name")
            let unknownSource = try await api.send(
                .post, "/api/v1/projects/\(project)/environments", body: CreateEnvironmentRequest(name: "dev", duplicateFrom: "nope"), token: token
            )
            #expect(unknownSource.status == .notFound)
            #expect(unknownSource.error?.field == "duplicateFrom")

            #expect(try await api.send(.delete, "/api/v1/projects/\(project)/environments/\(staging.id)", token: token).status == .noContent)
            let names: [RailyardCore.Environment] = try await api.send(.get, "/api/v1/projects/\(project)/environments", token: token).decode()
            #expect(Set(names.map(\.name)) == ["production", "preview", "qa"])
        }
    }

    @Test("services: create, read, update, delete, with validated sources")
    func services() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let project = try await api.createProject("shop", token: token).project.id
            let created = try await api.send(
                .post, "/api/v1/projects/\(project)/services",
                body: CreateServiceRequest(name: "api", source: ServiceSource(repo: "https://github.com/acme/api.git", branch: "main", rootDirectory: "services/api")),
                token: token
            )
            #expect(created.status == .created)
            let service: Service = try created.decode()
            #expect(service.source.repo == "https://github.com/acme/api.git")
            let upload: Service = try await api.send(
                .post, "/api/v1/projects/\(project)/services", body: CreateServiceRequest(name: "worker"), token: token
            ).decode()
            #expect(upload.source == .upload)

            let listed: [Service] = try await api.send(.get, "/api/v1/projects/\(project)/services", token: token).decode()
            #expect(Set(listed.map(\.name)) == ["api", "worker"])
            let shown: Service = try await api.send(.get, "/api/v1/projects/\(project)/services/\(service.id)", token: token).decode()
            #expect(shown == service)

            let duplicate = try await api.send(.post, "/api/v1/projects/\(project)/services", body: CreateServiceRequest(name: "api"), token: token)
            #expect(duplicate.status == .conflict)
            for (source, field) in [
                (ServiceSource(repo: "not a url"), "source.repo"),
                (ServiceSource(repo: "https://x.example/r.git", branch: "bad..branch"), "source.branch"),
                (ServiceSource(repo: "https://x.example/r.git", rootDirectory: "../etc"), "source.rootDirectory"),
            ] {
                let bad = try await api.send(.post, "/api/v1/projects/\(project)/services", body: CreateServiceRequest(name: "bad", source: source), token: token)
                #expect(bad.status == .badRequest)
                #expect(bad.error?.field == field)
            }

            let renamed = try await api.send(
                .patch, "/api/v1/projects/\(project)/services/\(service.id)", body: UpdateServiceRequest(name: "backend"), token: token
            )
            #expect(renamed.status == .ok)
            #expect(try renamed.decode(Service.self).name == "backend")
            let badRename = try await api.send(
                .patch, "/api/v1/projects/\(project)/services/\(service.id)", body: UpdateServiceRequest(name: "Back End"), token: token
            )
            #expect(badRename.status == .badRequest)

            #expect(try await api.send(.delete, "/api/v1/projects/\(project)/services/\(service.id)", token: token).status == .noContent)
            #expect(try await api.send(.get, "/api/v1/projects/\(project)/services/\(service.id)", token: token).status == .notFound)
        }
    }
}
