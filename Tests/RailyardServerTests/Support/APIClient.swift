import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RailyardCore
import Testing

/// A thin JSON client over HummingbirdTesting's, speaking the API's dialect (ISO-8601 dates).
struct APIClient: Sendable {
    let client: any TestClientProtocol

    /// A response with helpers to decode the body.
    struct Reply: Sendable {
        let response: TestResponse
        var status: HTTPResponse.Status { response.status }
        var headers: HTTPFields { response.headers }
        var text: String { String(buffer: response.body) }

        func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(buffer: response.body))
        }

        /// The `error` of an error body.
        var error: RailyardError? {
            struct Body: Decodable { var error: RailyardError }
            return try? decode(Body.self).error
        }
    }

    /// Sends a request; `body` is JSON-encoded, `token` goes in `Authorization`, `ip` in `X-Forwarded-For`.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: (any Encodable)? = nil, token: String? = nil,
        ip: String = "10.0.0.1", headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        headers[HTTPField.Name("X-Forwarded-For")!] = ip
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            buffer = ByteBuffer(bytes: try encoder.encode(body))
            headers[.contentType] = "application/json"
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: buffer)
        return Reply(response: response)
    }

    /// Signs up a user and returns the session response.
    func signup(_ email: String, password: String = "correct horse battery", ip: String = "10.0.0.1") async throws -> AuthResponse {
        let reply = try await send(.post, "/api/v1/auth/signup", body: SignupRequest(email: email, password: password), ip: ip)
        try #require(reply.status == .created, "signup failed: \(reply.text)")
        return try reply.decode()
    }

    /// Creates a project as `token` and returns it.
    func createProject(_ name: String, token: String, workspaceId: String? = nil) async throws -> ProjectDetail {
        let reply = try await send(
            .post, "/api/v1/projects", body: CreateProjectRequest(name: name, workspaceId: workspaceId), token: token
        )
        try #require(reply.status == .created, "create project failed: \(reply.text)")
        return try reply.decode()
    }
}
