// Raw-epoll reverse proxy prototype (no SwiftNIO, no Foundation).
// Usage: proto --port 8080 --upstream 127.0.0.1:8081 [--workers 2] [--log /tmp/proto-access.log]
import CEpoll
import Glibc

// MARK: - Configuration

struct Config {
    var port: UInt16 = 8080
    var upstreamHost = "127.0.0.1"
    var upstreamPort: UInt16 = 8081
    var workers = 2
    var logPath = "/tmp/proto-access.log"
}

func parseArguments() -> Config {
    var config = Config()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let arg = args.next() {
        guard let value = args.next() else { fatal("missing value for \(arg)") }
        switch arg {
        case "--port": config.port = UInt16(value) ?? config.port
        case "--workers": config.workers = Int(value) ?? config.workers
        case "--log": config.logPath = value
        case "--upstream":
            let parts = value.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else { fatal("bad --upstream \(value)") }
            config.upstreamHost = String(parts[0])
            config.upstreamPort = port
        default: fatal("unknown argument \(arg)")
        }
    }
    return config
}

func fatal(_ message: String) -> Never {
    fputs("proto: \(message) (errno \(errno))\n", stderr)
    exit(1)
}

@inline(__always) func monotonicNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

let EV_IN = EPOLLIN.rawValue
let EV_OUT = EPOLLOUT.rawValue
let EV_ERR = EPOLLERR.rawValue
let EV_HUP = EPOLLHUP.rawValue

// MARK: - Byte buffer (manually managed, no ARC, no bounds checks in the hot path)

struct ByteBuffer {
    var base: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var start = 0
    var end = 0

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    var count: Int { end - start }
    var isEmpty: Bool { end == start }

    @inline(__always) mutating func clear() { start = 0; end = 0 }

    mutating func reserve(_ n: Int) {
        if end + n <= capacity { return }
        if start > 0 {
            memmove(base, base + start, end - start)
            end -= start
            start = 0
            if end + n <= capacity { return }
        }
        var newCapacity = capacity * 2
        while newCapacity < end + n { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: end)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always) mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + end).update(from: p, count: n)
        end += n
    }

    @inline(__always) mutating func append(_ s: StaticString) {
        append(s.utf8Start, s.utf8CodeUnitCount)
    }

    @inline(__always) mutating func append(byte: UInt8) {
        reserve(1)
        base[end] = byte
        end += 1
    }

    mutating func append(decimal value: Int) {
        reserve(20)
        var v = value < 0 ? 0 : value
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch on the stack
        withUnsafeMutableBytes(of: &tmp) { scratch in
            var i = 24
            repeat {
                i -= 1
                scratch[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
            } while v > 0
            let n = 24 - i
            (base + end).update(from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, count: n)
            end += n
        }
    }
}

/// Index of the first byte after "\r\n\r\n" in p[0..<n], or -1.
@inline(__always) func headEnd(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    if n < 4 { return -1 }
    var i = 3
    while i < n {
        let b = p[i]
        if b == 10 {
            if p[i - 1] == 13 && p[i - 2] == 10 && p[i - 3] == 13 { return i + 1 }
            i += 1
        } else if b == 13 {
            i += 1
        } else {
            i += 4  // the byte at i is neither CR nor LF, so no terminator ends in i..i+3
        }
    }
    return -1
}

@inline(__always) func hasPrefixIgnoringCase(_ p: UnsafePointer<UInt8>, _ n: Int, _ name: StaticString) -> Bool {
    let count = name.utf8CodeUnitCount
    if n < count { return false }
    let q = name.utf8Start
    for j in 0..<count where p[j] | 0x20 != q[j] { return false }  // ASCII lower-casing; '-' and ':' survive | 0x20
    return true
}

