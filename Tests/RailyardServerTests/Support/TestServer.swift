import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RailyardCore
import RailyardStore
@testable import RailyardServer

/// A Railyard app on a fresh SQLite file in a temporary directory, with a low bcrypt cost and
/// `X-Forwarded-For` trusted so router tests can say which IP a request comes from.
struct TestServer {
    static func configuration(dataDirectory: URL) -> ServerConfiguration {
        ServerConfiguration(
            dataDirectory: dataDirectory, port: 0, edgePort: 0, publicURL: "http://railyard.test",
            bcryptCost: 4, trustForwardedFor: true
        )
    }

    /// Runs `body` against a new app; `configure` adjusts the configuration first.
    static func with<T: Sendable>(
        _ configure: (inout ServerConfiguration) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (APIClient, Fixture) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("railyard-server-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = configuration(dataDirectory: directory)
        configure(&configuration)
        var logger = Logger(label: "railyard.test")
        logger.logLevel = .warning
        let secret = ServerSecret(material: SymmetricKey(size: .bits256))
        let store = try await SQLStore.open(
            .sqlite(path: directory.appendingPathComponent("railyard.db").path), secret: secret, logger: logger
        )
        do {
            let router = await RailyardApp.buildRouter(
                configuration: configuration, store: store, secret: secret, logger: logger,
                httpClient: .shared, now: now
            )
            let app = Application(router: router, logger: logger)
            let fixture = Fixture(store: store, secret: secret, configuration: configuration, directory: directory)
            let result = try await app.test(.router) { client in
                try await body(APIClient(client: client), fixture)
            }
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

/// What a test may reach behind the API.
struct Fixture: Sendable {
    let store: SQLStore
    let secret: ServerSecret
    let configuration: ServerConfiguration
    let directory: URL
}
