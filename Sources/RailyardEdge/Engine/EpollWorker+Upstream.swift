#if os(Linux)
import CEdgeEpoll
import Glibc
import NIOCore
import NIOHTTP1

/// The app's side of the engine: connections to replicas, the request going out, the response
/// coming back with only its head rebuilt (`ResponseHeadScan`) and its body passed through.
extension EpollWorker {
    /// Sends the exchange's request on an idle pooled connection to its replica, or a new one.
    func connect(_ client: EpollClient, _ exchange: EpollExchange, fresh: Bool) {
        let target = exchange.target
        exchange.heard = false
        if !fresh, let upstream = target.idle.popLast() {
            upstream.reused = true
            return send(exchange, on: upstream, for: client)
        }
        let fd = Glibc.socket(Int32(target.address.ss_family), SystemSocket.streamFlags, 0)
        guard fd >= 0 else {
            exchange.record.note = "\(SystemCallError("socket"))"
            return fail(client, exchange, page: .badGateway(exchange.record.host))
        }
        SystemSocket.setNoDelay(fd)
        var address = target.address
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, target.length) }
        }
        if rc != 0 && errno != EINPROGRESS {
            exchange.record.note = "connecting to \(target.upstream): \(SystemCallError("connect"))"
            Glibc.close(fd)
            return fail(client, exchange, page: .badGateway(exchange.record.host))
        }
        let upstream: EpollUpstream
        if let slot = freeUpstreams.popLast() {
            upstream = upstreams[slot]
        } else {
            upstream = EpollUpstream(slot: upstreams.count, allocator: allocator)
            upstreams.append(upstream)
        }
        upstream.reset(fd: fd, target: target, connected: rc == 0)
        upstream.interest = cedge_EPOLLIN | cedge_EPOLLOUT
        cedge_epoll_add(epoll, fd, upstream.interest, upstream.token)
        exchange.connectDeadline = now &+ settings.connectTimeout
        send(exchange, on: upstream, for: client)
    }

    private func send(_ exchange: EpollExchange, on upstream: EpollUpstream, for client: EpollClient) {
        upstream.client = client
        exchange.upstream = upstream
        var request = exchange.request
        upstream.output.writeBuffer(&request)
        guard upstream.connected else {
            exchange.stage = .connecting
            return
        }
        exchange.stage = .head
        guard write(&upstream.output, to: upstream.fd) else { return upstreamClosed(upstream, client, exchange) }
        updateInterest(upstream)
    }

    func upstreamEvent(_ upstream: EpollUpstream, flags: UInt32) {
        guard let client = upstream.client, let exchange = client.exchange, exchange.upstream === upstream else {
            // Idle in the pool: readable means the app closed it (or sent what nobody asked for).
            return closeUpstream(upstream)
        }
        if !upstream.connected {
            let error = SystemSocket.pendingError(upstream.fd)
            if error != 0 {
                exchange.record.note = "connecting to \(exchange.target.upstream): \(SystemCallError("connect", code: error))"
                fail(client, exchange, page: .badGateway(exchange.record.host))
                return flushAndContinue(client)
            }
            upstream.connected = true
            exchange.stage = .head
        }
        if upstream.output.readableBytes > 0 {
            guard write(&upstream.output, to: upstream.fd) else { return upstreamClosed(upstream, client, exchange) }
        }
        if flags & (cedge_EPOLLIN | cedge_EPOLLERR | cedge_EPOLLHUP) != 0 {
            if upstream.readsPaused {
                // Reads wait for the client, but the app's connection broke.
                if flags & (cedge_EPOLLERR | cedge_EPOLLHUP) != 0 { upstreamClosed(upstream, client, exchange) }
                return
            }
            var result = 0
            upstream.input.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { buffer in
                result = cedge_recv(upstream.fd, buffer.baseAddress, buffer.count)
                return max(result, 0)
            }
            if result == 0 || (result < 0 && errno != EAGAIN && errno != EINTR) {
                return upstreamClosed(upstream, client, exchange)
            }
            if result > 0 {
                exchange.heard = true
                responseBytes(upstream, client, exchange)
                if upstream.input.readableBytes == 0 { upstream.input.clear() }
                if client.isOpen {
                    if client.output.readableBytes > Self.maxUnwritten, client.exchange === exchange { upstream.readsPaused = true }
                    flushAndContinue(client)
                }
            }
        }
        if upstream.isOpen, upstream.client === client { updateInterest(upstream) }
    }

    func updateInterest(_ upstream: EpollUpstream) {
        var wanted: UInt32 = upstream.readsPaused ? 0 : cedge_EPOLLIN
        if !upstream.connected || upstream.output.readableBytes > 0 { wanted |= cedge_EPOLLOUT }
        guard wanted != upstream.interest else { return }
        upstream.interest = wanted
        cedge_epoll_mod(epoll, upstream.fd, wanted, upstream.token)
    }

    /// Reads the response at the front of the app connection's input: its head (after any 1xx
    /// heads), then body bytes.
    private func responseBytes(_ upstream: EpollUpstream, _ client: EpollClient, _ exchange: EpollExchange) {
        switch exchange.stage {
        case .connecting:
            return
        case .body:
            return forwardBody(upstream, client, exchange)
        case .head:
            break
        }
        while true {
            let outcome = upstream.input.withUnsafeReadableBytes { ResponseHeadScan.scan($0, requestWasHEAD: exchange.isHEAD) }
            switch outcome {
            case .incomplete:
                return
            case .malformed(let reason):
                exchange.record.note = "the app's response could not be read: \(reason)"
                return fail(client, exchange, page: .badGateway(exchange.record.host))
            case .head(let head):
                if head.status == 101 {
                    exchange.record.note = "the app switched protocols on a request that did not ask to"
                    return fail(client, exchange, page: .badGateway(exchange.record.host))
                }
                let informational = (100..<200).contains(head.status)
                let keepAlive = informational || (exchange.record.summary.keepAlive && !head.closesClient && !quiescing)
                if !informational { exchange.record.summary.keepAlive = keepAlive }
                upstream.input.withUnsafeReadableBytes { raw in
                    head.writeClientHead(from: raw, requestID: exchange.record.summary.requestID, keepAlive: keepAlive, into: &client.output)
                }
                upstream.input.moveReaderIndex(forwardBy: head.headLength)
                if informational {
                    if upstream.input.readableBytes == 0 { return }
                    continue
                }
                exchange.record.status = HTTPResponseStatus(statusCode: head.status)
                exchange.upstreamReusable = head.upstreamReusable
                switch head.framing {
                case .none:
                    return finish(client, exchange, reuseUpstream: head.upstreamReusable && upstream.input.readableBytes == 0)
                case .length(let length):
                    exchange.stage = .body(.length(length))
                    if length == 0 {
                        return finish(client, exchange, reuseUpstream: head.upstreamReusable && upstream.input.readableBytes == 0)
                    }
                case .chunked:
                    exchange.stage = .body(.chunked(ChunkedBodyEnd()))
                case .untilClose:
                    exchange.stage = .body(.untilClose)
                }
                if upstream.input.readableBytes > 0 { forwardBody(upstream, client, exchange) }
                return
            }
        }
    }

    private func forwardBody(_ upstream: EpollUpstream, _ client: EpollClient, _ exchange: EpollExchange) {
        guard case .body(let body) = exchange.stage else { return }
        switch body {
        case .length(let left):
            let take = min(left, upstream.input.readableBytes)
            emit(upstream, take, to: client, exchange)
            if take == left {
                finish(client, exchange, reuseUpstream: exchange.upstreamReusable && upstream.input.readableBytes == 0)
            } else {
                exchange.stage = .body(.length(left - take))
            }
        case .chunked(var chunks):
            let step = upstream.input.withUnsafeReadableBytes { chunks.consume($0) }
            switch step {
            case .needMore:
                exchange.stage = .body(.chunked(chunks))
                emit(upstream, upstream.input.readableBytes, to: client, exchange)
            case .ended(let consumed):
                emit(upstream, consumed, to: client, exchange)
                finish(client, exchange, reuseUpstream: exchange.upstreamReusable && upstream.input.readableBytes == 0)
            case .invalid:
                abort(client, exchange, note: "the app's chunked body is malformed")
            }
        case .untilClose:
            emit(upstream, upstream.input.readableBytes, to: client, exchange)
        }
    }

    /// Moves `count` body bytes from the app connection's input to the client's output.
    private func emit(_ upstream: EpollUpstream, _ count: Int, to client: EpollClient, _ exchange: EpollExchange) {
        var part = upstream.input.readSlice(length: count)!
        exchange.record.bytesSent += count
        client.output.writeBuffer(&part)
    }

    /// The app's connection closed or broke while a request was on it.
    private func upstreamClosed(_ upstream: EpollUpstream, _ client: EpollClient, _ exchange: EpollExchange) {
        exchange.upstream = nil
        let reused = upstream.reused
        closeUpstream(upstream)
        switch exchange.stage {
        case .connecting, .head:
            if reused, !exchange.heard, !exchange.retried {
                // A keep-alive connection the app had closed just as the request went out: the
                // request (GET or HEAD, no body) is safe to send again.
                exchange.retried = true
                connect(client, exchange, fresh: true)
            } else {
                fail(client, exchange, page: .badGateway(exchange.record.host))
            }
        case .body(.untilClose):
            exchange.record.summary.keepAlive = false
            finish(client, exchange, reuseUpstream: false)
        case .body:
            abort(client, exchange, note: "the app closed the connection in the middle of its response")
        }
        flushAndContinue(client)
    }

    /// Keeps an app connection for the next request to its replica (or closes it past the limit).
    func pool(_ upstream: EpollUpstream) {
        // A request not yet all sent (the app answered early) would go out before the next one.
        guard let target = upstream.target, target.idle.count < settings.maxIdlePerUpstream, !quiescing,
            upstream.output.readableBytes == 0
        else {
            return closeUpstream(upstream)
        }
        upstream.client = nil
        upstream.input.clear()
        upstream.readsPaused = false
        upstream.idleSince = now
        target.idle.append(upstream)
        updateInterest(upstream)
    }

    func closeUpstream(_ upstream: EpollUpstream) {
        if upstream.client == nil, let target = upstream.target, let index = target.idle.firstIndex(where: { $0 === upstream }) {
            target.idle.remove(at: index)
        }
        Glibc.close(upstream.fd)
        upstream.retire()
        freeUpstreams.append(upstream.slot)
    }
}
#endif
