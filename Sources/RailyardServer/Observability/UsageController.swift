import Foundation
import Hummingbird
import RailyardCore

/// `GET …/services/{serviceId}/metrics?since=1h`: the service's CPU, memory, network and disk figures.
struct UsageController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("projects/:projectId/environments/:environmentId/services/:serviceId/metrics", use: report)
    }

    @Sendable func report(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<UsageReport> {
        let (_, environment, service) = try await dependencies.access.serviceInEnvironment(.projectRead, context: context)
        let since = try Self.seconds(request.query("since") ?? "1h")
        return JSONResponse(try await dependencies.usage.report(serviceId: service.id, environmentId: environment.id, since: since))
    }

    /// `30m`, `6h`, `7d` (or plain seconds), from a minute to `max` (8 days: how long figures are kept).
    static func seconds(_ text: String, field: String = "since", max: TimeInterval = 8 * 86_400) throws(RailyardError) -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let number = units[text.last ?? " "] == nil ? text : String(text.dropLast())
        guard let value = Double(number), value > 0 else {
            throw .invalid(field, "\(field) must be a duration like 30m, 6h or 7d (got '\(text)')")
        }
        let seconds = value * (units[text.last ?? " "] ?? 1)
        guard (60...max).contains(seconds) else {
            throw .invalid(field, "\(field) must be from 1m to \(Int(max / 86_400))d (got '\(text)')")
        }
        return seconds
    }
}
