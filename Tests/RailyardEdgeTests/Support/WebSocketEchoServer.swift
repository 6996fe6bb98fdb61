import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A WebSocket app built on NIOWebSocket's server upgrader: `/ws` upgrades and echoes every text and
/// binary frame; the text `close-me` makes it close the connection; any other path gets a plain 400.
final class WebSocketEchoServer: Sendable {
    let port: Int
    private let channel: Channel
    private let closedCount: Counter

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// WebSocket connections that have ended.
    var closedConnections: Int { closedCount.value.load(ordering: .relaxed) }

    private init(channel: Channel, closed: Counter) {
        self.channel = channel
        self.port = channel.localAddress!.port!
        self.closedCount = closed
    }

    static func start() async throws -> WebSocketEchoServer {
        let closed = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 21,
                    shouldUpgrade: { channel, head in
                        channel.eventLoop.makeSucceededFuture(head.uri == "/ws" ? HTTPHeaders() : nil)
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.closeFuture.whenComplete { _ in closed.value.add(1, ordering: .relaxed) }
                        return channel.eventLoop.makeCompletedFuture {
                            // The upgrader adds the frame codec at the end, behind the HTTP-only handler.
                            channel.pipeline.syncOperations.removeHandler(name: NotWebSocketHandler.name, promise: nil)
                            try channel.pipeline.syncOperations.addHandler(WebSocketEchoHandler())
                        }
                    }
                )
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
                    )
                    try channel.pipeline.syncOperations.addHandler(NotWebSocketHandler(), name: NotWebSocketHandler.name)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return WebSocketEchoServer(channel: channel, closed: closed)
    }

    func stop() async {
        try? await channel.close()
    }

    /// What the server must answer in `Sec-WebSocket-Accept` for `key` (RFC 6455 §4.2.2).
    static func accept(for key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }
}

private final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text where String(buffer: frame.unmaskedData) == "close-me":
            context.close(promise: nil)
        case .text, .binary:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: frame.opcode, data: frame.unmaskedData)), promise: nil)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }
}

/// Answers a request that is not a WebSocket handshake with 400.
private final class NotWebSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    static let name = "not-websocket"
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body = "not a websocket"
        let headers: HTTPHeaders = ["content-length": String(body.utf8.count), "content-type": "text/plain"]
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// A client-side WebSocket frame, masked as RFC 6455 §5.3 requires.
func maskedFrame(opcode: UInt8, payload: ByteBuffer) -> ByteBuffer {
    var frame = ByteBuffer()
    frame.writeInteger(0x80 | opcode)
    let length = payload.readableBytes
    if length < 126 {
        frame.writeInteger(UInt8(0x80 | length))
    } else if length <= Int(UInt16.max) {
        frame.writeInteger(UInt8(0x80 | 126))
        frame.writeInteger(UInt16(length))
    } else {
        frame.writeInteger(UInt8(0x80 | 127))
        frame.writeInteger(UInt64(length))
    }
    let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
    frame.writeBytes(mask)
    for (index, byte) in payload.readableBytesView.enumerated() {
        frame.writeInteger(byte ^ mask[index % 4])
    }
    return frame
}

/// Reads one unmasked server frame from the front of `buffer`, or nil when it is not all there yet.
func readServerFrame(_ buffer: inout ByteBuffer) -> (opcode: UInt8, payload: ByteBuffer)? {
    let start = buffer.readerIndex
    guard let first = buffer.readInteger(as: UInt8.self), let second = buffer.readInteger(as: UInt8.self) else {
        buffer.moveReaderIndex(to: start)
        return nil
    }
    var length = Int(second & 0x7f)
    if length == 126 {
        guard let extended = buffer.readInteger(as: UInt16.self) else { buffer.moveReaderIndex(to: start); return nil }
        length = Int(extended)
    } else if length == 127 {
        guard let extended = buffer.readInteger(as: UInt64.self) else { buffer.moveReaderIndex(to: start); return nil }
        length = Int(extended)
    }
    guard let payload = buffer.readSlice(length: length) else {
        buffer.moveReaderIndex(to: start)
        return nil
    }
    return (first & 0x0f, payload)
}
