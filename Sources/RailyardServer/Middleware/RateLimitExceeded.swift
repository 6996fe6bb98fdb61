import Hummingbird
import RailyardCore

/// Thrown when a client is over its budget; answered with 429 and `Retry-After`.
struct RateLimitExceeded: HTTPResponseError {
    var retryAfter: Int

    var status: HTTPResponse.Status { .tooManyRequests }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        RailyardError(.rateLimited, "too many requests; retry in \(retryAfter) seconds")
            .response(headers: [.retryAfter: String(retryAfter)])
    }
}
