import Crypto
import Foundation
import Hummingbird
import RailyardCore

/// `GET /metrics`: the Prometheus text exposition, behind `--metrics-token` when one is set.
struct MetricsController {
    let dependencies: AppDependencies

    func addRoutes(to router: Router<RailyardRequestContext>) {
        router.get("metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: RailyardRequestContext) async throws -> Response {
        if let token = dependencies.configuration.metricsToken {
            let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            // Compared as digests, so the time taken says nothing about the token.
            guard Data(SHA256.hash(data: Data(given.utf8))) == Data(SHA256.hash(data: Data(token.utf8))) else {
                throw RailyardError(.unauthorized, "/metrics needs the server's metrics token: send `Authorization: Bearer <--metrics-token>`")
            }
        }
        let text = await dependencies.metrics.exposition(replicas: await dependencies.usage.latest)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
