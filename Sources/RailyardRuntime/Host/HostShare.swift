import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// This server's share of what several Railyard servers on one host must not both use: a block of
/// uids for its services' users and a block of private networks. Each server claims one share in a
/// host-wide registry (a lease file per share, taken under a lock) and keeps it across restarts;
/// a share whose server's data dir is gone (or holds another server's id) is free again.
public struct HostShare: Sendable, Equatable {
    /// The share's number, 0..<capacity.
    public let index: Int

    /// How many servers one host can run with users and networks of their own.
    public static let capacity = 128
    /// Services' users per share: share k's users are `Isolation.defaultUserBase + k × usersPerShare + n`.
    public static let usersPerShare = 100_000
    /// Private networks per share: share k's are `k × networksPerShare ..< (k + 1) × networksPerShare`.
    public static let networksPerShare = NetworkAddress.numbers.count / capacity
    /// Where the leases live: persistent, because files on disk keep their owners' uids across reboots.
    public static let defaultRegistry = URL(fileURLWithPath: "/var/lib/railyard/host-shares", isDirectory: true)

    public init(index: Int) {
        self.index = index
    }

    /// The uid of this share's service number 0.
    public var userBase: UInt32 { Isolation.defaultUserBase + UInt32(index * Self.usersPerShare) }

    /// The host-wide network number of this server's network `number` (1, 2, … as the store allocates
    /// them); throws once the share's networks are used up.
    public func network(_ number: Int) throws -> Int {
        guard (1...Self.networksPerShare).contains(number) else {
            throw RuntimeError(
                "this server has used all \(Self.networksPerShare) private networks of its share of the host (one per project-environment ever created); start it with --no-network-separation"
            )
        }
        return index * Self.networksPerShare + number - 1
    }

    /// Whether host-wide network `number` is one of this share's.
    public func owns(network number: Int) -> Bool {
        number / Self.networksPerShare == index
    }

    /// The server id kept in `dataDirectory` (created once, random): what a lease names.
    public static func serverId(dataDirectory: URL) throws -> String {
        let file = dataDirectory.appendingPathComponent("server-id")
        if let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let id = UUID().uuidString.lowercased()
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            // Another start wrote it first: use theirs.
            return try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        defer { close(fd) }
        let bytes = Array("\(id)\n".utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw RuntimeError("could not write \(file.path)") }
        return id
    }

    /// Claims the share of the server whose data dir is `dataDirectory`: the one it held before,
    /// else the lowest free one. Throws when every share is held by a server whose data dir exists.
    public static func claim(dataDirectory: URL, registry: URL = defaultRegistry) throws -> HostShare {
        let serverId = try serverId(dataDirectory: dataDirectory)
        try FileManager.default.createDirectory(at: registry, withIntermediateDirectories: true)
        let lock = open(registry.appendingPathComponent(".lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw RuntimeError("cannot open the lock of \(registry.path): \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw RuntimeError("cannot lock \(registry.path): \(String(cString: strerror(errno)))") }
        defer { flock(lock, LOCK_UN) }

        let leases = (0..<capacity).map { (index: $0, lease: Lease.read(registry.appendingPathComponent("\($0)"))) }
        if let mine = leases.first(where: { $0.lease?.serverId == serverId }) {
            // Moved data dirs keep their share; the lease learns the new path.
            try Lease(serverId: serverId, dataDirectory: dataDirectory.standardizedFileURL.path).write(registry.appendingPathComponent("\(mine.index)"))
            return HostShare(index: mine.index)
        }
        guard let free = leases.first(where: { $0.lease.map { !$0.isLive } ?? true }) else {
            throw RuntimeError("all \(capacity) shares of this host are held by Railyard servers whose data dirs exist (\(registry.path))")
        }
        try Lease(serverId: serverId, dataDirectory: dataDirectory.standardizedFileURL.path).write(registry.appendingPathComponent("\(free.index)"))
        return HostShare(index: free.index)
    }

    /// Whether share `index` is held by a live server (its data dir exists and still holds its id).
    public static func isHeld(_ index: Int, registry: URL = defaultRegistry) -> Bool {
        Lease.read(registry.appendingPathComponent("\(index)"))?.isLive ?? false
    }

    /// One lease file: the server's id, then its data dir.
    struct Lease: Equatable {
        var serverId: String
        var dataDirectory: String

        static func read(_ file: URL) -> Lease? {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
            let lines = text.split(separator: "\n").map(String.init)
            guard lines.count >= 2 else { return nil }
            return Lease(serverId: lines[0], dataDirectory: lines[1])
        }

        func write(_ file: URL) throws {
            try Data("\(serverId)\n\(dataDirectory)\n".utf8).write(to: file, options: .atomic)
        }

        /// Its server's data dir still exists and still names it.
        var isLive: Bool {
            let id = try? String(contentsOfFile: dataDirectory + "/server-id", encoding: .utf8)
            return id?.trimmingCharacters(in: .whitespacesAndNewlines) == serverId
        }
    }
}
