import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Service settings: the API's build and deploy keys")
struct ServiceSettingsTests {
    /// A JSON body exactly as written, wrong types and unknown keys included.
    static func raw(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// A server with a signed-up owner, a project and a service `web`; `body` gets the API, the
    /// owner's token and the service's settings path in the project's first environment.
    static func withService(_ body: @Sendable (APIClient, String, String) async throws -> Void) async throws {
        try await TestServer.with { api, _ in
            let token = try await api.signup("owner@example.com").token
            let detail = try await api.createProject("shop", token: token)
            let environment = try #require(detail.environments.first).id
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(detail.project.id)/services", body: CreateServiceRequest(name: "web"), token: token
            ).decode()
            try await body(api, token, "/api/v1/projects/\(detail.project.id)/environments/\(environment)/services/\(service.id)/settings")
        }
    }

    @Test("PATCH sets keys and keeps the others, PUT replaces everything, GET reads them back")
    func lifecycle() async throws {
        try await Self.withService { api, token, path in

            let empty: ServiceConfig = try await api.send(.get, path, token: token).decode()
            #expect(empty.isEmpty)

            let patched = try await api.send(.patch, path, body: try Self.raw(#"{"deploy": {"numReplicas": 2, "startCommand": "./serve"}}"#), token: token)
            #expect(patched.status == .ok, "\(patched.text)")
            let second = try await api.send(.patch, path, body: try Self.raw(#"{"deploy": {"healthcheckPath": "/health"}}"#), token: token)
            let merged: ServiceConfig = try second.decode()
            #expect(merged.deploy == .init(startCommand: "./serve", healthcheckPath: "/health", numReplicas: 2))

            let replaced = try await api.send(.put, path, body: try Self.raw(#"{"build": {"buildCommand": "make"}}"#), token: token)
            #expect(replaced.status == .ok)
            let stored: ServiceConfig = try await api.send(.get, path, token: token).decode()
            #expect(stored == ServiceConfig(build: .init(buildCommand: "make")), "PUT clears the keys it leaves out")
        }
    }

    @Test("bad settings are refused with the key named, and nothing stored changes", arguments: [
        (#"{"deploy": {"numReplicas": "two"}}"#, "deploy.numReplicas", "must be a whole number"),
        (#"{"deploy": {"numReplicas": 0}}"#, "deploy.numReplicas", "must be between 1 and 20"),
        (#"{"deploy": {"startComand": "x"}}"#, "deploy.startComand", "did you mean `deploy.startCommand`?"),
        (#"{"deploy": {"region": "us-west1"}}"#, "deploy.region", "Railway setting Railyard does not use"),
        (#"{"deploy": {"restartPolicyType": "SOMETIMES"}}"#, "deploy.restartPolicyType", "must be one of ON_FAILURE, ALWAYS, NEVER"),
        (#"{"environments": {"staging": {"deploy": {"numReplicas": 2}}}}"#, "environments", "leave `environments` out"),
        (#"{"colour": "blue"}"#, "colour", "is not a setting Railyard knows"),
        (#"["deploy"]"#, nil, "must be a JSON object"),
    ] as [(String, String?, String)])
    func rejects(body: String, field: String?, message: String) async throws {
        try await Self.withService { api, token, path in
            #expect(try await api.send(.put, path, body: try Self.raw(#"{"deploy": {"numReplicas": 3}}"#), token: token).status == .ok)
            for method in [HTTPRequest.Method.put, .patch] {
                let reply = try await api.send(method, path, body: try Self.raw(body), token: token)
                #expect(reply.status == .badRequest, "\(method) \(body): \(reply.text)")
                #expect(reply.error?.field == field, "\(reply.text)")
                #expect(reply.error?.message.contains(message) == true, "\(reply.text)")
            }
            let kept: ServiceConfig = try await api.send(.get, path, token: token).decode()
            #expect(kept.deploy.numReplicas == 3)
        }
    }

    @Test("another workspace's user can neither read nor change them")
    func tenancy() async throws {
        try await Self.withService { api, _, path in
            let stranger = try await api.signup("stranger@example.com").token
            #expect(try await api.send(.get, path, token: stranger).status == .notFound)
            #expect(try await api.send(.put, path, body: try Self.raw(#"{"deploy": {"numReplicas": 2}}"#), token: stranger).status == .notFound)
            #expect(try await api.send(.get, path).status == .unauthorized)
        }
    }
}