/// Content-Length value and whether "Connection: close" is present, in the response head p[0..<n].
func scanResponseHead(_ p: UnsafePointer<UInt8>, _ n: Int) -> (length: Int, close: Bool) {
    var length = 0
    var close = false
    var line = 0
    while line < n {
        // Next line start: memchr is vectorised, unlike a Swift byte loop.
        guard let nl = memchr(p + line, 10, n - line) else { break }
        let next = p.distance(to: UnsafePointer(nl.assumingMemoryBound(to: UInt8.self))) + 1
        if next < n && p[next] | 0x20 == 99 {  // 'c'
            if hasPrefixIgnoringCase(p + next, n - next, "content-length:") {
                var k = next + 15
                while k < n && p[k] == 32 { k += 1 }
                while k < n && p[k] >= 48 && p[k] <= 57 { length = length * 10 + Int(p[k] - 48); k += 1 }
            } else if hasPrefixIgnoringCase(p + next, n - next, "connection:") {
                var k = next + 11
                while k < n && p[k] == 32 { k += 1 }
                close = hasPrefixIgnoringCase(p + k, n - k, "close")
            }
        }
        line = next
    }
    return (length, close)
}

// MARK: - Connections

enum Kind: UInt8 { case free, client, upstream }

final class Connection {
    let index: UInt32
    var generation: UInt32 = 1
    var kind = Kind.free
    var fd: Int32 = -1
    var registered: UInt32 = 0  // the event mask epoll currently has
    var input = ByteBuffer(capacity: 16 * 1024)  // fixed size; never grows
    var output = ByteBuffer(capacity: 4 * 1024)  // pending writes; grows if the peer is slow
    var peer: UInt32 = UInt32.max  // client <-> upstream link (index), or none
    var peerGeneration: UInt32 = 0

    // Client side.
    var clientIP = ByteBuffer(capacity: 16)
    var requestID = ByteBuffer(capacity: 32)
    var headLength = 0  // length of the request head in flight at input[0...], 0 when none
    var startNs: UInt64 = 0

    // Upstream side.
    var connected = false
    var closeAfterResponse = false
    var reused = false  // taken from the idle pool (may have been closed by the upstream meanwhile)
    var responseHeadDone = false
    var bodyRemaining = 0
    var status = 0
    var responseBytes = 0

    init(index: UInt32) { self.index = index }

    @inline(__always) var token: UInt64 { UInt64(generation) << 32 | UInt64(index) }
}

let listenerToken: UInt64 = 0xFFFF_FFFF

// MARK: - Worker: one thread, one epoll fd, one SO_REUSEPORT listener, its own upstream pool and log buffer

final class Worker {
    let id: Int
    let config: Config
    let epfd: Int32
    var listenFD: Int32 = -1
    var connections: [Connection] = []
    var freeSlots: [UInt32] = []
    var idleUpstreams: [UInt64] = []  // tokens of idle keep-alive upstream connections (stale ones skipped)
    var upstreamAddress = sockaddr_in()
    var log = ByteBuffer(capacity: 512 * 1024)
    var logFD: Int32
    var lastFlushNs: UInt64 = 0
    var rng: (UInt64, UInt64)
    var retries = 0

    init(id: Int, config: Config, logFD: Int32) {
        self.id = id
        self.config = config
        self.logFD = logFD
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epfd < 0 { fatal("epoll_create1") }
        let seed = monotonicNs() ^ UInt64(id + 1) &* 0x9E37_79B9_7F4A_7C15
        rng = (seed | 1, seed &* 0xBF58_476D_1CE4_E5B9 | 1)
        upstreamAddress.sin_family = sa_family_t(AF_INET)
        upstreamAddress.sin_port = config.upstreamPort.bigEndian
        if inet_pton(AF_INET, config.upstreamHost, &upstreamAddress.sin_addr) != 1 { fatal("bad upstream host") }
        openListener()
    }

    func openListener() {
        listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if listenFD < 0 { fatal("socket") }
        var one: Int32 = 1
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = config.port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { fatal("bind") }
        if listen(listenFD, 4096) != 0 { fatal("listen") }
        if cepoll_ctl(epfd, EPOLL_CTL_ADD, listenFD, EV_IN, listenerToken) != 0 { fatal("epoll_ctl listener") }
    }

    // MARK: slots

    func allocate(_ kind: Kind, fd: Int32) -> Connection {
        let c: Connection
        if let slot = freeSlots.popLast() {
            c = connections[Int(slot)]
        } else {
            c = Connection(index: UInt32(connections.count))
            connections.append(c)
        }
        c.kind = kind
        c.fd = fd
        c.input.clear()
        c.output.clear()
        c.peer = UInt32.max
        c.headLength = 0
        c.connected = false
        c.responseHeadDone = false
        c.registered = 0
        return c
    }

