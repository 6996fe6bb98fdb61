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

    /// `30m`, `6h`, `7d` (or plain seconds), from a minute to 8 days.
    static func seconds(_ text: String) throws(RailyardError) -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let number = units[text.last ?? " "] == nil ? text : String(text.dropLast())
        guard let value = Double(number), value > 0 else {
            throw .invalid("since", "since must be a duration like 30m, 6h or 7d (got '\(text)')")
        }
        let seconds = value * (units[text.last ?? " "] ?? 1)
        guard (60...8 * 86_400).contains(seconds) else {
            throw .invalid("since", "since must be from 1m to 8d: figures are kept 8 days (got '\(text)')")
        }
        return seconds
    }
}
