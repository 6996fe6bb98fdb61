import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RailyardCore

/// Applies a ``RateLimiter`` to every request of a route group.
///
/// Auth routes are keyed by client IP; the rest of the API by the bearer credential (a digest of
/// it, never the token itself), or by IP when the request carries none.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = RailyardRequestContext

    /// What identifies a client.
    enum Key {
        case ip
        case credentialOrIP
    }

    let limiter: RateLimiter
    let key: Key
    let trustForwardedFor: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let client = clientKey(request, context: context)
        switch limiter.record(client) {
        case .allowed:
            return try await next(request, context)
        case .limited(let retryAfter):
            context.logger.info("rate limited", metadata: ["client.kind": "\(client.prefix(while: { $0 != ":" }))"])
            throw RateLimitExceeded(retryAfter: retryAfter)
        }
    }

    private func clientKey(_ request: Request, context: Context) -> String {
        if key == .credentialOrIP, let token = request.bearerToken {
            let digest = SHA256.hash(data: Array(token.utf8))
            return "token:" + Array(digest.prefix(16)).hexString
        }
        return "ip:" + Self.clientIP(request, context: context, trustForwardedFor: trustForwardedFor)
    }

    /// The client's IP: the socket peer, or the last `X-Forwarded-For` hop when that is trusted.
    static func clientIP(_ request: Request, context: Context, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!] {
            let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let last = hops.last(where: { !$0.isEmpty }) { return last }
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
