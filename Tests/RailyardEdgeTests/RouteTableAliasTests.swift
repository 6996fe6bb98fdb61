import Foundation
import Testing

@testable import RailyardEdge

@Suite("Route table aliases")
struct RouteTableAliasTests {
    let a = Upstream(host: "10.0.0.1", port: 1)
    let b = Upstream(host: "10.0.0.2", port: 2)

    @Test("an alias answers with its target's route as it changes, and shares its rotation")
    func followsTarget() {
        let table = RouteTable()
        table.alias("Shop.Example.com.", to: "web.localhost:8080")
        #expect(table.aliasTarget(of: "shop.example.com") == "web.localhost")
        // No route for the target yet (never deployed): the alias is unknown too.
        #expect(table.resolve(host: "shop.example.com") == .unknownHost)
        table.set(.upstreams([a, b]), for: "web.localhost")
        let picks = [table.resolve(host: "shop.example.com:80"), table.resolve(host: "web.localhost"), table.resolve(host: "SHOP.example.com")]
        #expect(picks == [.proxy(a), .proxy(b), .proxy(a)])
        table.set(.directory(URL(fileURLWithPath: "/srv/site")), for: "web.localhost")
        #expect(table.route(for: "shop.example.com") == .directory(URL(fileURLWithPath: "/srv/site")))
        table.set(.unavailable("crashed"), for: "web.localhost")
        #expect(table.resolve(host: "shop.example.com") == .unavailable("crashed"))
        table.remove(host: "web.localhost")
        #expect(table.route(for: "shop.example.com") == nil)
        #expect(table.hosts.isEmpty)
    }

    @Test("removing an alias leaves its target alone; an alias replaces a route of its own")
    func removeAndReplace() {
        let table = RouteTable()
        table.set(.upstreams([a]), for: "web.localhost")
        table.set(.unavailable("stale"), for: "shop.example.com")
        table.alias("shop.example.com", to: "web.localhost")
        #expect(table.resolve(host: "shop.example.com") == .proxy(a))
        table.removeAlias("SHOP.example.com")
        #expect(table.resolve(host: "shop.example.com") == .unknownHost)
        #expect(table.aliasTarget(of: "shop.example.com") == nil)
        #expect(table.resolve(host: "web.localhost") == .proxy(a))
        // Moving an alias to another target, and the degenerate cases.
        table.set(.upstreams([b]), for: "api.localhost")
        table.alias("shop.example.com", to: "web.localhost")
        table.alias("shop.example.com", to: "api.localhost")
        #expect(table.resolve(host: "shop.example.com") == .proxy(b))
        table.alias("web.localhost", to: "WEB.localhost")
        #expect(table.aliasTarget(of: "web.localhost") == nil && table.resolve(host: "web.localhost") == .proxy(a))
        table.alias("x.example.com", to: "shop.example.com")
        #expect(table.resolve(host: "x.example.com") == .unknownHost, "aliases are one level deep")
    }

    @Test("aliases and routes change while requests resolve on other threads")
    func concurrent() async {
        let table = RouteTable()
        table.set(.upstreams([a, b]), for: "web.localhost")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<2_000 {
                    if index.isMultiple(of: 2) { table.alias("shop.example.com", to: "web.localhost") } else { table.removeAlias("shop.example.com") }
                }
                table.alias("shop.example.com", to: "web.localhost")
            }
            group.addTask {
                for index in 0..<2_000 { table.set(.upstreams(index.isMultiple(of: 2) ? [a] : [a, b]), for: "web.localhost") }
            }
            group.addTask {
                for _ in 0..<2_000 {
                    let resolved = table.resolve(host: "shop.example.com")
                    #expect(resolved == .unknownHost || resolved == .proxy(a) || resolved == .proxy(b))
                }
            }
        }
        #expect(table.resolve(host: "shop.example.com") != .unknownHost)
    }
}
