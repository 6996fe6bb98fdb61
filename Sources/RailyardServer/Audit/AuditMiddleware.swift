import Foundation
import Hummingbird
import Logging
import RailyardCore
import RailyardStore
import Synchronization

/// The workspace a request acted in, set where its permission is checked (`Access.authorize`); a
/// reference, so the middleware sees what the route set.
final class AuditTrail: Sendable {
    private let workspace = Mutex<String?>(nil)

    var workspaceId: String? {
        get { workspace.withLock { $0 } }
        set { workspace.withLock { $0 = newValue } }
    }
}

/// Records every change a signed-in caller made in a workspace (a request other than GET or HEAD that
/// succeeded): who, the route, the path, from which address, the status. Reads are not recorded.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = RailyardRequestContext
    let store: any Store
    let trustForwardedFor: Bool
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard request.method != .get, request.method != .head, response.status.code < 400,
            let workspaceId = context.audit.workspaceId, let user = context.identity?.user
        else { return response }
        let event = AuditEvent(
            id: UUID().uuidString.lowercased(), workspaceId: workspaceId, actorId: user.id, actorEmail: user.email ?? "",
            action: "\(request.method.rawValue) \(Self.template(context.endpointPath ?? request.uri.path))", target: request.uri.path,
            ip: RateLimitMiddleware.clientIP(request, context: context, trustForwardedFor: trustForwardedFor),
            status: Int(response.status.code), at: Date()
        )
        do {
            try await store.recordAuditEvent(event)
        } catch {
            logger.error("audit event not recorded", metadata: ["audit.action": "\(event.action)", "error": "\(error)"])
        }
        return response
    }

    /// `/api/v1/projects/{projectId}` for a route path written with `:projectId`.
    static func template(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}
