import Foundation
import Hummingbird
import RailyardCore
import RailyardEdge
@testable import RailyardServer
import RailyardTestSupport
import Testing

@Suite("TCP proxies: the API")
struct TCPProxyTests {
    /// A server whose TCP proxies take ports from a fresh range of three, with a signed-up owner and
    /// a project with service `web`; `body` gets the API, the token, the fixture, the range, and the
    /// tcp-proxies path of `web` in production and of the service itself.
    static func withService(
        _ body: @Sendable (APIClient, String, Fixture, ClosedRange<Int>, _ proxies: String, _ service: String) async throws -> Void
    ) async throws {
        let low = TCPClient.freePort()
        let range = low...(low + 2)
        try await TestServer.with({ $0.tcpProxyPorts = range }) { api, fixture in
            let token = try await api.signup("owner@example.com").token
            let detail = try await api.createProject("shop", token: token)
            let environment = try #require(detail.environments.first).id
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(detail.project.id)/services", body: CreateServiceRequest(name: "web"), token: token
            ).decode()
            let servicePath = "/api/v1/projects/\(detail.project.id)/services/\(service.id)"
            let proxies = "/api/v1/projects/\(detail.project.id)/environments/\(environment)/services/\(service.id)/tcp-proxies"
            try await body(api, token, fixture, range, proxies, servicePath)
            // Whatever the test left listening stops with its service.
            _ = try await api.send(.delete, servicePath, token: token)
        }
    }

    @Test("add takes the lowest free public port and listens at once; remove closes it")
    func lifecycle() async throws {
        try await Self.withService { api, token, _, range, proxies, _ in
            let added = try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 5432), token: token)
            #expect(added.status == .created, "\(added.text)")
            let proxy: ServiceTCPProxy = try added.decode()
            #expect(proxy.targetPort == 5432 && proxy.publicPort == range.lowerBound && proxy.domain == "localhost")
            // Listening, though nothing is deployed: a client is let in and closed.
            #expect(TCPClient.accepts(port: proxy.publicPort))
            #expect(try TCPClient.exchange(port: proxy.publicPort, bytes: []) == [])

            let listed: [ServiceTCPProxy] = try await api.send(.get, proxies, token: token).decode()
            #expect(listed == [proxy])
            #expect(try await api.send(.delete, "\(proxies)/\(proxy.id)", token: token).status == .noContent)
            #expect(!TCPClient.accepts(port: proxy.publicPort))
            #expect(try await api.send(.delete, "\(proxies)/\(proxy.id)", token: token).status == .notFound)
            let after: [ServiceTCPProxy] = try await api.send(.get, proxies, token: token).decode()
            #expect(after.isEmpty)
        }
    }

    @Test("one proxy per target port; bad ports, a used-up range and an unbindable port are refused")
    func refusals() async throws {
        try await Self.withService { api, token, fixture, range, proxies, _ in
            #expect(try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 0), token: token).status == .badRequest)
            #expect(try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 70000), token: token).status == .badRequest)
            let first: ServiceTCPProxy = try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 5432), token: token).decode()
            let twice = try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 5432), token: token)
            #expect(twice.status == .conflict && twice.error?.message == "port 5432 of this service already has a TCP proxy in this environment")

            for port in [1, 2] {
                #expect(try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: port), token: token).status == .created)
            }
            let full = try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 3), token: token)
            #expect(full.status == .conflict && full.error?.message.contains("widen --tcp-proxy-ports") == true, "\(full.text)")

            // A port the server cannot open (here: the first proxy's, which the store no longer
            // remembers but which still listens) is refused, and nothing is kept.
            #expect(try await fixture.store.deleteTCPProxy(id: first.id))
            let unbindable = try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 6379), token: token)
            #expect(unbindable.status == .conflict, "\(unbindable.text)")
            #expect(unbindable.error?.message.hasPrefix("public port \(range.lowerBound) cannot be opened on this server") == true, "\(unbindable.text)")
            let kept: [ServiceTCPProxy] = try await api.send(.get, proxies, token: token).decode()
            #expect(kept.map(\.targetPort) == [1, 2])
        }
    }

    @Test("others see nothing; deleting the service closes its ports")
    func accessAndDeletion() async throws {
        try await Self.withService { api, token, _, _, proxies, service in
            let proxy: ServiceTCPProxy = try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 5432), token: token).decode()
            let stranger = try await api.signup("stranger@example.com", ip: "10.0.0.2").token
            #expect(try await api.send(.get, proxies, token: stranger).status == .notFound)
            #expect(try await api.send(.post, proxies, body: CreateTCPProxyRequest(targetPort: 1), token: stranger).status == .notFound)
            #expect(try await api.send(.delete, "\(proxies)/\(proxy.id)", token: stranger).status == .notFound)
            #expect(TCPClient.accepts(port: proxy.publicPort))

            #expect(try await api.send(.delete, service, token: token).status == .noContent)
            #expect(!TCPClient.accepts(port: proxy.publicPort))
        }
    }

    @Test("connections go to each replica address once, round robin, at the target port")
    func targets() {
        let addresses = ["10.100.0.2", "10.100.0.3", "10.100.0.2"]
        #expect(TCPProxyTargets.rotated(addresses: addresses, by: 0, port: 5432) == [
            Upstream(host: "10.100.0.2", port: 5432), Upstream(host: "10.100.0.3", port: 5432),
        ])
        #expect(TCPProxyTargets.rotated(addresses: addresses, by: 3, port: 5432).map(\.host) == ["10.100.0.3", "10.100.0.2"])
        #expect(TCPProxyTargets.rotated(addresses: [], by: 1, port: 5432).isEmpty)
    }

    @Test("--tcp-proxy-ports takes LOW-HIGH")
    func portRange() throws {
        #expect(try ServerCommand.portRange("20000-20999", field: "--tcp-proxy-ports") == 20000...20999)
        for bad in ["20000", "2-1", "0-10", "1-65536", "a-b", "-"] {
            #expect(throws: RailyardError.self) { try ServerCommand.portRange(bad, field: "--tcp-proxy-ports") }
        }
    }
}
