import Foundation
import NIOCore
import RailyardEdge
import RailyardTestSupport
import Testing
import X509

/// The HTTPS listener: certificates chosen by server name (SNI), changed at runtime, issued by the
/// local CA for development names; X-Forwarded-Proto; the HTTP → HTTPS redirect; WebSockets.
@Suite("Edge TLS")
struct TLSTests {
    let ca: TestCA

    init() throws { ca = try TestCA() }

    /// An edge whose HTTPS listener presents `certificates`, with two apps at a.test and b.test.
    func withTwoApps(
        certificates: TLSCertificateStore, redirect: Bool = false,
        _ body: (EdgeHarness, _ tlsPort: Int) async throws -> Void
    ) async throws {
        let alpha = try await TestUpstream.start(name: "alpha")
        let beta = try await TestUpstream.start(name: "beta")
        defer { Task { await alpha.stop(); await beta.stop() } }
        var configuration = EdgeServer.Configuration()
        configuration.tls = .init(host: "127.0.0.1", port: 0, certificates: certificates, redirectHTTP: redirect)
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: alpha.port)]), for: "a.test")
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: beta.port)]), for: "b.test")
            try await body(edge, try #require(edge.tlsPort))
        }
    }

    func get(_ path: String, host: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    }

    @Test("each of two domains gets its own certificate by SNI, verified against the CA, and its own app")
    func sniForTwoDomains() async throws {
        let store = TLSCertificateStore(defaultIdentity: try ca.identity(["default.test"]))
        for host in ["a.test", "b.test"] {
            let pair = try ca.issue([host])
            store.set(try TLSIdentity.validated(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM, host: host), for: host)
        }
        try await withTwoApps(certificates: store) { _, tlsPort in
            for (host, app) in [("a.test", "alpha"), ("b.test", "beta")] {
                let exchange = try await TLSClient.exchange(get("/name", host: host), serverName: host, port: tlsPort, trust: [ca.certificate])
                #expect(TLSClient.names(exchange.peer) == [host])
                #expect(exchange.response.statusLine == "HTTP/1.1 200 OK")
                #expect(exchange.response.body == app)
            }
        }
    }

    @Test("a name without a certificate gets the default one; a certificate added later serves the next handshake")
    func unknownNameThenAdded() async throws {
        let store = TLSCertificateStore(defaultIdentity: try ca.identity(["default.test"]))
        try await withTwoApps(certificates: store) { _, tlsPort in
            let before = try await TLSClient.exchange(get("/name", host: "a.test"), serverName: "a.test", port: tlsPort)
            #expect(TLSClient.names(before.peer) == ["default.test"])
            #expect(before.response.body == "alpha")
            let none = try await TLSClient.exchange(get("/name", host: "a.test"), serverName: nil, port: tlsPort)
            #expect(TLSClient.names(none.peer) == ["default.test"])

            store.set(try ca.identity(["*.test"]), for: "*.test")
            let wildcard = try await TLSClient.exchange(get("/name", host: "b.test"), serverName: "b.test", port: tlsPort, trust: [ca.certificate])
            #expect(TLSClient.names(wildcard.peer) == ["*.test"])
            store.set(try ca.identity(["a.test"]), for: "a.test")
            let after = try await TLSClient.exchange(get("/name", host: "a.test"), serverName: "a.test", port: tlsPort, trust: [ca.certificate])
            #expect(TLSClient.names(after.peer) == ["a.test"])
            store.remove("a.test")
            store.remove("*.test")
            let removed = try await TLSClient.exchange(get("/name", host: "a.test"), serverName: "a.test", port: tlsPort)
            #expect(TLSClient.names(removed.peer) == ["default.test"])
        }
    }

    @Test("the local CA is made once (key 0600) and issues certificates for development names, kept on disk")
    func localCertificateAuthority() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-ca-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = try LocalCertificateAuthority.loadOrCreate(directory: directory) { $0.hasSuffix(".localhost") }
        let keyMode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("ca-key.pem").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let again = try LocalCertificateAuthority.loadOrCreate(directory: directory) { _ in false }
        #expect(again.certificate == authority.certificate)

        let store = TLSCertificateStore(defaultIdentity: try authority.identity(for: ["localhost"]), issuer: authority)
        #expect(store.hasCertificate(for: "shop.localhost"))
        #expect(!store.hasCertificate(for: "shop.example.com"))
        let app = try await TestUpstream.start(name: "dev")
        defer { Task { await app.stop() } }
        var configuration = EdgeServer.Configuration()
        configuration.tls = .init(host: "127.0.0.1", port: 0, certificates: store)
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "shop.localhost")
            let tlsPort = try #require(edge.tlsPort)
            let exchange = try await TLSClient.exchange(
                get("/name", host: "shop.localhost"), serverName: "shop.localhost", port: tlsPort, trust: [authority.certificate]
            )
            #expect(TLSClient.names(exchange.peer) == ["shop.localhost"])
            #expect(exchange.response.body == "dev")
            let other = try await TLSClient.exchange(get("/name", host: "x.example.com"), serverName: "x.example.com", port: tlsPort)
            #expect(TLSClient.names(other.peer) == ["localhost"])
        }
        let issued = directory.appendingPathComponent("issued/shop.localhost.pem")
        #expect(FileManager.default.fileExists(atPath: issued.path))
        let kept = try authority.issue(for: "shop.localhost")
        #expect(kept.leaf.serialNumber == (try Certificate(pemEncoded: String(contentsOf: issued, encoding: .utf8))).serialNumber)
    }

    @Test("the app hears X-Forwarded-Proto: https over TLS and http without")
    func forwardedProto() async throws {
        let store = TLSCertificateStore(defaultIdentity: try ca.identity(["a.test"]))
        try await withTwoApps(certificates: store) { edge, tlsPort in
            let secure = try await TLSClient.exchange(get("/headers", host: "a.test"), serverName: "a.test", port: tlsPort)
            #expect(secure.response.body.contains("x-forwarded-proto: https"))
            let (_, _, plain) = try await edge.get("/headers", host: "a.test")
            #expect(plain.contains("x-forwarded-proto: http\n") || plain.hasSuffix("x-forwarded-proto: http"))
        }
    }

    @Test("with the redirect on, plain HTTP to a host with a certificate gets a 308 to HTTPS; others are served")
    func redirect() async throws {
        let store = TLSCertificateStore(defaultIdentity: try ca.identity(["default.test"]))
        store.set(try ca.identity(["a.test"]), for: "a.test")
        try await withTwoApps(certificates: store, redirect: true) { edge, tlsPort in
            let redirected = RawResponse(try await edge.raw(get("/path?q=1", host: "a.test:8080")))
            #expect(redirected.statusLine == "HTTP/1.1 308 Permanent Redirect")
            #expect(redirected.headers["location"] == "https://a.test:\(tlsPort)/path?q=1")
            let (status, _, body) = try await edge.get("/name", host: "b.test")
            #expect(status == .ok)
            #expect(body == "beta")
            let secure = try await TLSClient.exchange(get("/name", host: "a.test"), serverName: "a.test", port: tlsPort)
            #expect(secure.response.body == "alpha")
        }
    }

    @Test("a static release is served over TLS, read in chunks instead of sendfile")
    func staticOverTLS() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-tls-static-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let page = String(repeating: "0123456789abcdef", count: 20_000)
        try page.write(to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let store = TLSCertificateStore(defaultIdentity: try ca.identity(["site.test"]))
        var configuration = EdgeServer.Configuration()
        configuration.tls = .init(host: "127.0.0.1", port: 0, certificates: store)
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.directory(root), for: "site.test")
            let exchange = try await TLSClient.exchange(get("/", host: "site.test"), serverName: "site.test", port: try #require(edge.tlsPort))
            #expect(exchange.response.statusLine == "HTTP/1.1 200 OK")
            #expect(exchange.response.headers["content-length"] == "320000")
            #expect(exchange.response.body == page)
        }
    }

    @Test("a WebSocket handshake and frames cross the HTTPS listener")
    func webSocketOverTLS() async throws {
        let app = try await WebSocketEchoServer.start()
        defer { Task { await app.stop() } }
        let store = TLSCertificateStore(defaultIdentity: try ca.identity(["ws.test"]))
        var configuration = EdgeServer.Configuration()
        configuration.tls = .init(host: "127.0.0.1", port: 0, certificates: store)
        try await EdgeHarness.with(configuration: configuration) { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: app.port)]), for: "ws.test")
            try await RawSession.with(port: try #require(edge.tlsPort), tlsServerName: "ws.test") { session in
                try await session.write(
                    "GET /ws HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                )
                #expect(try await session.takeHead()?.statusLine == "HTTP/1.1 101 Switching Protocols")
                try await session.write(maskedFrame(opcode: 0x1, payload: ByteBuffer(string: "over tls")))
                let echo = try #require(try await session.readFrame())
                #expect(String(buffer: echo.payload) == "over tls")
            }
        }
    }
}
