import Foundation
import NIOCore
import Synchronization

/// Host → route, read on every request (lock-protected), updated by the runtime. Hosts are matched
/// case-insensitively without the port. A host can also be an alias of another (a custom domain of
/// a service's generated host): it answers with whatever route its target has at that moment.
public final class RouteTable: Sendable {
    /// One host's route plus its round-robin cursor. A class so the cursor can advance without
    /// holding the table lock; replacing the route starts a fresh cursor.
    fileprivate final class Entry: Sendable {
        let route: Route
        let cursor = Atomic<Int>(0)
        /// When a request last resolved to this host (`NIODeadline` uptime nanoseconds), carried
        /// over when the route is replaced: how long the service has been quiet.
        let lastRequest: Atomic<UInt64>

        init(route: Route, lastRequest: UInt64) {
            self.route = route
            self.lastRequest = Atomic(lastRequest)
        }
    }

    /// Routes by host, and aliases (alias host → target host), behind one lock so a request reads
    /// both in a single acquisition.
    private struct State {
        var entries: [String: Entry] = [:]
        var aliases: [String: String] = [:]
        /// Told when a sleeping host gets a route again, by host.
        var sleepers: [String: [@Sendable () -> Void]] = [:]

        /// The host's own entry, else its alias target's. Aliases are one level deep: an alias of an
        /// alias finds nothing.
        func entry(for key: String) -> Entry? {
            if let entry = entries[key] { return entry }
            guard let target = aliases[key] else { return nil }
            return entries[target]
        }
    }

    private let state = Mutex(State())
    /// Bumped, under the lock, by every change of routes or aliases: a connection's `CachedRoute`
    /// is good while it has not moved.
    private let generation = Atomic<UInt64>(0)

    /// Creates an empty table: every host answers the "no app deployed here" page.
    public init() {}

    /// Routes requests for `host` (any case, port ignored) to `route`, replacing what was there.
    /// Requests already in flight keep the route they started with.
    public func set(_ route: Route, for host: String) {
        guard let key = HostName.normalize(host) else { return }
        let woken = state.withLock { state -> [@Sendable () -> Void] in
            let lastRequest = state.entries[key]?.lastRequest.load(ordering: .relaxed) ?? NIODeadline.now().uptimeNanoseconds
            state.entries[key] = Entry(route: route, lastRequest: lastRequest)
            generation.add(1, ordering: .releasing)
            guard route != .sleeping else { return [] }
            return state.sleepers.removeValue(forKey: key) ?? []
        }
        for wake in woken { wake() }
    }

    /// Calls `awake` once `host` (a sleeping service's, or an alias of it) is routed to anything
    /// but `.sleeping` — at once when it already is. Each request held for a wake waits this way.
    public func whenAwake(_ host: String, _ awake: @escaping @Sendable () -> Void) {
        guard let key = HostName.normalize(host) else { return awake() }
        let waiting = state.withLock { state -> Bool in
            let target = state.entries[key] == nil ? state.aliases[key] ?? key : key
            guard state.entries[target]?.route == .sleeping else { return false }
            state.sleepers[target, default: []].append(awake)
            return true
        }
        if !waiting { awake() }
    }

    /// How long since a request last came for `host` (its own route, not an alias's), or since it
    /// was first routed; nil for a host with no route.
    public func quietTime(of host: String) -> Duration? {
        guard let key = HostName.normalize(host), let entry = state.withLock({ $0.entries[key] }) else { return nil }
        let elapsed = NIODeadline.now().uptimeNanoseconds &- entry.lastRequest.load(ordering: .relaxed)
        return .nanoseconds(Int64(clamping: elapsed))
    }

    /// Stops routing `host`; new requests for it get the unknown-host page.
    public func remove(host: String) {
        guard let key = HostName.normalize(host) else { return }
        state.withLock {
            $0.entries[key] = nil
            generation.add(1, ordering: .releasing)
        }
    }

    /// Makes `host` answer with `target`'s route, whatever it is now or becomes later (a new
    /// release, a static directory, a 503). A route of `host`'s own is dropped: the alias decides.
    /// Ignored when either name is empty or they are the same host.
    public func alias(_ host: String, to target: String) {
        guard let key = HostName.normalize(host), let targetKey = HostName.normalize(target), key != targetKey else { return }
        state.withLock {
            $0.entries[key] = nil
            $0.aliases[key] = targetKey
            generation.add(1, ordering: .releasing)
        }
    }

