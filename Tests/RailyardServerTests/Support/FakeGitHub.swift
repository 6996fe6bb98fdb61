import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization

/// A FAKE GitHub, served on loopback by the test itself: GitHub's real servers are not reachable
/// from this machine, so the OAuth token exchange and the user API are imitated here, with just the
/// fields Railyard reads.
///
/// Codes it knows: `octocat` (private email, found through /user/emails), `octocat-renamed` (same
/// GitHub id, new name), `public-email` (email on the profile), `rejected` (GitHub answers
/// `bad_verification_code`), `broken` (/user fails with 500).
enum FakeGitHub {
    static let clientId = "fake-client-id"
    static let clientSecret = "fake-client-secret"

    /// Requests the fake received, as `METHOD path`.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    private struct TokenRequest: Decodable {
        var client_id: String
        var client_secret: String
        var code: String
    }

    /// Runs `body` with the fake's base URL (`http://localhost:PORT`) while the fake serves.
    static func run<T: Sendable>(_ body: @Sendable (_ baseURL: String, _ log: Log) async throws -> T) async throws -> T {
        let log = Log()
        let router = Router()
        router.post("login/oauth/access_token") { request, context -> Response in
            log.append("POST /login/oauth/access_token")
            guard request.headers[.accept] == "application/json" else { return Response(status: .notAcceptable) }
            let token = try await request.decode(as: TokenRequest.self, context: context)
            guard token.client_id == clientId, token.client_secret == clientSecret else {
                return json(#"{"error":"incorrect_client_credentials"}"#)
            }
            if token.code == "rejected" { return json(#"{"error":"bad_verification_code"}"#) }
            return json(#"{"access_token":"gho_\#(token.code)","token_type":"bearer","scope":"read:user,user:email"}"#)
        }
        router.get("user") { request, _ -> Response in
            log.append("GET /user")
            switch request.headers[.authorization] {
            case "Bearer gho_octocat":
                return json(#"{"id":583231,"login":"octocat","name":"The Octocat","email":null,"avatar_url":"https://avatars.example/u/583231"}"#)
            case "Bearer gho_octocat-renamed":
                return json(#"{"id":583231,"login":"octocat","name":"Mona Lisa Octocat","email":null,"avatar_url":null}"#)
            case "Bearer gho_public-email":
                return json(#"{"id":42,"login":"hubber","name":null,"email":"Hubber@Example.com"}"#)
            case "Bearer gho_broken":
                return Response(status: .internalServerError)
            default:
                return Response(status: .unauthorized)
            }
        }
        router.get("user/emails") { request, _ -> Response in
            log.append("GET /user/emails")
            guard request.headers[.authorization]?.hasPrefix("Bearer gho_") == true else { return Response(status: .unauthorized) }
            return json(#"[{"email":"old@example.com","primary":false,"verified":true},{"email":"Octocat@GitHub.example","primary":true,"verified":true}]"#)
        }
        let app = Application(router: router)
        return try await app.test(.live) { client in
            try await body("http://localhost:\(client.port!)", log)
        }
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
