import Hummingbird
import Logging
import RailyardCore
import RailyardStore

/// Resolves `Authorization: Bearer …` into the request's ``Identity``.
///
/// A token starting with `ry_` is an API token, looked up by its SHA-256 hash; anything else must be
/// a valid, unexpired session JWT. A request without credentials passes through anonymous (routes
/// that need a user call ``RailyardRequestContext/requireUser()``); one with bad credentials is
/// answered 401 here.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RailyardRequestContext

    let store: any Store
    let sessions: SessionTokens

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token = request.bearerToken else {
            return try await next(request, context)
        }
        var context = context
        let identity = try await authenticate(token)
        context.identity = identity
        context.logger[metadataKey: "user.id"] = .string(identity.user.id)
        return try await next(request, context)
    }

    /// The identity a bearer token proves (also used by the events socket, whose token comes in a message).
    func authenticate(_ token: String) async throws -> Identity {
        if token.hasPrefix(APITokenSecret.marker) {
            guard let user = try await store.user(apiTokenHash: APITokenSecret.hash(token)) else {
                throw RailyardError(
                    .unauthorized, "this API token is invalid or was revoked; create a new one with POST /api/v1/tokens"
                )
            }
            return Identity(user: user, method: .apiToken(prefix: APITokenSecret.prefix(token)))
        }
        guard let userId = await sessions.userId(from: token), let user = try await store.user(id: userId) else {
            throw RailyardError(.unauthorized, "the session token is invalid or expired; log in again")
        }
        return Identity(user: user, method: .session)
    }
}
