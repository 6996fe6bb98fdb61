import NIOCore

/// Requests for a sleeping service (`sleepApplication`): the request is held like one waiting for
/// a connection (client reads paused, body parts kept), the server is asked to wake the service,
/// and once the host has replicas again the request goes to one of them. A service that does not
/// wake within the wake timeout gets the client a 503.
extension EdgeConnectionHandler {
    func waitForWake(_ request: ActiveRequest, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let timeout = loop.scheduleTask(in: environment.wakeTimeout) {
            handler.value.wakeEnded(requestId: request.id, timedOut: true)
        }
        environment.routes.whenAwake(request.host) {
            loop.execute {
                timeout.cancel()
                handler.value.wakeEnded(requestId: request.id, timedOut: false)
            }
        }
    }

    private func wakeEnded(requestId: Int, timedOut: Bool) {
        guard let context, active?.id == requestId, active?.upstream == nil, let exchange, !isClosed else { return }
        if !timedOut {
            switch environment.routes.resolve(normalizedHost: active!.host) {
            case .proxy(let upstream):
                active?.upstream = upstream
                return connect(fresh: exchange.isUpgrade)
            case .sleeping:
                // Asleep again before this request got through: wait for the next wake.
                environment.wake?(active!.host)
                return waitForWake(active!, context: context)
            case .unavailable, .directory, .unknownHost:
                break
            }
        }
        active?.note = timedOut ? "the service did not wake within \(environment.wakeTimeout)" : "the service woke without a replica"
        perform(self.exchange!.upstreamConnectFailed(.notAwake))
    }
}
