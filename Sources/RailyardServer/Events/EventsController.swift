import Hummingbird
import HummingbirdWebSocket
import RailyardCore

/// `GET /api/v1/events`: the dashboard's one WebSocket for live deployment statuses and log lines.
struct EventsController {
    let dependencies: AppDependencies

    /// The upgrade route, on the router that answers WebSocket upgrade requests only.
    func addUpgradeRoute(to router: Router<BasicWebSocketRequestContext>) {
        let dependencies = self.dependencies
        router.ws("api/v1/events") { inbound, outbound, context in
            var socket = EventSocket(dependencies: dependencies, hub: dependencies.events)
            socket.revalidateEvery = dependencies.configuration.eventsRevalidateInterval
            try await socket.run(inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    /// The same path without an upgrade: says how to connect (and keeps the route in the OpenAPI document).
    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("events") { _, _ -> Response in
            throw RailyardError.invalid(
                "Upgrade", "/api/v1/events is a WebSocket: connect with Upgrade: websocket, then send {\"token\": SESSION_TOKEN}"
            )
        }
    }
}
