import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Tenancy: 404 outside a workspace, 403 inside without the permission")
struct TenancyTests {
    @Test("an outsider gets 404 for everything of another user's project")
    func outsiderGets404() async throws {
        try await TestServer.with { api, _ in
            let alice = try await api.signup("alice@example.com").token
            let bob = try await api.signup("bob@example.com").token
            let detail = try await api.createProject("secret-app", token: alice)
            let project = detail.project.id
            let environment = try #require(detail.environments.first).id
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(project)/services", body: CreateServiceRequest(name: "web"), token: alice
            ).decode()

            let attempts: [(HTTPRequest.Method, String, (any Encodable)?)] = [
                (.get, "/api/v1/projects/\(project)", nil),
                (.patch, "/api/v1/projects/\(project)", UpdateProjectRequest(name: "stolen")),
                (.delete, "/api/v1/projects/\(project)", nil),
                (.get, "/api/v1/projects/\(project)/environments", nil),
                (.post, "/api/v1/projects/\(project)/environments", CreateEnvironmentRequest(name: "staging")),
                (.delete, "/api/v1/projects/\(project)/environments/\(environment)", nil),
                (.get, "/api/v1/projects/\(project)/services", nil),
                (.get, "/api/v1/projects/\(project)/services/\(service.id)", nil),
                (.patch, "/api/v1/projects/\(project)/services/\(service.id)", UpdateServiceRequest(name: "x")),
                (.delete, "/api/v1/projects/\(project)/services/\(service.id)", nil),
                (.get, "/api/v1/projects/\(project)/environments/\(environment)/variables", nil),
                (.patch, "/api/v1/projects/\(project)/environments/\(environment)/variables", UpdateVariablesRequest(set: ["A": "1"])),
                (.get, "/api/v1/projects/\(project)/environments/\(environment)/services/\(service.id)/variables?reveal=true", nil),
                (.patch, "/api/v1/projects/\(project)/environments/\(environment)/services/\(service.id)/variables", UpdateVariablesRequest(set: ["A": "1"])),
                (.get, "/api/v1/workspaces/\(detail.project.workspaceId)", nil),
                (.get, "/api/v1/workspaces/\(detail.project.workspaceId)/members", nil),
                (.post, "/api/v1/workspaces/\(detail.project.workspaceId)/members", AddMemberRequest(email: "bob@example.com", role: .owner)),
                (.get, "/api/v1/projects?workspaceId=\(detail.project.workspaceId)", nil),
                (.post, "/api/v1/projects", CreateProjectRequest(name: "intruder", workspaceId: detail.project.workspaceId)),
            ]
            for (method, uri, body) in attempts {
                let reply = try await api.send(method, uri, body: body, token: bob)
                #expect(reply.status == .notFound, "\(method) \(uri): \(reply.status)")
                #expect(reply.error?.code == .notFound)
            }
            let bobsProjects: [Project] = try await api.send(.get, "/api/v1/projects", token: bob).decode()
            #expect(bobsProjects.isEmpty)
            // Nothing changed.
            let after: ProjectDetail = try await api.send(.get, "/api/v1/projects/\(project)", token: alice).decode()
            #expect(after.project.name == "secret-app")
            #expect(after.environments.count == 1)
            #expect(after.services.count == 1)
        }
    }

    @Test("a member without the permission gets 403 and can still see the workspace")
    func memberGets403() async throws {
        try await TestServer.with { api, _ in
            let alice = try await api.signup("alice@example.com").token
            let bobAuth = try await api.signup("bob@example.com")
            let detail = try await api.createProject("team-app", token: alice)
            let workspace = detail.project.workspaceId
            let project = detail.project.id
            let environment = try #require(detail.environments.first).id

            let added = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/members", body: AddMemberRequest(email: "BOB@example.com", role: .member), token: alice
            )
            #expect(added.status == .created)
            let member: Member = try added.decode()
            #expect(member.user.id == bobAuth.user.id)
            #expect(member.role == .member)
            let duplicate = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/members", body: AddMemberRequest(email: "bob@example.com", role: .member), token: alice
            )
            #expect(duplicate.status == .conflict)

            let bob = bobAuth.token
            #expect(try await api.send(.get, "/api/v1/workspaces/\(workspace)", token: bob).status == .ok)
            let members: [Member] = try await api.send(.get, "/api/v1/workspaces/\(workspace)/members", token: bob).decode()
            #expect(Set(members.map(\.user.id)).count == 2)
            let memberships: [WorkspaceMembership] = try await api.send(.get, "/api/v1/workspaces", token: bob).decode()
            #expect(memberships.count == 2)

            // A member builds and deploys, but cannot delete projects, reveal variables or manage the team.
            let forbidden: [(HTTPRequest.Method, String, (any Encodable)?)] = [
                (.delete, "/api/v1/projects/\(project)", nil),
                (.get, "/api/v1/projects/\(project)/environments/\(environment)/variables?reveal=true", nil),
                (.post, "/api/v1/workspaces/\(workspace)/members", AddMemberRequest(email: "alice@example.com", role: .owner)),
            ]
            #expect(try await api.send(.get, "/api/v1/projects/\(project)/environments/\(environment)/variables", token: bob).status == .ok)
            for (method, uri, body) in forbidden {
                let reply = try await api.send(method, uri, body: body, token: bob)
                #expect(reply.status == .forbidden, "\(method) \(uri): \(reply.status)")
                #expect(reply.error?.code == .forbidden)
                #expect(reply.error?.message.contains("member") == true)
            }
            let after: ProjectDetail = try await api.send(.get, "/api/v1/projects/\(project)", token: alice).decode()
            #expect(after.project.name == "team-app")
            #expect(after.environments.count == 1)
        }
    }

    @Test("an environment or service of another project is 404 even for the owner")
    func crossProjectIds() async throws {
        try await TestServer.with { api, _ in
            let alice = try await api.signup("alice@example.com").token
            let one = try await api.createProject("one", token: alice)
            let two = try await api.createProject("two", token: alice)
            let otherEnvironment = try #require(two.environments.first).id
            let otherService: Service = try await api.send(
                .post, "/api/v1/projects/\(two.project.id)/services", body: CreateServiceRequest(name: "api"), token: alice
            ).decode()
            let environment = try #require(one.environments.first).id
            for uri in [
                "/api/v1/projects/\(one.project.id)/environments/\(otherEnvironment)/variables",
                "/api/v1/projects/\(one.project.id)/services/\(otherService.id)",
                "/api/v1/projects/\(one.project.id)/environments/\(environment)/services/\(otherService.id)/variables",
            ] {
                #expect(try await api.send(.get, uri, token: alice).status == .notFound, "\(uri)")
            }
            #expect(try await api.send(.delete, "/api/v1/projects/\(one.project.id)/environments/\(otherEnvironment)", token: alice).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/projects/\(one.project.id)/services/\(otherService.id)", token: alice).status == .notFound)
        }
    }
}
