#if os(Linux)
import CEdgeEpoll
import Glibc
import NIOCore
import NIOHTTP1
import RailyardCore
import Synchronization

/// One thread of the epoll engine: its own epoll descriptor watching the shared listener, its
/// own client connections and its own pools of connections to apps. Nothing in it is shared with
/// another thread except `command` and `inbox` (and the wake-up descriptor that announces them):
/// no locks on the request path.
///
/// Level-triggered: one read per readiness event, `EPOLLOUT` watched only while output waits, idle
/// pooled connections left registered so an app's close is seen. A client's requests are taken
/// one at a time: the next is read once the last response is written.
final class EpollWorker: @unchecked Sendable {
    struct Settings: Sendable {
        var headTimeout: UInt64
        var idleTimeout: UInt64
        var connectTimeout: UInt64
        var upstreamIdleTimeout: UInt64
        var maxIdlePerUpstream: Int

        /// How often deadlines are checked: an eighth of the shortest timeout, within 5–250 ms.
        var sweepInterval: UInt64 {
            let shortest = min(headTimeout, idleTimeout, connectTimeout, upstreamIdleTimeout)
            return max(5_000_000, min(250_000_000, shortest / 8))
        }
    }

    /// What another thread asks of the worker: bits, so a later quiesce cannot undo a stop.
    enum Command: Int {
        /// Stop accepting; finish the requests in flight, then close.
        case quiesce = 1
        /// Close everything now.
        case stop = 2
    }

    /// Client bytes buffered while a request is in flight before reads stop.
    static let maxBuffered = 64 * 1024
    /// Unwritten client bytes above which reads from the app wait.
    static let maxUnwritten = 1 << 20

    let environment: EdgeEnvironment
    let settings: Settings
    let epoll: Int32
    /// The engine's listening socket, shared by every worker (`EPOLLEXCLUSIVE`: a new connection
    /// wakes one of them); the engine closes it.
    let listener: Int32
    /// The listener is in this worker's epoll set.
    private var listening = false
    let wakeup: Int32
    let command = Atomic<Int>(0)
    /// Connections another worker accepted and dealt to this one; closed (nothing more taken) once
    /// this worker quiesces or stops.
    let inbox = Mutex(Inbox())

    struct Inbox {
        var open = true
        var connections: [(fd: Int32, peer: sockaddr_storage)] = []
    }
    /// Every worker of the engine, this one included, in dealing order (set before the threads
    /// start; weak: the engine owns them).
    var peers: [WeakWorker] = []
    /// The engine's dealing counter.
    var dealer: DealerBox?
    /// Gives a connection to NIO with the bytes read from it so far.
    private let handOff: @Sendable (Int32, ByteBuffer) -> Void
    let allocator = ByteBufferAllocator()

    var clients: [EpollClient] = []
    var freeClients: [Int] = []
    var upstreams: [EpollUpstream] = []
    var freeUpstreams: [Int] = []
    var targets: [Upstream: EpollUpstreamTarget] = [:]
    var openClients = 0
    /// Access records of this round of events, handed over in one call at its end.
    var records: [AccessRecord] = []
    var requestIDs = RequestID.Generator()
    var quiescing = false
    /// Monotonic nanoseconds, read once per `epoll_wait`.
    var now: UInt64 = 0
    private var nextSweep: UInt64 = 0
    /// Accepting waits until then (0: it does not).
    private var acceptPausedUntil: UInt64 = 0

    init(
        listener: Int32, environment: EdgeEnvironment, settings: Settings, handOff: @escaping @Sendable (Int32, ByteBuffer) -> Void
    ) throws(SystemCallError) {
        let epoll = cedge_epoll_create()
        guard epoll >= 0 else { throw SystemCallError("epoll_create1") }
        let wakeup = cedge_eventfd()
        guard wakeup >= 0 else {
            let error = SystemCallError("eventfd")
            Glibc.close(epoll)
            throw error
        }
        self.epoll = epoll
        self.wakeup = wakeup
        self.listener = listener
        self.environment = environment
        self.settings = settings
        self.handOff = handOff
        startListening()
        cedge_epoll_add(epoll, wakeup, cedge_EPOLLIN, EpollToken.make(.wakeup, slot: 0, generation: 0))
    }

