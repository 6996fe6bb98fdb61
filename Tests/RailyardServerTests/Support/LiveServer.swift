import Foundation
import Logging
@testable import RailyardServer

/// `railyard server` run in-process on free ports, as the command runs it, for tests that need real sockets.
enum LiveServer {
    /// Starts a server on `directory` (its data dir) and returns its API URL once it listens, with the
    /// task running it (cancel it to stop the server).
    static func start(
        directory: URL, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> (url: String, server: Task<Void, any Error>) {
        var configuration = try ServerCommand.parse(["--port", "0", "--edge-port", "0", "--data", directory.path])
            .makeConfiguration(environment: [:])
        configuration.bcryptCost = 4
        configure(&configuration)
        var logger = Logger(label: "railyard.test")
        logger.logLevel = .warning
        let (urls, continuation) = AsyncStream.makeStream(of: String.self)
        let server = Task { [configuration, logger] in
            try await ServerCommand.serve(configuration: configuration, logger: logger) { url in
                continuation.yield(url)
            }
        }
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else {
            server.cancel()
            throw CancellationError()
        }
        return (url, server)
    }
}
