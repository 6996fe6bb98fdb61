import RailyardCore
import RailyardEdge
import RailyardStore
import Synchronization

/// Where one TCP proxy's connections go: the live replicas of its service, as the edge routes them
/// (the upstreams of the service's generated host, so overlaps, restarts and crashes are followed
/// without the deploy path knowing about TCP proxies), each at the proxy's target port, round robin.
final class TCPProxyTargets: Sendable {
    private let proxy: ServiceTCPProxy
    private let store: any Store
    private let routes: RouteTable
    /// The service's generated host, once it has one (it never changes after).
    private let host = Mutex<String?>(nil)
    private let cursor = Atomic<Int>(0)

    init(proxy: ServiceTCPProxy, store: any Store, routes: RouteTable) {
        self.proxy = proxy
        self.store = store
        self.routes = routes
    }

    /// The replicas to try for one connection, starting with the next in turn.
    func callAsFunction() async -> [Upstream] {
        guard let host = await generatedHost(), case .upstreams(let upstreams) = routes.route(for: host) else { return [] }
        return Self.rotated(addresses: upstreams.map(\.host), by: cursor.wrappingAdd(1, ordering: .relaxed).oldValue, port: proxy.targetPort)
    }

    /// Each distinct address once (replicas sharing the host's loopback share one), starting at `turn`.
    static func rotated(addresses: [String], by turn: Int, port: Int) -> [Upstream] {
        var seen: Set<String> = []
        let distinct = addresses.filter { seen.insert($0).inserted }
        guard !distinct.isEmpty else { return [] }
        let start = Int(UInt(bitPattern: turn) % UInt(distinct.count))
        return (distinct[start...] + distinct[..<start]).map { Upstream(host: $0, port: port) }
    }

    private func generatedHost() async -> String? {
        if let known = host.withLock({ $0 }) { return known }
        let found = try? await store.domains(serviceId: proxy.serviceId, environmentId: proxy.environmentId).generated?.host
        if let found { host.withLock { $0 = found } }
        return found
    }
}
