import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Variables: set, list masked, reveal, delete, atomic rejection")
struct VariableTests {
    @Test("set, list masked, reveal, delete — shared and per service")
    func lifecycle() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let detail = try await api.createProject("shop", token: token)
            let environment = try #require(detail.environments.first).id
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(detail.project.id)/services", body: CreateServiceRequest(name: "web"), token: token
            ).decode()
            for base in [
                "/api/v1/projects/\(detail.project.id)/environments/\(environment)/variables",
                "/api/v1/projects/\(detail.project.id)/environments/\(environment)/services/\(service.id)/variables",
            ] {
                let set = try await api.send(
                    .patch, base, body: UpdateVariablesRequest(set: ["DATABASE_URL": "postgres://secret", "API_KEY": "hunter2"]), token: token
                )
                #expect(set.status == .ok)
                #expect(!set.text.contains("hunter2"))
                let returned: VariableList = try set.decode()
                #expect(returned.variables.map(\.key) == ["API_KEY", "DATABASE_URL"])
                #expect(returned.variables.allSatisfy { $0.masked && $0.value == Variable.mask })

                let masked = try await api.send(.get, base, token: token)
                #expect(!masked.text.contains("hunter2"))
                #expect(try masked.decode(VariableList.self).variables.allSatisfy(\.masked))

                let revealed: VariableList = try await api.send(.get, base + "?reveal=true", token: token).decode()
                #expect(revealed.variables == [
                    Variable(key: "API_KEY", value: "hunter2", masked: false),
                    Variable(key: "DATABASE_URL", value: "postgres://secret", masked: false),
                ])

                let deleted = try await api.send(.patch, base, body: UpdateVariablesRequest(set: ["API_KEY": "rotated"], delete: ["DATABASE_URL"]), token: token)
                #expect(deleted.status == .ok)
                let after: VariableList = try await api.send(.get, base + "?reveal=true", token: token).decode()
                #expect(after.variables == [Variable(key: "API_KEY", value: "rotated", masked: false)])
            }
            // Shared and service variables are separate.
            let sharedOnly: VariableList = try await api.send(
                .get, "/api/v1/projects/\(detail.project.id)/environments/\(environment)/variables", token: token
            ).decode()
            #expect(sharedOnly.variables.map(\.key) == ["API_KEY"])
        }
    }

    @Test("one bad key or value among good ones rejects the whole change", arguments: [
        (UpdateVariablesRequest(set: ["GOOD": "1", "1BAD": "2"]), "key"),
        (UpdateVariablesRequest(set: ["GOOD": "1", "BAD-KEY": "2"]), "key"),
        (UpdateVariablesRequest(set: ["GOOD": "1", "NUL": "a\u{0}b"]), "value"),
        (UpdateVariablesRequest(set: ["GOOD": "1", "BIG": String(repeating: "x", count: Validation.maxVariableValueBytes + 1)]), "value"),
        (UpdateVariablesRequest(set: ["GOOD": "1"], delete: ["KEEP", "not valid"]), "key"),
        (UpdateVariablesRequest(set: ["GOOD": "1", "KEEP": "2"], delete: ["KEEP"]), "delete"),
    ])
    func rejectedChangeChangesNothing(request: UpdateVariablesRequest, field: String) async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let detail = try await api.createProject("shop", token: token)
            let base = "/api/v1/projects/\(detail.project.id)/environments/\(try #require(detail.environments.first).id)/variables"
            #expect(try await api.send(.patch, base, body: UpdateVariablesRequest(set: ["KEEP": "original"]), token: token).status == .ok)

            let rejected = try await api.send(.patch, base, body: request, token: token)
            #expect(rejected.status == .badRequest)
            #expect(rejected.error?.field == field)

            let after: VariableList = try await api.send(.get, base + "?reveal=true", token: token).decode()
            #expect(after.variables == [Variable(key: "KEEP", value: "original", masked: false)])
        }
    }

    @Test("too many variables in one request is rejected")
    func tooMany() async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("alice@example.com").token
            let detail = try await api.createProject("shop", token: token)
            let base = "/api/v1/projects/\(detail.project.id)/environments/\(try #require(detail.environments.first).id)/variables"
            let many = Dictionary(uniqueKeysWithValues: (0...Validation.maxVariablesPerRequest).map { ("K\($0)", "v") })
            let reply = try await api.send(.patch, base, body: UpdateVariablesRequest(set: many), token: token)
            #expect(reply.status == .badRequest)
            let after: VariableList = try await api.send(.get, base, token: token).decode()
            #expect(after.variables.isEmpty)
        }
    }
}
