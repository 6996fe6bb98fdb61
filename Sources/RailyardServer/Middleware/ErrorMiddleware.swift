import Hummingbird
import Logging
import RailyardCore

/// Turns every error a route throws into the API's JSON error body with the right status.
///
/// ``RailyardError``s pass through as they are; Hummingbird's HTTP errors (unknown route, body too
/// large, …) get a code from their status; anything else is logged with the request id and answered
/// with a bare `internal_error`, so internals never reach the client.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = RailyardRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RailyardError {
            if error.code == .internal || error.code == .upstream {
                context.logger.error(
                    "request failed", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"]
                )
            }
            return error.response()
        } catch let error as RateLimitExceeded {
            return error.response()
        } catch let error as any HTTPResponseError {
            return Self.railyardError(for: error, request: request).response(status: error.status)
        } catch {
            context.logger.error(
                "unexpected error",
                metadata: ["error.type": "\(String(reflecting: type(of: error)))", "error": "\(error)"]
            )
            return RailyardError(
                .internal, "something went wrong inside Railyard; the server log has details (request \(context.id))"
            ).response()
        }
    }

    /// A Railyard error for one of Hummingbird's HTTP errors, keeping its message when it has one.
    static func railyardError(for error: any HTTPResponseError, request: Request) -> RailyardError {
        let message = (error as? HTTPError)?.body
        switch error.status.code {
        case 404:
            return RailyardError(
                .notFound,
                message ?? "\(request.method.rawValue) \(request.uri.path) is not a Railyard route; see /api/v1/openapi.json"
            )
        case 405:
            return RailyardError(
                .invalidInput, "\(request.method.rawValue) is not allowed on \(request.uri.path); see /api/v1/openapi.json"
            )
        case 413:
            return RailyardError(.invalidInput, message ?? "the request body is too large")
        case 401: return RailyardError(.unauthorized, message ?? "authentication required")
        case 403: return RailyardError(.forbidden, message ?? "not allowed")
        case 409: return RailyardError(.conflict, message ?? "conflict")
        case 429: return RailyardError(.rateLimited, message ?? "too many requests")
        case 400..<500: return RailyardError(.invalidInput, message ?? error.status.reasonPhrase)
        default: return RailyardError(.internal, "something went wrong inside Railyard")
        }
    }
}