    /// Stops `host` being an alias; new requests for it get the unknown-host page.
    public func removeAlias(_ host: String) {
        guard let key = HostName.normalize(host) else { return }
        state.withLock {
            $0.aliases[key] = nil
            generation.add(1, ordering: .releasing)
        }
    }

    /// The host `host` is an alias of, normalised, or nil when it is none.
    public func aliasTarget(of host: String) -> String? {
        guard let key = HostName.normalize(host) else { return nil }
        return state.withLock { $0.aliases[key] }
    }

    /// The route for `host`, or nil when no app is deployed there.
    public func route(for host: String) -> Route? {
        entry(for: host)?.route
    }

    /// Every host that has a route of its own, normalised, for diagnostics (aliases are not listed).
    public var hosts: [String] {
        state.withLock { Array($0.entries.keys) }.sorted()
    }

    /// The decision for one request: where it goes, with the replica already picked round robin.
    func resolve(host: String) -> ResolvedRoute {
        guard let key = HostName.normalize(host) else { return .unknownHost }
        return resolve(normalizedHost: key)
    }

    /// `resolve(host:)` for a host already passed through `HostName.normalize`.
    func resolve(normalizedHost key: String) -> ResolvedRoute {
        guard let entry = state.withLock({ $0.entry(for: key) }) else { return .unknownHost }
        return resolve(entry)
    }

    /// A client connection's memory of the last Host header it resolved, so the next request with
    /// the same header (nearly every request on a keep-alive connection) finds its route without
    /// normalising the name, hashing it or taking the lock. Any change to the table invalidates it.
    /// It is the connection's own: a request to a single-replica route reads nothing shared with
    /// other threads (whose cache lines would bounce between cores), and stamps the host's last
    /// request time at most once a second.
    final class CachedRoute {
        fileprivate let rawHost: [UInt8]
        /// The host, normalised.
        let host: String
        fileprivate let entry: Entry?
        fileprivate let generation: UInt64
        /// The replica, when the route has exactly one.
        fileprivate let single: Upstream?
        /// When this connection last stamped `entry.lastRequest` (uptime nanoseconds).
        fileprivate var stamped: UInt64 = 0

        fileprivate init(rawHost: [UInt8], host: String, entry: Entry?, generation: UInt64) {
            self.rawHost = rawHost
            self.host = host
            self.entry = entry
            self.generation = generation
            if case .upstreams(let upstreams) = entry?.route, upstreams.count == 1 {
                single = upstreams[0]
            } else {
                single = nil
            }
        }
    }

    /// `resolve(host:)` for a Host header given as bytes, through and into `cache`; nil when the
    /// header names no host.
    func resolve(rawHost: UnsafeRawBufferPointer, cache: inout CachedRoute?) -> (host: String, route: ResolvedRoute)? {
        if let cached = cache, cached.generation == generation.load(ordering: .acquiring),
            cached.rawHost.count == rawHost.count, cached.rawHost.withUnsafeBytes({ $0.elementsEqual(rawHost) })
        {
            guard let entry = cached.entry else { return (cached.host, .unknownHost) }
            guard let single = cached.single else { return (cached.host, resolve(entry)) }
            let now = NIODeadline.now().uptimeNanoseconds
            if now &- cached.stamped >= 1_000_000_000 {
                cached.stamped = now
                entry.lastRequest.store(now, ordering: .relaxed)
            }
            return (cached.host, .proxy(single))
        }
        guard let key = HostName.normalize(bytes: rawHost.assumingMemoryBound(to: UInt8.self)) else { return nil }
        let (entry, generation) = state.withLock { ($0.entry(for: key), self.generation.load(ordering: .relaxed)) }
        let cached = CachedRoute(rawHost: Array(rawHost), host: key, entry: entry, generation: generation)
        cache = cached
        guard let entry else { return (key, .unknownHost) }
        cached.stamped = NIODeadline.now().uptimeNanoseconds
        return (key, resolve(entry))
    }

    private func resolve(_ entry: Entry) -> ResolvedRoute {
        entry.lastRequest.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
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
        case .sleeping:
            return .sleeping
        }
    }

    private func entry(for host: String) -> Entry? {
        guard let key = HostName.normalize(host) else { return nil }
        return state.withLock { $0.entry(for: key) }
    }
}

/// A route resolved for one request: the replica is chosen, so the request keeps it even when the
/// table changes while it is in flight.
enum ResolvedRoute: Equatable {
    case proxy(Upstream)
    case directory(URL)
    case unavailable(String)
    /// Hold the request until the host wakes.
    case sleeping
    case unknownHost
}
