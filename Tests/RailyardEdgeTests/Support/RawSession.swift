import NIOCore
import NIOPosix
import NIOSSL

/// One raw TCP connection to the edge, driven step by step: write, read until something arrived,
/// write more. For exchanges a client library would not make (slow heads, upgrades by hand).
struct RawSession {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// What arrived and was not consumed yet.
    var received = ByteBuffer()
    /// The edge closed the connection (or reset it).
    private(set) var ended = false

    /// Opens a connection to `port`, runs `body` with it, then closes it.
    /// With `tlsServerName`, the session speaks TLS naming that server (any certificate is taken).
    static func with<T>(port: Int, tlsServerName: String? = nil, _ body: (inout RawSession) async throws -> T) async throws -> T {
        let context = try tlsServerName.map { _ in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            return try NIOSSLContext(configuration: tls)
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsServerName, let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: tlsServerName))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var session = RawSession(iterator: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&session)
        }
    }

    func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await outbound.write(buffer)
    }

    /// Reads until `done` holds for what was received, or the connection ends (false then).
    mutating func read(until done: (ByteBuffer) -> Bool) async throws -> Bool {
        while !done(received) {
            guard !ended else { return false }
            do {
                guard var chunk = try await iterator.next() else {
                    ended = true
                    continue
                }
                received.writeBuffer(&chunk)
            } catch {
                // A reset ends the connection as surely as a FIN.
                ended = true
            }
        }
        return true
    }

    /// Reads until the text received contains `marker`.
    mutating func read(untilContains marker: String) async throws -> Bool {
        try await read(until: { String(buffer: $0).contains(marker) })
    }

    /// Reads until the edge closes the connection; returns everything received.
    mutating func readToEnd() async throws -> String {
        _ = try await read(until: { _ in false })
        return String(buffer: received)
    }

    /// Takes the response head (through the blank line) off the front of what was received.
    mutating func takeHead() async throws -> RawResponse? {
        guard try await read(untilContains: "\r\n\r\n") else { return nil }
        let view = received.readableBytesView
        let end = view.firstRange(of: Array("\r\n\r\n".utf8))!.upperBound
        let head = received.readSlice(length: end - view.startIndex)!
        return RawResponse(String(buffer: head))
    }
}