    /// Asks the worker (from any thread) to quiesce or stop.
    func send(_ request: Command) {
        command.bitwiseOr(request.rawValue, ordering: .releasing)
        var one: UInt64 = 1
        _ = Glibc.write(wakeup, &one, 8)
    }

    deinit {
        // Here, not when the loop ends: `send` may still be called then, and a closed descriptor's
        // number may already belong to someone else.
        Glibc.close(wakeup)
        Glibc.close(epoll)
        for (fd, _) in takeInbox(closing: true) { Glibc.close(fd) }
    }

    // MARK: the loop

    /// Serves until told to stop, or quiesced with no connection left.
    func run() {
        let capacity: Int32 = 256
        let events = cedge_events_allocate(capacity)!
        defer { free(events) }
        now = NIODeadline.now().uptimeNanoseconds
        nextSweep = now &+ settings.sweepInterval
        while true {
            let wait = nextSweep > now ? Int32(min((nextSweep - now) / 1_000_000 + 1, 1000)) : 0
            let count = cedge_epoll_wait(epoll, events, capacity, wait)
            now = NIODeadline.now().uptimeNanoseconds
            if count < 0 && errno != EINTR {
                environment.logger.error("the edge's epoll loop failed", metadata: ["error": "\(SystemCallError("epoll_wait"))"])
                break
            }
            var index: Int32 = 0
            while index < count {
                dispatch(cedge_event_data(events, index), flags: cedge_event_flags(events, index))
                index += 1
            }
            // One hand-over per round of events. (Gathering up to 64 across rounds, with a 1 ms
            // cap on the wait, measured 2 µs more CPU per request at 64 connections.)
            flushRecords()
            if now >= nextSweep {
                sweep()
                nextSweep = now &+ settings.sweepInterval
            }
            let requested = command.load(ordering: .acquiring)
            if requested & Command.stop.rawValue != 0 { break }
            if requested & Command.quiesce.rawValue != 0, !quiescing { quiesce() }
            if quiescing && openClients == 0 { break }
        }
        shutDown()
    }

    private func dispatch(_ token: UInt64, flags: UInt32) {
        let slot = Int(token & EpollToken.slotMask)
        let generation = UInt32(truncatingIfNeeded: token >> 32)
        switch EpollToken.Kind(rawValue: (token >> 30) & 3)! {
        case .client:
            let client = clients[slot]
            guard client.generation == generation, client.isOpen else { return }
            clientEvent(client, flags: flags)
        case .upstream:
            let upstream = upstreams[slot]
            guard upstream.generation == generation, upstream.isOpen else { return }
            upstreamEvent(upstream, flags: flags)
        case .listener:
            acceptClients()
        case .wakeup:
            var value: UInt64 = 0
            _ = Glibc.read(wakeup, &value, 8)
            for (fd, peer) in takeInbox(closing: false) { adopt(fd, peer: peer) }
        }
    }

    private func quiesce() {
        quiescing = true
        closeListener()
        for (fd, _) in takeInbox(closing: true) { Glibc.close(fd) }
        for client in clients where client.isOpen {
            if let exchange = client.exchange {
                // The response says `Connection: close` if its head has not gone out; the
                // connection closes after it either way.
                exchange.record.summary.keepAlive = false
            } else if client.output.readableBytes == 0 {
                closeClient(client)
            } else {
                client.closing = true
                updateInterest(client)
            }
        }
    }

    private func startListening() {
        guard !listening, !quiescing else { return }
        // One accept per wake-up, and only one sleeping worker woken per connection: connections
        // go to whichever worker is free, as nginx's do (a hash over listeners, SO_REUSEPORT, left
        // one core with more of wrk's 64 connections than the other).
        listening = cedge_epoll_add(epoll, listener, cedge_EPOLLIN | cedge_EPOLLEXCLUSIVE, EpollToken.make(.listener, slot: 0, generation: 0)) == 0
    }

