import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RailyardCore

/// Talks to GitHub for sign-in: exchanges an OAuth code for an access token, then reads the user
/// and, when their email is private, their primary verified email.
///
/// The endpoints come from ``GitHubConfiguration`` so tests point them at a fake on loopback.
struct GitHubClient: Sendable {
    let configuration: GitHubConfiguration
    let httpClient: HTTPClient
    private var timeout: TimeAmount { .milliseconds(Int64(configuration.timeout * 1000)) }

    /// The authorize URL a browser is sent to, carrying `state` and our callback.
    func authorizeURL(state: String, redirectURI: String) throws(RailyardError) -> String {
        guard let clientId = configuration.clientId, configuration.isConfigured else { throw Self.notConfigured }
        var components = URLComponents(string: configuration.oauthBaseURL + "/login/oauth/authorize")
        components?.queryItems = [
            URLQueryItem(name: "client_id", value: clientId),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: "read:user user:email"),
            URLQueryItem(name: "state", value: state),
        ]
        guard let url = components?.url?.absoluteString else {
            throw RailyardError(.notConfigured, "the GitHub OAuth URL '\(configuration.oauthBaseURL)' is not a valid URL")
        }
        return url
    }

    /// The user an OAuth `code` belongs to.
    func user(forCode code: String, logger: Logger) async throws -> GitHubUser {
        guard configuration.isConfigured else { throw Self.notConfigured }
        let accessToken = try await exchange(code: code, logger: logger)
        let profile: Profile = try await get("/user", accessToken: accessToken, logger: logger)
        var email = profile.email
        if email == nil {
            let emails: [Email] = try await get("/user/emails", accessToken: accessToken, logger: logger)
            email = emails.first { $0.primary && $0.verified }?.email
        }
        return GitHubUser(
            id: String(profile.id), login: profile.login, name: profile.name,
            email: email?.lowercased(), avatarURL: profile.avatar_url
        )
    }

    static let notConfigured = RailyardError(
        .notConfigured,
        "GitHub sign-in is not configured; start the server with --github-client-id and --github-client-secret (or GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET)"
    )

    // MARK: - Wire types

    private struct TokenRequest: Encodable {
        var client_id: String
        var client_secret: String
        var code: String
    }

    private struct TokenResponse: Decodable {
        var access_token: String?
        var error: String?
        var error_description: String?
    }

    private struct Profile: Decodable {
        var id: Int64
        var login: String
        var name: String?
        var email: String?
        var avatar_url: String?
    }

    private struct Email: Decodable {
        var email: String
        var primary: Bool
        var verified: Bool
    }

    // MARK: - Requests

    private func exchange(code: String, logger: Logger) async throws -> String {
        var request = HTTPClientRequest(url: configuration.oauthBaseURL + "/login/oauth/access_token")
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "railyard")
        let body = TokenRequest(
            client_id: configuration.clientId ?? "", client_secret: configuration.clientSecret ?? "", code: code
        )
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response: TokenResponse = try await send(request, what: "token exchange", logger: logger)
        if let token = response.access_token, !token.isEmpty { return token }
        if let error = response.error {
            logger.info("GitHub refused the sign-in code", metadata: ["github.error": "\(error)"])
            throw RailyardError(
                .unauthorized, "GitHub refused the sign-in code (\(error)); start again at /api/v1/auth/github"
            )
        }
        throw RailyardError(.upstream, "GitHub's token exchange returned no access token; try again later")
    }

    private func get<T: Decodable>(_ path: String, accessToken: String, logger: Logger) async throws -> T {
        var request = HTTPClientRequest(url: configuration.apiBaseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "User-Agent", value: "railyard")
        return try await send(request, what: "GET \(path)", logger: logger)
    }

    private func send<T: Decodable>(_ request: HTTPClientRequest, what: String, logger: Logger) async throws -> T {
        let failure = RailyardError(.upstream, "GitHub sign-in failed: \(what) did not succeed; try again later")
        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = response.status.code
            body = try await response.body.collect(upTo: 1024 * 1024)
        } catch {
            logger.warning("GitHub unreachable", metadata: ["github.call": "\(what)", "error": "\(error)"])
            throw failure
        }
        guard (200..<300).contains(status) else {
            logger.warning("GitHub answered with an error", metadata: ["github.call": "\(what)", "http.status": "\(status)"])
            throw failure
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch {
            logger.warning("GitHub answered unreadable JSON", metadata: ["github.call": "\(what)", "error": "\(error)"])
            throw failure
        }
    }
}
