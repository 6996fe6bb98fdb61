import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Finds free ports and checks whether something answers on one.
public enum PortProbe {
    /// Ports handed out recently: two releases starting at once must not get the same port.
    private static let recent = Mutex<[Int]>([])

    /// A TCP port that was free a moment ago on 127.0.0.1 (the kernel's pick), and not one handed out
    /// in the last 1024 calls.
    public static func freePort() throws -> Int {
        for _ in 0..<16 {
            let port = try kernelPick()
            let fresh = recent.withLock { recent -> Bool in
                guard !recent.contains(port) else { return false }
                recent.append(port)
                if recent.count > 1024 { recent.removeFirst(recent.count - 1024) }
                return true
            }
            if fresh { return port }
        }
        return try kernelPick()
    }

    private static func kernelPick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeError("cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw RuntimeError("cannot bind a socket to find a free port") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a TCP connection to host:port succeeds now.
    public static func answers(host: String, port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(500))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
