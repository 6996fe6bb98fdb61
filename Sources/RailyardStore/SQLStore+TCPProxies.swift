import Foundation
import RailyardCore
import SQLKit

extension SQLStore {
    public func createTCPProxy(
        serviceId: String, environmentId: String, targetPort: Int, publicPorts: ClosedRange<Int>
    ) async throws -> ServiceTCPProxy {
        try await write(conflict: "another TCP proxy took the same port at the same moment; try again", field: "targetPort") { db in
            guard try await db.raw("""
                SELECT id FROM tcp_proxies WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                AND target_port = \(bind: targetPort)
                """).first() == nil
            else {
                throw RailyardError(.conflict, "port \(targetPort) of this service already has a TCP proxy in this environment", field: "targetPort")
            }
            let taken = Set(try await db.raw("""
                SELECT public_port FROM tcp_proxies
                WHERE public_port >= \(bind: publicPorts.lowerBound) AND public_port <= \(bind: publicPorts.upperBound)
                """).all().map { try $0.decode(column: "public_port", as: Int.self) })
            guard let publicPort = publicPorts.first(where: { !taken.contains($0) }) else {
                throw RailyardError(
                    .conflict,
                    "every public port of the server's TCP proxy range \(publicPorts.lowerBound)-\(publicPorts.upperBound) is in use; remove a TCP proxy, or ask the operator to widen --tcp-proxy-ports",
                    field: "targetPort"
                )
            }
            let proxy = ServiceTCPProxy(
                id: Self.newID(), serviceId: serviceId, environmentId: environmentId, targetPort: targetPort, publicPort: publicPort,
                createdAt: Date(millis: Date().millis)
            )
            try await db.raw("""
                INSERT INTO tcp_proxies (id, service_id, environment_id, target_port, public_port, created_at)
                VALUES (\(bind: proxy.id), \(bind: serviceId), \(bind: environmentId), \(bind: targetPort), \(bind: publicPort),
                \(bind: proxy.createdAt.millis))
                """).run()
            return proxy
        }
    }

    public func tcpProxies(serviceId: String, environmentId: String) async throws -> [ServiceTCPProxy] {
        try await engine.withConnection { db in
            try await db.raw("""
                SELECT * FROM tcp_proxies WHERE service_id = \(bind: serviceId) AND environment_id = \(bind: environmentId)
                ORDER BY public_port
                """).all().map { try $0.tcpProxy() }
        }
    }

    public func allTCPProxies() async throws -> [ServiceTCPProxy] {
        try await engine.withConnection { db in
            try await db.raw("SELECT * FROM tcp_proxies ORDER BY public_port").all().map { try $0.tcpProxy() }
        }
    }

    public func deleteTCPProxy(id: String) async throws -> Bool {
        try await engine.transaction { db in
            let existed = try await db.raw("SELECT id FROM tcp_proxies WHERE id = \(bind: id)").first() != nil
            try await db.raw("DELETE FROM tcp_proxies WHERE id = \(bind: id)").run()
            return existed
        }
    }
}

extension SQLRow {
    fileprivate func tcpProxy() throws -> ServiceTCPProxy {
        ServiceTCPProxy(
            id: try string("id"), serviceId: try string("service_id"), environmentId: try string("environment_id"),
            targetPort: try decode(column: "target_port", as: Int.self), publicPort: try decode(column: "public_port", as: Int.self),
            createdAt: try date("created_at")
        )
    }
}