    func release(_ c: Connection) {
        close(c.fd)  // also removes it from the epoll set
        c.fd = -1
        c.kind = .free
        c.generation &+= 1  // events already fetched for the old connection are now stale
        c.peer = UInt32.max
        if c.output.capacity > 64 * 1024 { c.output = ByteBuffer(capacity: 4 * 1024) }  // (leaks the big one; prototype)
        freeSlots.append(c.index)
    }

    @inline(__always) func peer(of c: Connection) -> Connection? {
        if c.peer == UInt32.max { return nil }
        let p = connections[Int(c.peer)]
        return p.generation == c.peerGeneration ? p : nil
    }

    @inline(__always) func link(_ a: Connection, _ b: Connection) {
        a.peer = b.index; a.peerGeneration = b.generation
        b.peer = a.index; b.peerGeneration = a.generation
    }

    /// Brings epoll's mask for c in line with what c needs; one epoll_ctl only when it changes.
    @inline(__always) func updateInterest(_ c: Connection) {
        var want = EV_IN
        if c.kind == .client && c.input.end == c.input.capacity { want = 0 }
        if !c.output.isEmpty || (c.kind == .upstream && !c.connected) { want |= EV_OUT }
        if want == c.registered { return }
        cepoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, want, c.token)
        c.registered = want
    }

    /// Writes pending output; false when the connection is broken.
    @inline(__always) func flush(_ c: Connection) -> Bool {
        while !c.output.isEmpty {
            let n = write(c.fd, c.output.base + c.output.start, c.output.count)
            if n > 0 {
                c.output.start += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == EAGAIN {
                return true
            } else {
                return false
            }
        }
        c.output.clear()
        return true
    }

    // MARK: event loop

    func run() -> Never {
        let maxEvents: Int32 = 512
        let events = UnsafeMutableRawPointer.allocate(byteCount: Int(cepoll_event_size()) * Int(maxEvents), alignment: 8)
            .assumingMemoryBound(to: epoll_event.self)
        lastFlushNs = monotonicNs()
        while true {
            let n = epoll_wait(epfd, events, maxEvents, 1000)
            if n < 0 {
                if errno == EINTR { continue }
                fatal("epoll_wait")
            }
            var i: Int32 = 0
            while i < n {
                let token = cepoll_data(events, i)
                let flags = cepoll_events(events, i)
                i += 1
                if token == listenerToken { acceptClients(); continue }
                let c = connections[Int(UInt32(truncatingIfNeeded: token))]
                if c.generation != UInt32(truncatingIfNeeded: token >> 32) || c.kind == .free { continue }
                if c.kind == .client { clientEvent(c, flags) } else { upstreamEvent(c, flags) }
            }
            if log.count > 256 * 1024 || monotonicNs() &- lastFlushNs >= 1_000_000_000 { flushLog() }
        }
    }

    func flushLog() {
        lastFlushNs = monotonicNs()
        var p = log.base + log.start
        var left = log.count
        while left > 0 {
            let n = write(logFD, p, left)
            if n <= 0 { break }
            p += n; left -= n
        }
        log.clear()
    }

    func acceptClients() {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        for _ in 0..<64 {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listenFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 { return }  // EAGAIN (or an error worth ignoring here)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let c = allocate(.client, fd: fd)
            c.clientIP.clear()
            c.clientIP.reserve(16)
            _ = inet_ntop(AF_INET, &address.sin_addr, UnsafeMutableRawPointer(c.clientIP.base).assumingMemoryBound(to: CChar.self), 16)
            c.clientIP.end = strlen(UnsafeRawPointer(c.clientIP.base).assumingMemoryBound(to: CChar.self))
            c.registered = EV_IN
            cepoll_ctl(epfd, EPOLL_CTL_ADD, fd, EV_IN, c.token)
        }
    }

    // MARK: client side

    func clientEvent(_ c: Connection, _ flags: UInt32) {
        if flags & EV_OUT != 0 {
            if !flush(c) { closeClient(c); return }
        }
        if flags & (EV_IN | EV_HUP | EV_ERR) != 0 {
            let space = c.input.capacity - c.input.end
            if space > 0 {
                let n = read(c.fd, c.input.base + c.input.end, space)
                if n == 0 { closeClient(c); return }
                if n < 0 {
                    if errno != EAGAIN && errno != EINTR { closeClient(c); return }
                } else {
                    c.input.end += n
                    if c.headLength == 0 && !startRequest(c) { return }
                }
            }
        }
        updateInterest(c)
    }

    /// Starts proxying the request at the front of c.input if its head is complete; false if c was closed.
    func startRequest(_ c: Connection) -> Bool {
        let end = headEnd(c.input.base, c.input.end)
        if end < 0 {
            if c.input.end == c.input.capacity { closeClient(c); return false }  // head too large
            return true
        }
        c.headLength = end
        c.startNs = monotonicNs()
        generateRequestID(into: &c.requestID)
        return sendToUpstream(c, fresh: false)
    }

    /// Writes c's request head (plus the added headers) to a pooled or new upstream connection.
    func sendToUpstream(_ c: Connection, fresh: Bool) -> Bool {
        let end = c.headLength
        guard let u = acquireUpstream(fresh: fresh) else { closeClient(c); return false }
        link(c, u)
        u.responseHeadDone = false
        u.input.clear()
        u.output.clear()
        // Request line + headers unchanged, then the two headers the edge adds, then the final CRLF.
        u.output.append(c.input.base, end - 2)
        u.output.append("x-forwarded-for: ")
        u.output.append(c.clientIP.base, c.clientIP.end)
        u.output.append("\r\nx-request-id: ")
        u.output.append(c.requestID.base, 32)
        u.output.append("\r\n\r\n")
        if u.connected {
            if !flush(u) { upstreamFailed(u); return c.kind == .client }
        }
        updateInterest(u)
        return true
    }

    func generateRequestID(into buffer: inout ByteBuffer) {
        // xorshift128+, 2 x 64 bits -> 32 hex characters.
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        buffer.clear()
        buffer.reserve(32)
        for _ in 0..<2 {
            var s1 = rng.0
            let s0 = rng.1
            rng.0 = s0
            s1 ^= s1 << 23
            rng.1 = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26)
            var v = rng.1 &+ s0
            for _ in 0..<16 {
                buffer.base[buffer.end] = digits[Int(v & 15)]
                buffer.end += 1
                v >>= 4
            }
        }
    }

    func closeClient(_ c: Connection) {
        if let u = peer(of: c) {
            // A request in flight: the upstream connection is mid-exchange and cannot go back to the pool.
            closeUpstream(u)
        }
        release(c)
    }

    // MARK: upstream side

    func acquireUpstream(fresh: Bool) -> Connection? {
        while !fresh, let token = idleUpstreams.popLast() {
            let u = connections[Int(UInt32(truncatingIfNeeded: token))]
            if u.generation == UInt32(truncatingIfNeeded: token >> 32) && u.kind == .upstream && u.peer == UInt32.max {
                u.reused = true
                return u
            }
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return nil }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &upstreamAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 && errno != EINPROGRESS { close(fd); return nil }
        let u = allocate(.upstream, fd: fd)
        u.connected = rc == 0
        u.reused = false
        u.registered = EV_IN | EV_OUT
        cepoll_ctl(epfd, EPOLL_CTL_ADD, fd, EV_IN | EV_OUT, u.token)
        return u
    }

    func closeUpstream(_ u: Connection) {
        if let c = peer(of: u) { c.peer = UInt32.max }
        release(u)
    }

    func upstreamEvent(_ u: Connection, _ flags: UInt32) {
        if !u.connected {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(u.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { upstreamFailed(u); return }
            u.connected = true
        }
        if flags & EV_OUT != 0 && !u.output.isEmpty {
            if !flush(u) { upstreamFailed(u); return }
        }
        if flags & (EV_IN | EV_HUP | EV_ERR) != 0 {
            guard let c = peer(of: u) else {
                closeUpstream(u)  // idle connection readable: the upstream closed it (or sent garbage)
                return
            }
            let space = u.input.capacity - u.input.end
            let n = read(u.fd, u.input.base + u.input.end, space)
            if n == 0 { upstreamFailed(u); return }
            if n < 0 {
                if errno != EAGAIN && errno != EINTR { upstreamFailed(u); return }
            } else {
                u.input.end += n
                if !forwardResponse(u, c) { return }
            }
        }
        if u.kind == .upstream { updateInterest(u) }
    }

    /// The upstream broke mid-request. A pooled connection that dies before any response byte is the
    /// keep-alive race (the upstream closed it while idle): retry once on a new connection. Otherwise
    /// the prototype just closes the client (no 502).
    func upstreamFailed(_ u: Connection) {
        let c = peer(of: u)
        let retry = u.reused && !u.responseHeadDone && u.input.isEmpty
        release(u)
        guard let c else { return }
        c.peer = UInt32.max
        if retry {
            retries += 1
            if sendToUpstream(c, fresh: true) { updateInterest(c) }
        } else {
            release(c)
        }
    }

    /// Moves response bytes from u.input to c.output; false if a connection was closed.
    func forwardResponse(_ u: Connection, _ c: Connection) -> Bool {
        if !u.responseHeadDone {
            let end = headEnd(u.input.base, u.input.end)
            if end < 0 {
                if u.input.end == u.input.capacity { upstreamFailed(u); return false }
                return true
            }
            var status = 0
            if end > 12 {
                for k in 9..<12 { status = status * 10 + Int(u.input.base[k] &- 48) }
            }
            u.status = status
            let (length, close) = scanResponseHead(u.input.base, end)
            u.closeAfterResponse = close
            let before = c.output.count
            c.output.append(u.input.base, end - 2)
            c.output.append("x-request-id: ")
            c.output.append(c.requestID.base, 32)
            c.output.append("\r\n\r\n")
            let body = min(u.input.end - end, length)
            c.output.append(u.input.base + end, body)
            u.responseBytes = c.output.count - before
            u.bodyRemaining = length - body
            u.responseHeadDone = true
        } else {
            let body = min(u.input.count, u.bodyRemaining)
            c.output.append(u.input.base + u.input.start, body)
            u.responseBytes += body
            u.bodyRemaining -= body
        }
        u.input.clear()
        if !flush(c) { closeClient(c); return false }
        if u.bodyRemaining == 0 { finishRequest(c, u) }
        if c.kind == .client { updateInterest(c) }
        return c.kind == .client
    }

    func finishRequest(_ c: Connection, _ u: Connection) {
        let now = monotonicNs()
        // Access log: method path status bytes duration-µs
        let head = c.input.base
        var sp1 = 0
        while sp1 < c.headLength && head[sp1] != 32 { sp1 += 1 }
        var sp2 = sp1 + 1
        while sp2 < c.headLength && head[sp2] != 32 { sp2 += 1 }
        log.append(head, sp1)
        log.append(byte: 32)
        if sp2 > sp1 + 1 { log.append(head + sp1 + 1, sp2 - sp1 - 1) }
        log.append(byte: 32)
        log.append(decimal: u.status)
        log.append(byte: 32)
        log.append(decimal: u.responseBytes)
        log.append(byte: 32)
        log.append(decimal: Int((now &- c.startNs) / 1000))
        log.append(byte: 10)

        // Upstream back to the pool.
        c.peer = UInt32.max
        u.peer = UInt32.max
        if u.closeAfterResponse { release(u) } else { idleUpstreams.append(u.token) }

        // Drop the request head; a pipelined next request may already be buffered.
        let rest = c.input.end - c.headLength
        if rest > 0 { memmove(c.input.base, c.input.base + c.headLength, rest) }
        c.input.end = rest
        c.headLength = 0
        if rest > 0 { _ = startRequest(c) }
    }
}

// MARK: - Main

signal(SIGPIPE, SIG_IGN)
let config = parseArguments()
let logFD = open(config.logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
if logFD < 0 { fatal("open \(config.logPath)") }

var threads: [pthread_t] = []
for id in 0..<config.workers {
    let worker = Worker(id: id, config: config, logFD: logFD)
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { arg in
        Unmanaged<Worker>.fromOpaque(arg!).takeRetainedValue().run()
    }, Unmanaged.passRetained(worker).toOpaque())
    if rc != 0 { fatal("pthread_create") }
    threads.append(thread)
}
print("proto listening on 127.0.0.1:\(config.port), \(config.workers) workers, upstream \(config.upstreamHost):\(config.upstreamPort)")
fflush(stdout)
for thread in threads { pthread_join(thread, nil) }
