import NIOCore
import NIOHTTP1

extension EdgeConnectionHandler {
    /// The app accepted a WebSocket handshake: send its 101 to the client, then take the HTTP
    /// handlers out of both pipelines and splice them with a `TunnelHandler` pair. Bytes the app sent
    /// right after its 101 (still in the response decoder) follow the 101 to the client. The
    /// client's idle timer is swapped for the tunnel's.
    func startTunnel(_ head: HTTPResponseHead, context: ChannelHandlerContext) {
        guard let lease else { return }
        self.lease = nil
        lease.handler.detach()
        if var request = active {
            request.status = head.status
            request.note = "upgraded to a tunnel"
            log(request)
        }
        active = nil
        exchange = nil
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)

        let client = context.channel
        let (clientEnd, upstreamEnd) = TunnelHandler.pair()
        do {
            // The upstream side first: once the client's decoder goes, any bytes it held are
            // written upstream, where no HTTP encoder may remain.
            let upstream = lease.channel.pipeline.syncOperations
            try upstream.addHandler(upstreamEnd)
            upstream.remove(UpstreamHandler.self)
            upstream.remove(HTTPRequestEncoder.self)

            let pipeline = client.pipeline.syncOperations
            try pipeline.addHandler(clientEnd)
            pipeline.remove(ClientTimeoutHandler.self)
            try pipeline.addHandler(IdleStateHandler(allTimeout: environment.tunnelIdleTimeout), position: .first)
            pipeline.remove(HTTPResponseEncoder.self)
            pipeline.remove(EdgeConnectionHandler.self)
            // Decoders leave on the next loop tick, forwarding what they hold to the tunnel; no read
            // completes after that, so flush what they forwarded.
            pipeline.remove(ByteToMessageHandler<HTTPRequestDecoder>.self)
            let decoderGone = lease.channel.eventLoop.makePromise(of: Void.self)
            upstream.remove(ByteToMessageHandler<HTTPResponseDecoder>.self, promise: decoderGone)
            decoderGone.futureResult.whenComplete { _ in client.flush() }
        } catch {
            environment.logger.debug("could not start a tunnel", metadata: ["error": "\(error)"])
            client.close(promise: nil)
            lease.channel.close(promise: nil)
            return
        }
        // Reads may have been held by the HTTP handlers that just left.
        client.read()
        lease.channel.read()
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Removes the handler of this type, if the pipeline has one.
    fileprivate func remove<Handler: RemovableChannelHandler>(_ type: Handler.Type, promise: EventLoopPromise<Void>? = nil) {
        guard let context = try? context(handlerType: type) else {
            promise?.succeed()
            return
        }
        removeHandler(context: context, promise: promise)
    }
}
