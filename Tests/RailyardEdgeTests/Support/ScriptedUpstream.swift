import NIOCore
import NIOPosix
import Synchronization

/// An app that answers with exactly the bytes a test scripts, and remembers exactly the bytes it
/// was sent: for checking what the edge writes to an app and how it passes odd responses on. Each
/// request (head plus a `Content-Length` body, or a chunked one) is handed to `respond`, whose
/// answer is written as it is, and the connection is then closed when it says so.
final class ScriptedUpstream: Sendable {
    struct Answer: Sendable {
        var bytes: String
        var close = false
    }

    let port: Int
    /// How many connections the edge opened.
    let connections = Atomic<Int>(0)
    private let received = Mutex<[String]>([])
    private let channel: Channel

    /// Every request received so far, head and body, in order.
    var requests: [String] { received.withLock { $0 } }

    private init(channel: Channel) {
        self.channel = channel
        self.port = channel.localAddress!.port!
    }

    static func start(_ respond: @escaping @Sendable (String) -> Answer) async throws -> ScriptedUpstream {
        let box = Mutex<ScriptedUpstream?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upstream = box.withLock { $0 }!
                upstream.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedUpstreamHandler(upstream: upstream, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let upstream = ScriptedUpstream(channel: channel)
        box.withLock { $0 = upstream }
        return upstream
    }

    fileprivate func record(_ request: String) {
        received.withLock { $0.append(request) }
    }

    func stop() async {
        try? await channel.close()
    }
}

private final class ScriptedUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let upstream: ScriptedUpstream
    let respond: @Sendable (String) -> ScriptedUpstream.Answer
    var pending = ""

    init(upstream: ScriptedUpstream, respond: @escaping @Sendable (String) -> ScriptedUpstream.Answer) {
        self.upstream = upstream
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += String(buffer: unwrapInboundIn(data))
        while let request = takeRequest() {
            upstream.record(request)
            let answer = respond(request)
            if answer.close {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer.bytes))).whenComplete { _ in channel.close(promise: nil) }
                pending = ""
                return
            }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer.bytes)), promise: nil)
        }
    }

    /// One whole request off the front of `pending`, if it is there.
    private func takeRequest() -> String? {
        guard let headEnd = pending.range(of: "\r\n\r\n") else { return nil }
        let head = pending[..<headEnd.upperBound].lowercased()
        var end = headEnd.upperBound
        if let length = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") })
            .flatMap({ Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) })
        {
            guard pending.utf8.distance(from: end, to: pending.endIndex) >= length else { return nil }
            end = pending.utf8.index(end, offsetBy: length)
        } else if head.contains("transfer-encoding: chunked") {
            guard let last = pending[end...].range(of: "\r\n0\r\n\r\n") ?? (pending[end...].hasPrefix("0\r\n\r\n") ? pending[end...].range(of: "0\r\n\r\n") : nil)
            else { return nil }
            end = last.upperBound
        }
        let request = String(pending[..<end])
        pending = String(pending[end...])
        return request
    }
}
