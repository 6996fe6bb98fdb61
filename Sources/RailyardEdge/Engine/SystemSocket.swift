#if os(Linux)
import CEdgeEpoll
import Glibc

/// A failed system call, as a sentence: the call and what errno said.
struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

/// The raw socket calls of the epoll engine: listeners, outgoing connections, addresses.
enum SystemSocket {
    static let streamFlags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// An IP address and port as a socket address, or nil when `host` is not an IP literal (a name
    /// needs a lookup, which the engine leaves to NIO).
    static func address(host: String, port: Int) -> (storage: sockaddr_storage, length: socklen_t)? {
        var storage = sockaddr_storage()
        let parsed = withUnsafeMutableBytes(of: &storage) { raw -> socklen_t? in
            if host.contains(":") {
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                address.pointee.sin6_family = sa_family_t(AF_INET6)
                address.pointee.sin6_port = UInt16(truncatingIfNeeded: port).bigEndian
                guard inet_pton(AF_INET6, host, &address.pointee.sin6_addr) == 1 else { return nil }
                return socklen_t(MemoryLayout<sockaddr_in6>.size)
            }
            let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            address.pointee.sin_family = sa_family_t(AF_INET)
            address.pointee.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
            guard inet_pton(AF_INET, host, &address.pointee.sin_addr) == 1 else { return nil }
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        return parsed.map { (storage, $0) }
    }

    /// The address `host` names for a listener on `port`: an IP literal, or the first address a
    /// lookup gives (as NIO's bind does).
    static func listenAddress(host: String, port: Int) throws(SystemCallError) -> (storage: sockaddr_storage, length: socklen_t) {
        if let literal = address(host: host, port: port) { return literal }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else { throw SystemCallError("getaddrinfo(\(host))", code: rc == EAI_SYSTEM ? errno : EADDRNOTAVAIL) }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.baseAddress!.copyMemory(from: first.pointee.ai_addr, byteCount: Int(first.pointee.ai_addrlen))
        }
        return (storage, first.pointee.ai_addrlen)
    }

    /// A non-blocking listening socket on `address`.
    static func listener(_ address: sockaddr_storage, length: socklen_t, backlog: Int32) throws(SystemCallError) -> Int32 {
        let fd = Glibc.socket(Int32(address.ss_family), streamFlags, 0)
        guard fd >= 0 else { throw SystemCallError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = address
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let error = SystemCallError("bind")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemCallError("listen")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// The port a socket is bound to.
    static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return port(of: storage)
    }

    static func port(of storage: sockaddr_storage) -> Int? {
        let family = Int32(storage.ss_family)
        return withUnsafeBytes(of: storage) { raw -> Int? in
            switch family {
            case AF_INET: Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
            case AF_INET6: Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
            default: nil
            }
        }
    }

    /// The IP address of `storage` as text (what NIO's `SocketAddress.ipAddress` gives).
    static func ipAddress(_ storage: sockaddr_storage) -> String? {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = withUnsafeMutableBytes(of: &storage) { raw -> Bool in
            switch Int32(raw.load(as: sockaddr_storage.self).ss_family) {
            case AF_INET:
                return inet_ntop(AF_INET, &raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr, &text, socklen_t(text.count)) != nil
            case AF_INET6:
                return inet_ntop(AF_INET6, &raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_addr, &text, socklen_t(text.count)) != nil
            default:
                return false
            }
        }
        return ok ? String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The pending error of a socket whose connect finished (0 when it connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }
}
#endif