    private func closeListener() {
        guard listening else { return }
        cedge_epoll_del(epoll, listener)
        listening = false
    }

    /// Closes the worker's connections (its thread has ended or never started); the epoll and
    /// wake-up descriptors close with the worker, the listener with the engine.
    func shutDown() {
        closeListener()
        for client in clients where client.isOpen { closeClient(client) }
        for upstream in upstreams where upstream.isOpen { closeUpstream(upstream) }
        for (fd, _) in takeInbox(closing: true) { Glibc.close(fd) }
        flushRecords()
    }

    /// Hands the gathered access records over in one call.
    private func flushRecords() {
        guard !records.isEmpty, let accessLogBatch = environment.accessLogBatch else { return }
        accessLogBatch(records)
        records.removeAll(keepingCapacity: true)
    }

    /// Enforces the deadlines: request heads, idle clients, connects, idle app connections.
    private func sweep() {
        for client in clients where client.isOpen {
            if let exchange = client.exchange {
                if case .connecting = exchange.stage, now >= exchange.connectDeadline {
                    exchange.record.note = "connecting to \(exchange.target.upstream) timed out"
                    fail(client, exchange, page: .gatewayTimeout(exchange.record.host))
                    flushAndContinue(client)
                }
                continue
            }
            if client.closing || client.output.readableBytes > 0 {
                // A response still going out: no head is owed until it is written; a client that
                // takes nothing for the idle timeout is closed.
                if now >= client.lastActivity &+ settings.idleTimeout { closeClient(client) }
                continue
            }
            if client.firstRequest || client.sawBytes, now >= client.headDeadline {
                guard client.sawBytes else {
                    closeClient(client)
                    continue
                }
                client.output.writeString(EdgePage.requestTimeout.closingResponse)
                client.closing = true
                client.lastActivity = now
                flushAndContinue(client)
            } else if now >= client.lastActivity &+ settings.idleTimeout {
                closeClient(client)
            }
        }
        if acceptPausedUntil != 0, now >= acceptPausedUntil { resumeAccepting() }
        for target in targets.values where !target.idle.isEmpty {
            while let oldest = target.idle.first, now &- oldest.idleSince >= settings.upstreamIdleTimeout {
                closeUpstream(oldest)
            }
        }
    }

    // MARK: clients

