import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Blocking TCP to 127.0.0.1 for tests of public ports: send bytes and read the reply, or find out
/// whether anything listens.
public enum TCPClient {
    /// Connects to `127.0.0.1:port`, sends `bytes`, ends its output, and returns everything received
    /// until the other side closes (or `timeout` passes without a byte).
    public static func exchange(port: Int, bytes: [UInt8], timeout: Duration = .seconds(10)) throws -> [UInt8] {
        let fd = try connected(port: port)
        defer { close(fd) }
        let seconds = Int(timeout.components.seconds)
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure("sending to port \(port) failed (errno \(errno))") }
            sent += count
        }
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return received }
            guard count > 0 else { throw Failure("reading from port \(port) failed (errno \(errno)) after \(received.count) bytes") }
            received += chunk[..<count]
        }
    }

    /// Whether something accepts connections on `127.0.0.1:port`.
    public static func accepts(port: Int) -> Bool {
        guard let fd = try? connected(port: port) else { return false }
        close(fd)
        return true
    }

    /// A port of 127.0.0.1 that was free a moment ago (bound to port 0, read, released).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func connected(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("no socket (errno \(errno))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let reason = errno
            close(fd)
            throw Failure("connecting to 127.0.0.1:\(port) failed (errno \(reason))")
        }
        return fd
    }

    /// What went wrong, for the test's message.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
