import HTTPTypes
import Hummingbird

/// Adds the headers every API and dashboard response carries: a strict Content-Security-Policy,
/// no MIME sniffing, no framing, no referrer. (Apps behind the edge proxy set their own.)
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headers: HTTPFields {
        [
            .contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        for field in Self.headers {
            response.headers[field.name] = field.value
        }
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
