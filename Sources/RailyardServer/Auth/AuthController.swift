import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `/api/v1/auth/*`: sign-up, login and GitHub sign-in. Rate-limited per client IP.
struct AuthController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.post("signup", use: signup)
        group.post("login", use: login)
        let github = dependencies.configuration.github.isConfigured
        group.get("methods") { _, _ in JSONResponse(["password": true, "github": github]) }
        group.get("github", use: githubRedirect)
        group.get("github/callback", use: githubCallback)
    }

    @Sendable func signup(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<AuthResponse> {
        let body = try await request.decodeJSON(as: SignupRequest.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        try Validation.email(email)
        try Validation.password(body.password)
        let name = body.name?.trimmingCharacters(in: .whitespaces)
        if let name { try Validation.label(name, field: "name") }
        let store = dependencies.store
        if try await store.user(email: email) != nil {
            throw RailyardError(.conflict, "an account with email \(email) already exists; log in instead", field: "email")
        }
        let hash = try await dependencies.passwords.hash(body.password)
        let user = try await store.createUser(email: email, name: name, passwordHash: hash)
        context.logger.info("user signed up", metadata: ["user.id": "\(user.id)"])
        return JSONResponse(try await dependencies.sessions.issue(for: user), status: .created)
    }

    @Sendable func login(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<AuthResponse> {
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        let store = dependencies.store
        let user = try await store.user(email: email)
        let hash = try await user.asyncMap { try await store.passwordHash(userId: $0.id) } ?? nil
        guard try await dependencies.passwords.verify(body.password, hash: hash), let user else {
            throw RailyardError(.unauthorized, "email or password is incorrect")
        }
        context.logger.info("user logged in", metadata: ["user.id": "\(user.id)"])
        return JSONResponse(try await dependencies.sessions.issue(for: user))
    }

    @Sendable func githubRedirect(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        guard dependencies.configuration.github.isConfigured else { throw GitHubClient.notConfigured }
        // `?next=dashboard`: the dashboard's button, whose callback answers with a page, not JSON.
        let state = try await dependencies.oauthState.make(next: request.query("next") == "dashboard" ? "dashboard" : nil)
        let url = try dependencies.github.authorizeURL(
            state: state, redirectURI: dependencies.publicURL + "/api/v1/auth/github/callback"
        )
        return Response(status: .found, headers: [.location: url])
    }

    @Sendable func githubCallback(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        guard dependencies.configuration.github.isConfigured else { throw GitHubClient.notConfigured }
        guard let state = request.query("state"), let claims = await dependencies.oauthState.payload(state) else {
            throw RailyardError(
                .unauthorized, "the sign-in state is missing, forged or expired; start again at /api/v1/auth/github"
            )
        }
        guard let code = request.query("code"), !code.isEmpty else {
            throw RailyardError.invalid("code", "code is required: GitHub sends it to this callback")
        }
        let githubUser = try await dependencies.github.user(forCode: code, logger: context.logger)
        let user = try await dependencies.store.upsertGitHubUser(
            githubId: githubUser.id, login: githubUser.login, email: githubUser.email,
            name: githubUser.name, avatarURL: githubUser.avatarURL
        )
        context.logger.info("user signed in with GitHub", metadata: ["user.id": "\(user.id)"])
        let session = try await dependencies.sessions.issue(for: user)
        if claims.next == "dashboard" { return DashboardController.signedIn(token: session.token) }
        return try JSONResponse(session).response(from: request, context: context)
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
