import Foundation
import Synchronization

/// Host → route, read on every request (lock-protected), updated by the runtime. Hosts are matched
/// case-insensitively without the port.
public final class RouteTable: Sendable {
    /// One host's route plus its round-robin cursor. A class so the cursor can advance without
    /// holding the table lock; replacing the route starts a fresh cursor.
    private final class Entry: Sendable {
        let route: Route
        let cursor = Atomic<Int>(0)

        init(route: Route) { self.route = route }
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty table: every host answers the "no app deployed here" page.
    public init() {}

    /// Routes requests for `host` (any case, port ignored) to `route`, replacing what was there.
    /// Requests already in flight keep the route they started with.
    public func set(_ route: Route, for host: String) {
        guard let key = HostName.normalize(host) else { return }
        let entry = Entry(route: route)
        entries.withLock { $0[key] = entry }
    }

    /// Stops routing `host`; new requests for it get the unknown-host page.
    public func remove(host: String) {
        guard let key = HostName.normalize(host) else { return }
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// The route for `host`, or nil when no app is deployed there.
    public func route(for host: String) -> Route? {
        entry(for: host)?.route
    }

    /// Every host that has a route, normalised, for diagnostics.
    public var hosts: [String] {
        entries.withLock { Array($0.keys) }.sorted()
    }

    /// The decision for one request: where it goes, with the replica already picked round robin.
    func resolve(host: String) -> ResolvedRoute {
        guard let key = HostName.normalize(host) else { return .unknownHost }
        return resolve(normalizedHost: key)
    }

    /// `resolve(host:)` for a host already passed through `HostName.normalize`.
    func resolve(normalizedHost key: String) -> ResolvedRoute {
        guard let entry = entries.withLock({ $0[key] }) else { return .unknownHost }
        switch entry.route {
        case .upstreams(let upstreams):
            guard !upstreams.isEmpty else {
                return .unavailable("No replica of this service is running right now.")
            }
            let turn = entry.cursor.wrappingAdd(1, ordering: .relaxed).oldValue
            let index = Int(UInt(bitPattern: turn) % UInt(upstreams.count))
            return .proxy(upstreams[index])
        case .directory(let root):
            return .directory(root)
        case .unavailable(let reason):
            return .unavailable(reason)
        }
    }

    private func entry(for host: String) -> Entry? {
        guard let key = HostName.normalize(host) else { return nil }
        return entries.withLock { $0[key] }
    }
}

/// A route resolved for one request: the replica is chosen, so the request keeps it even when the
/// table changes while it is in flight.
enum ResolvedRoute: Equatable {
    case proxy(Upstream)
    case directory(URL)
    case unavailable(String)
    case unknownHost
}
