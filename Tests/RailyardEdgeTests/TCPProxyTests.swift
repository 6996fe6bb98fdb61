import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import RailyardEdge

@Suite("TCP proxy: real sockets")
struct TCPProxyTests {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// A proxy on a free port of 127.0.0.1 whose connections go to `targets`.
    static func withProxy<T>(
        configuration: TCPProxy.Configuration = TCPProxy.Configuration(),
        targets: @escaping TCPProxy.Targets, _ body: (TCPProxy) async throws -> T
    ) async throws -> T {
        let proxy = try await TCPProxy.start(
            host: "127.0.0.1", port: 0, configuration: configuration, logger: Logger(label: "tcp-proxy-test"), targets: targets
        )
        do {
            let result = try await body(proxy)
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }

    static func connect(_ port: Int) async throws -> Connection {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Connection(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
    }

    /// Everything the connection receives until its input ends.
    static func readAll(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await var chunk in inbound { all.writeBuffer(&chunk) }
        return all
    }

    static func local(_ server: TCPTestServer) -> TCPProxy.Targets {
        { [Upstream(host: "127.0.0.1", port: server.port)] }
    }

    @Test("bytes go to the replica and back; the client's end of input reaches it")
    func echo() async throws {
        let server = try await TCPTestServer.start(.echo)
        defer { Task { await server.stop() } }
        try await Self.withProxy(targets: Self.local(server)) { proxy in
            let connection = try await Self.connect(proxy.port)
            let reply = try await connection.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "hello, "))
                try await outbound.write(ByteBuffer(string: "database"))
                outbound.finish()
                return try await Self.readAll(inbound)
            }
            #expect(String(buffer: reply) == "hello, database")
        }
    }

    @Test("16 MiB each way at once, with back-pressure, arrive intact")
    func largeBothWays() async throws {
        let server = try await TCPTestServer.start(.echo)
        defer { Task { await server.stop() } }
        let total = 16 << 20
        try await Self.withProxy(targets: Self.local(server)) { proxy in
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        var offset = 0
                        while offset < total {
                            let size = min(64 * 1024, total - offset)
                            try await outbound.write(TestUpstream.pattern(offset: offset, count: size))
                            offset += size
                        }
                        outbound.finish()
                        return -1
                    }
                    group.addTask {
                        var offset = 0
                        for try await chunk in inbound {
                            guard TestUpstream.matchesPattern(chunk, at: offset) else { throw TCPProxyTestError.corrupted(at: offset) }
                            offset += chunk.readableBytes
                        }
                        return offset
                    }
                    var count = 0
                    for try await value in group where value >= 0 { count = value }
                    return count
                }
            }
            #expect(received == total)
        }
    }

    @Test("32 MiB from the replica, then its close ends the client's connection")
    func replicaSendsAndCloses() async throws {
        let total = 32 << 20
        let server = try await TCPTestServer.start(.send(total))
        defer { Task { await server.stop() } }
        try await Self.withProxy(targets: Self.local(server)) { proxy in
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
            #expect(received.readableBytes == total)
            #expect(TestUpstream.matchesPattern(received, at: 0))
        }
    }

    @Test("a replica that closes closes the client")
    func replicaCloses() async throws {
        let server = try await TCPTestServer.start(.closeAtOnce)
        defer { Task { await server.stop() } }
        try await Self.withProxy(targets: Self.local(server)) { proxy in
            let started = ContinuousClock.now
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
            #expect(received.readableBytes == 0)
            // Promptly, not at the idle timeout (an hour); seconds of slack for a loaded run.
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    @Test("a client that closes closes the replica's connection")
    func clientCloses() async throws {
        let server = try await TCPTestServer.start(.silent)
        defer { Task { await server.stop() } }
        try await Self.withProxy(targets: Self.local(server)) { proxy in
            let connection = try await Self.connect(proxy.port)
            try await connection.executeThenClose { _, outbound in try await outbound.write(ByteBuffer(string: "bye")) }
            try await Self.eventually { server.stats.accepted.load(ordering: .relaxed) == 1 && server.stats.closed.load(ordering: .relaxed) == 1 }
        }
    }

    @Test("no replica answering: the client is closed at once; a refusing candidate is skipped")
    func noReplica() async throws {
        let refused = try closedPort()
        // A connect timeout far longer than the bound below: "at once" means the refusal is taken
        // as the answer, not waited out; the bound leaves a loaded run seconds of slack.
        var patient = TCPProxy.Configuration()
        patient.connectTimeout = .seconds(60)
        try await Self.withProxy(configuration: patient, targets: { [Upstream(host: "127.0.0.1", port: refused)] }) { proxy in
            let started = ContinuousClock.now
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
            #expect(received.readableBytes == 0 && ContinuousClock.now - started < .seconds(20))
        }
        try await Self.withProxy(targets: { [] }) { proxy in
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
            #expect(received.readableBytes == 0)
        }
        let server = try await TCPTestServer.start(.echo)
        defer { Task { await server.stop() } }
        let targets: TCPProxy.Targets = { [Upstream(host: "127.0.0.1", port: refused), Upstream(host: "127.0.0.1", port: server.port)] }
        try await Self.withProxy(targets: targets) { proxy in
            let connection = try await Self.connect(proxy.port)
            let reply = try await connection.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "second"))
                outbound.finish()
                return try await Self.readAll(inbound)
            }
            #expect(String(buffer: reply) == "second")
        }
    }

    @Test("a replica that never accepts: the client is closed after the connect timeout")
    func connectTimeout() async throws {
        let blackhole = try Blackhole()
        defer { blackhole.close() }
        var configuration = TCPProxy.Configuration()
        configuration.connectTimeout = .milliseconds(300)
        try await Self.withProxy(configuration: configuration, targets: { [Upstream(host: "127.0.0.1", port: blackhole.port)] }) { proxy in
            let started = ContinuousClock.now
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
            let waited = ContinuousClock.now - started
            // The 300 ms timeout, not the kernel's own minutes-long connect; with room for a loaded
            // machine stalling the test's tasks for seconds.
            #expect(received.readableBytes == 0 && waited >= .milliseconds(250) && waited < .seconds(8), "\(waited)")
        }
    }

    @Test("an idle connection is closed after the idle timeout")
    func idleTimeout() async throws {
        let server = try await TCPTestServer.start(.silent)
        defer { Task { await server.stop() } }
        var configuration = TCPProxy.Configuration()
        configuration.idleTimeout = .milliseconds(300)
        try await Self.withProxy(configuration: configuration, targets: Self.local(server)) { proxy in
            let connection = try await Self.connect(proxy.port)
            let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
            #expect(received.readableBytes == 0)
            try await Self.eventually { server.stats.closed.load(ordering: .relaxed) == 1 }
        }
    }

    @Test("stop closes open connections and the port refuses new ones")
    func stop() async throws {
        let server = try await TCPTestServer.start(.silent)
        defer { Task { await server.stop() } }
        let proxy = try await TCPProxy.start(host: "127.0.0.1", port: 0, logger: Logger(label: "tcp-proxy-test"), targets: Self.local(server))
        let connection = try await Self.connect(proxy.port)
        try await Self.eventually { server.stats.accepted.load(ordering: .relaxed) == 1 }
        await proxy.stop()
        let received = try await connection.executeThenClose { inbound, _ in try await Self.readAll(inbound) }
        #expect(received.readableBytes == 0)
        await #expect(throws: (any Error).self) { _ = try await Self.connect(proxy.port) }
    }

    @Test("a port already in use is refused with a clear error")
    func bindFailure() async throws {
        let server = try await TCPTestServer.start(.silent)
        defer { Task { await server.stop() } }
        let error = await #expect(throws: TCPProxyError.self) {
            _ = try await TCPProxy.start(host: "127.0.0.1", port: server.port, logger: Logger(label: "tcp-proxy-test"), targets: { [] })
        }
        #expect(error?.description.hasPrefix("The TCP proxy could not listen on 127.0.0.1:\(server.port)") == true)
    }

    /// Waits up to 5 s for `condition`.
    static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 5 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

enum TCPProxyTestError: Error {
    case corrupted(at: Int)
}
