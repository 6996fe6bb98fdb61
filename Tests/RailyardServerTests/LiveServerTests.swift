import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RailyardCore
import RailyardStore
@testable import RailyardServer
import Testing

@Suite("The server on real sockets")
struct LiveServerTests {
    @Test("serve: binds a free port, announces it, answers, and keeps state in the data dir")
    func serve() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("railyard-serve-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "railyard.test")
        logger.logLevel = .warning
        let (url, server) = try await LiveServer.start(directory: directory)
        defer { server.cancel() }
        #expect(url.hasPrefix("http://127.0.0.1:"))
        #expect(!url.hasSuffix(":0"))

        let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/health"), timeout: .seconds(10))
        #expect(health.status == .ok)
        #expect(health.headers.first(name: "X-Frame-Options") == "DENY")
        var signup = HTTPClientRequest(url: url + "/api/v1/auth/signup")
        signup.method = .POST
        signup.headers.add(name: "Content-Type", value: "application/json")
        signup.body = .bytes(ByteBuffer(string: #"{"email":"live@example.com","password":"long enough"}"#))
        let created = try await HTTPClient.shared.execute(signup, timeout: .seconds(10))
        #expect(created.status == .created)

        server.cancel()
        _ = try? await server.value

        let keyPath = directory.appendingPathComponent(ServerSecret.fileName).path
        let permissions = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let database = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("railyard.db").path)
        #expect(database[.posixPermissions] as? Int == 0o600, "the database must not be readable by other users")
        let dataDir = try FileManager.default.attributesOfItem(atPath: directory.path)
        #expect(dataDir[.posixPermissions] as? Int == 0o711, "others may traverse the data dir but not list it")
        let secret = try ServerSecret.load(dataDirectory: directory, environment: [:])
        let store = try await SQLStore.open(
            .sqlite(path: directory.appendingPathComponent("railyard.db").path), secret: secret, logger: logger
        )
        #expect(try await store.user(email: "live@example.com") != nil)
        try await store.close()
    }

    @Test("over a socket, auth rate limits key on the peer address and ignore X-Forwarded-For")
    func peerAddressRateLimit() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("railyard-live-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ServerConfiguration(dataDirectory: directory, port: 0, edgePort: 0, bcryptCost: 4)
        configuration.authRateLimit = RateLimitRule(limit: 2, window: 60)
        var logger = Logger(label: "railyard.test")
        logger.logLevel = .warning
        let secret = ServerSecret(material: SymmetricKey(size: .bits256))
        let store = try await SQLStore.open(
            .sqlite(path: directory.appendingPathComponent("railyard.db").path), secret: secret, logger: logger
        )
        let app = try await RailyardApp.buildApplication(
            configuration: configuration, store: store, secret: secret, logger: logger, httpClient: .shared
        )
        try await app.test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 1...3 {
                let reply = try await client.execute(
                    uri: "/api/v1/auth/login", method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "192.0.2.\(index)"],
                    body: ByteBuffer(string: #"{"email":"nobody@example.com","password":"whatever1"}"#)
                )
                statuses.append(reply.status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])
        }
        try await store.close()
    }
}
