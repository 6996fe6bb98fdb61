#if os(Linux)
import Glibc
import NIOCore

/// What epoll tells the engine about each descriptor: `generation << 32 | kind << 30 | slot`. A
/// slot is reused for later connections with a new generation, so an event fetched for a
/// connection that closed earlier in the same batch is recognised and dropped.
enum EpollToken {
    enum Kind: UInt64 {
        case client = 0
        case upstream = 1
        case listener = 2
        case wakeup = 3
    }

    static let slotMask: UInt64 = (1 << 30) - 1

    static func make(_ kind: Kind, slot: Int, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | kind.rawValue << 30 | UInt64(slot)
    }
}

/// A client connection held by an epoll worker. Slots are reused: `reset` makes one new.
final class EpollClient {
    let slot: Int
    var generation: UInt32 = 1
    /// -1 once closed or handed to NIO.
    var fd: Int32 = -1
    /// The events epoll watches for now.
    var interest: UInt32 = 0
    var input: ByteBuffer
    /// Bytes for the client that the socket did not take yet.
    var output: ByteBuffer
    var peer = sockaddr_storage()
    private var formattedPeer: String??
    var route: RouteTable.CachedRoute?
    /// The request in flight.
    var exchange: EpollExchange?
    /// The buffer of the last request to an app, reused for the next.
    var requestScratch: ByteBuffer?
    var requests = 0
    /// Close once `output` is written; read nothing more.
    var closing = false
    /// The last scan found no end of head, and no line has ended since.
    var awaitingLineEnd = false

    // The two clocks, as `ClientTimeoutHandler` keeps them on NIO's path.
    /// No head has arrived on this connection yet.
    var firstRequest = true
    /// Bytes of a next request arrived since the last head.
    var sawBytes = false
    /// When the head owed now must be complete (monotonic nanoseconds).
    var headDeadline: UInt64 = 0
    /// The last bytes read, or the end of the last response.
    var lastActivity: UInt64 = 0

    init(slot: Int, allocator: ByteBufferAllocator) {
        self.slot = slot
        input = allocator.buffer(capacity: 0)
        output = allocator.buffer(capacity: 0)
    }

    var token: UInt64 { EpollToken.make(.client, slot: slot, generation: generation) }
    var isOpen: Bool { fd >= 0 }

    /// The client's IP address as text (for `X-Forwarded-For`), made once per connection.
    var address: String? {
        if let formattedPeer { return formattedPeer }
        let address = SystemSocket.ipAddress(peer)
        formattedPeer = .some(address)
        return address
    }

    func reset(fd: Int32, peer: sockaddr_storage, now: UInt64, headTimeout: UInt64) {
        self.fd = fd
        self.peer = peer
        formattedPeer = nil
        interest = 0
        input.clear()
        output.clear()
        route = nil
        exchange = nil
        requests = 0
        closing = false
        awaitingLineEnd = false
        firstRequest = true
        sawBytes = false
        headDeadline = now &+ headTimeout
        lastActivity = now
    }

    /// Marks the slot free; the next connection in it gets a new generation.
    func retire() {
        fd = -1
        generation &+= 1
        exchange = nil
        // A connection that once buffered a lot does not keep that memory for the next one.
        if input.capacity > 64 * 1024 { input = ByteBufferAllocator().buffer(capacity: 0) }
        if output.capacity > 64 * 1024 { output = ByteBufferAllocator().buffer(capacity: 0) }
    }
}

/// One request on the engine's path, from its head to the end of its response.
final class EpollExchange {
    enum Stage {
        /// The app's connection is being opened.
        case connecting
        /// The request went out; (the rest of) the response head is awaited.
        case head
        case body(Body)
    }

    /// How the body of the response in flight ends.
    enum Body {
        case length(Int)
        case chunked(ChunkedBodyEnd)
        case untilClose
    }

    /// The request as the app gets it, kept for one retry on a fresh connection.
    let request: ByteBuffer
    let isHEAD: Bool
    var record: EdgeConnectionHandler.ActiveRequest
    let target: EpollUpstreamTarget
    var upstream: EpollUpstream?
    var stage = Stage.connecting
    var retried = false
    /// The app sent something on the current connection.
    var heard = false
    var upstreamReusable = false
    var connectDeadline: UInt64 = 0

    init(request: ByteBuffer, isHEAD: Bool, record: EdgeConnectionHandler.ActiveRequest, target: EpollUpstreamTarget) {
        self.request = request
        self.isHEAD = isHEAD
        self.record = record
        self.target = target
    }
}

/// A connection to an app's replica: lent to one client's request at a time, idle in its
/// target's pool otherwise.
final class EpollUpstream {
    let slot: Int
    var generation: UInt32 = 1
    var fd: Int32 = -1
    var interest: UInt32 = 0
    var input: ByteBuffer
    var output: ByteBuffer
    var connected = false
    /// Taken from the idle pool (the app may have closed it meanwhile).
    var reused = false
    var target: EpollUpstreamTarget?
    /// The client whose request it carries; nil while idle.
    var client: EpollClient?
    var idleSince: UInt64 = 0
    /// The client has too much unwritten: reads wait.
    var readsPaused = false

    init(slot: Int, allocator: ByteBufferAllocator) {
        self.slot = slot
        input = allocator.buffer(capacity: 0)
        output = allocator.buffer(capacity: 0)
    }

    var token: UInt64 { EpollToken.make(.upstream, slot: slot, generation: generation) }
    var isOpen: Bool { fd >= 0 }

    func reset(fd: Int32, target: EpollUpstreamTarget, connected: Bool) {
        self.fd = fd
        self.target = target
        self.connected = connected
        interest = 0
        input.clear()
        output.clear()
        reused = false
        client = nil
        readsPaused = false
    }

    func retire() {
        fd = -1
        generation &+= 1
        client = nil
        target = nil
        if input.capacity > 64 * 1024 { input = ByteBufferAllocator().buffer(capacity: 0) }
        if output.capacity > 64 * 1024 { output = ByteBufferAllocator().buffer(capacity: 0) }
    }
}

/// One replica as a worker sees it: its socket address and the idle connections to it.
final class EpollUpstreamTarget {
    let upstream: Upstream
    let address: sockaddr_storage
    let length: socklen_t
    /// Idle connections, the most recently used last.
    var idle: [EpollUpstream] = []

    init(upstream: Upstream, address: sockaddr_storage, length: socklen_t) {
        self.upstream = upstream
        self.address = address
        self.length = length
    }
}
#endif