    private func acceptClients() {
        var peer = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cedge_accept(listener, $0, &length) }
        }
        guard fd >= 0 else {
            if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM { pauseAccepting() }
            return
        }
        SystemSocket.setNoDelay(fd)
        // Connections are dealt round the workers in turn, whichever accepted them: an even share
        // each (a free worker takes most of a burst of new connections otherwise; wrk's 64 once
        // split 63/37).
        let turn = UInt(bitPattern: dealer?.value.wrappingAdd(1, ordering: .relaxed).oldValue ?? 0)
        let worker = peers.isEmpty ? self : peers[Int(turn % UInt(peers.count))].value ?? self
        let dealt = worker !== self && worker.inbox.withLock { inbox in
            guard inbox.open else { return false }
            inbox.connections.append((fd, peer))
            return true
        }
        if dealt {
            var one: UInt64 = 1
            _ = Glibc.write(worker.wakeup, &one, 8)
        } else {
            // This worker's own turn, or the other one stopped taking connections.
            adopt(fd, peer: peer)
        }
    }

    /// The connections dealt to this worker so far; with `closing`, none are taken afterwards.
    private func takeInbox(closing: Bool) -> [(fd: Int32, peer: sockaddr_storage)] {
        inbox.withLock { inbox in
            if closing { inbox.open = false }
            var taken: [(fd: Int32, peer: sockaddr_storage)] = []
            swap(&taken, &inbox.connections)
            return taken
        }
    }

    /// Serves a connection accepted here or dealt to this worker by another.
    private func adopt(_ fd: Int32, peer: sockaddr_storage) {
        guard !quiescing else {
            Glibc.close(fd)
            return
        }
        let client: EpollClient
        if let slot = freeClients.popLast() {
            client = clients[slot]
        } else {
            client = EpollClient(slot: clients.count, allocator: allocator)
            clients.append(client)
        }
        client.reset(fd: fd, peer: peer, now: now, headTimeout: settings.headTimeout)
        openClients += 1
        client.interest = cedge_EPOLLIN
        cedge_epoll_add(epoll, fd, client.interest, client.token)
    }

    /// Out of descriptors or memory: the listener stays readable, so accepting waits a second
    /// instead of spinning (as NIO's accept back-off does).
    private func pauseAccepting() {
        guard acceptPausedUntil == 0 else { return }
        environment.logger.warning("the edge cannot accept connections for now", metadata: ["error": "\(SystemCallError("accept4"))"])
        acceptPausedUntil = now &+ 1_000_000_000
        closeListener()
    }

    private func resumeAccepting() {
        acceptPausedUntil = 0
        startListening()
    }

    private func clientEvent(_ client: EpollClient, flags: UInt32) {
        if flags & cedge_EPOLLOUT != 0 {
            flushAndContinue(client)
            guard client.isOpen else { return }
        }
        if flags & (cedge_EPOLLIN | cedge_EPOLLERR | cedge_EPOLLHUP) != 0 {
            guard wantsRead(client) else {
                // Reads wait (a full buffer, a closing connection) but the client is gone.
                if flags & (cedge_EPOLLERR | cedge_EPOLLHUP) != 0 { closeClient(client) }
                return
            }
            var result = 0
            // What was taken already goes, so the storage holds what still waits.
            if client.input.readerIndex >= Self.maxBuffered { client.input.discardReadBytes() }
            client.input.writeWithUnsafeMutableBytes(minimumWritableBytes: 4096) { buffer in
                result = cedge_recv(client.fd, buffer.baseAddress, buffer.count)
                return max(result, 0)
            }
            if result == 0 || (result < 0 && errno != EAGAIN && errno != EINTR) {
                return closeClient(client)
            }
            if result > 0 {
                received(result, on: client)
                process(client)
                guard client.isOpen else { return }
            }
        }
        updateInterest(client)
    }

    /// Between requests a head may take up to its limit and one byte (the scan then refuses it);
    /// during a response, pipelined bytes up to `maxBuffered`.
    private func wantsRead(_ client: EpollClient) -> Bool {
        let limit = client.exchange == nil ? RequestHeadScan.maxHeadLength + 1 : Self.maxBuffered
        return !client.closing && client.input.readableBytes < limit
    }

    /// Moves the clocks for `count` new bytes at the end of the client's input.
    private func received(_ count: Int, on client: EpollClient) {
        client.lastActivity = now
        if client.exchange == nil, !client.sawBytes {
            client.sawBytes = true
            if !client.firstRequest { client.headDeadline = now &+ settings.headTimeout }
        }
        if client.awaitingLineEnd {
            let input = client.input
            let newline = input.withUnsafeReadableBytes { raw in
                UnsafeRawBufferPointer(rebasing: raw[(raw.count - count)...]).contains(UInt8(ascii: "\n"))
            }
            if newline || input.readableBytes > RequestHeadScan.maxHeadLength { client.awaitingLineEnd = false }
        }
        if client.exchange != nil, !client.sawBytes { client.sawBytes = true }
    }

    /// Takes the next request from the client's input, when the last response is written.
    func process(_ client: EpollClient) {
        while client.isOpen, client.exchange == nil, !client.closing, client.output.readableBytes == 0,
            client.input.readableBytes > 0, !client.awaitingLineEnd
        {
            if quiescing { return closeClient(client) }
            let scan = client.input.withUnsafeReadableBytes { RequestHeadScan.scan($0) }
            switch scan {
            case .incomplete:
                client.awaitingLineEnd = true
            case .passthrough, .slow:
                giveToNIO(client)
            case .fast(let head):
                if !start(head, on: client) { giveToNIO(client) }
            }
        }
        if client.isOpen, client.input.readableBytes == 0, client.input.readerIndex > 0 { client.input.clear() }
    }

    /// Hands the connection over to NIO's path with everything it sent that is not answered yet:
    /// requests the engine does not take (bodies, upgrades, pages, static releases, sleeping
    /// services, anything odd) are served there, and the connection stays there.
    private func giveToNIO(_ client: EpollClient) {
        let fd = client.fd
        cedge_epoll_del(epoll, fd)
        let bytes = client.input
        release(client)
        handOff(fd, bytes)
    }

    func closeClient(_ client: EpollClient) {
        guard client.isOpen else { return }
        if let exchange = client.exchange {
            client.exchange = nil
            if let upstream = exchange.upstream {
                exchange.upstream = nil
                closeUpstream(upstream)
            }
            if exchange.record.note == nil { exchange.record.note = "the client closed the connection before the response ended" }
            environment.log(exchange.record, into: &records)
        }
        Glibc.close(client.fd)
        release(client)
    }

    private func release(_ client: EpollClient) {
        client.retire()
        freeClients.append(client.slot)
        openClients -= 1
    }

    /// Writes what waits for the client; once all is out, closes a closing connection or takes the
    /// next request, and lets a paused app connection read again.
    func flushAndContinue(_ client: EpollClient) {
        let hadOutput = client.output.readableBytes > 0
        guard write(&client.output, to: client.fd) else {
            if let exchange = client.exchange, exchange.record.note == nil {
                exchange.record.note = "the client connection broke before the response ended"
            }
            return closeClient(client)
        }
        if let upstream = client.exchange?.upstream, upstream.readsPaused, client.output.readableBytes < Self.maxUnwritten / 2 {
            upstream.readsPaused = false
            updateInterest(upstream)
        }
        guard client.output.readableBytes == 0 else { return updateInterest(client) }
        if client.closing && client.exchange == nil { return closeClient(client) }
        // The response is out: a next request's head is owed from now.
        if hadOutput, client.exchange == nil, client.sawBytes { client.headDeadline = now &+ settings.headTimeout }
        process(client)
        if client.isOpen { updateInterest(client) }
    }

    /// Sends `buffer`'s readable bytes; false when the connection is broken. What the socket does
    /// not take stays in `buffer`.
    func write(_ buffer: inout ByteBuffer, to fd: Int32) -> Bool {
        while buffer.readableBytes > 0 {
            let sent = buffer.withUnsafeReadableBytes { cedge_send(fd, $0.baseAddress, $0.count) }
            if sent > 0 {
                buffer.moveReaderIndex(forwardBy: sent)
            } else if errno == EAGAIN {
                // What went out goes, so a long response to a slow reader does not grow the buffer
                // by every byte it ever held.
                if buffer.readerIndex >= 64 * 1024 { buffer.discardReadBytes() }
                return true
            } else if errno != EINTR {
                return false
            }
        }
        buffer.clear()
        return true
    }

    func updateInterest(_ client: EpollClient) {
        var wanted: UInt32 = wantsRead(client) ? cedge_EPOLLIN : 0
        if client.output.readableBytes > 0 { wanted |= cedge_EPOLLOUT }
        guard wanted != client.interest else { return }
        client.interest = wanted
        cedge_epoll_mod(epoll, client.fd, wanted, client.token)
    }

    // MARK: a request of the engine's own

    /// Proxies a simple request when its host routes to a replica at an IP address; false leaves
    /// the connection to NIO.
    private func start(_ head: FastRequestHead, on client: EpollClient) -> Bool {
        let resolved = client.input.withUnsafeReadableBytes { raw in
            environment.routes.resolve(rawHost: UnsafeRawBufferPointer(rebasing: raw[head.host]), cache: &client.route)
        }
        guard let (host, resolution) = resolved, case .proxy(let upstream) = resolution else { return false }
        if environment.httpsRedirect?.certificates.hasCertificate(for: host) == true { return false }
        guard let target = target(for: upstream) else { return false }

        client.firstRequest = false
        // Bytes of a next request behind this head (pipelined) owe their head from the end of
        // this response.
        client.sawBytes = client.input.readableBytes > head.headLength
        let address = client.address
        var request = client.requestScratch.take() ?? allocator.buffer(capacity: 1024)
        request.clear(minimumCapacity: head.headLength + 128 + (address?.utf8.count ?? 0))
        let rewritten = client.input.withUnsafeReadableBytes { raw in
            head.writeUpstreamRequest(
                from: raw, clientAddress: address, secure: false, newID: { requestIDs.next() }, into: &request
            )
        }
        client.input.moveReaderIndex(forwardBy: head.headLength)
        client.requests += 1
        var record = EdgeConnectionHandler.ActiveRequest(
            id: client.requests,
            summary: ProxyHeaders.RequestSummary(
                method: head.isHEAD ? .HEAD : .GET, version: .http1_1, keepAlive: !head.close, requestID: rewritten.requestID
            ),
            host: host,
            path: rewritten.path[...],
            start: .now()
        )
        record.known = true
        record.upstream = upstream
        let exchange = EpollExchange(request: request, isHEAD: head.isHEAD, record: record, target: target)
        client.exchange = exchange
        connect(client, exchange, fresh: false)
        return true
    }

    /// The worker's view of `upstream`, made on first use; nil when it is not an IP address.
    private func target(for upstream: Upstream) -> EpollUpstreamTarget? {
        if let known = targets[upstream] { return known }
        guard let (address, length) = SystemSocket.address(host: upstream.host, port: upstream.port) else { return nil }
        let target = EpollUpstreamTarget(upstream: upstream, address: address, length: length)
        targets[upstream] = target
        return target
    }

    /// Answers with one of the edge's pages, when no response head has gone out yet.
    func fail(_ client: EpollClient, _ exchange: EpollExchange, page: EdgePage) {
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            closeUpstream(upstream)
        }
        if exchange.record.note == nil { exchange.record.note = "the app closed the connection before answering" }
        let response = page.wholeResponse(
            requestID: exchange.record.summary.requestID, close: !exchange.record.summary.keepAlive || quiescing, body: !exchange.isHEAD
        )
        exchange.record.status = page.status
        exchange.record.bytesSent += exchange.isHEAD ? 0 : page.html.utf8.count
        client.output.writeString(response)
        finish(client, exchange, reuseUpstream: false)
    }

    /// The response ended: the app's connection goes back to the pool (or closes), the client's
    /// stays for the next request (or closes once the response is written). The caller writes.
    func finish(_ client: EpollClient, _ exchange: EpollExchange, reuseUpstream: Bool) {
        client.exchange = nil
        client.requestScratch = exchange.request
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            if reuseUpstream { pool(upstream) } else { closeUpstream(upstream) }
        }
        environment.log(exchange.record, into: &records)
        client.lastActivity = now
        // Bytes that arrived while the response was going out: their head clock starts now.
        if client.sawBytes { client.headDeadline = now &+ settings.headTimeout }
        if !exchange.record.summary.keepAlive || quiescing { client.closing = true }
    }

    /// Cuts the client connection in the middle of a response.
    func abort(_ client: EpollClient, _ exchange: EpollExchange, note: String) {
        client.exchange = nil
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            closeUpstream(upstream)
        }
        exchange.record.note = note
        environment.log(exchange.record, into: &records)
        client.closing = true
    }
}
/// A worker as its peers know it.
struct WeakWorker {
    weak var value: EpollWorker?
}

/// The engine's round-robin counter, shared by its workers.
final class DealerBox: Sendable {
    let value = Atomic<Int>(0)
}
#endif
