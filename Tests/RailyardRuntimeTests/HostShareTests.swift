import Foundation
import RailyardRuntime
import Testing

@Suite("HostShare: servers on one host split its uids and networks")
struct HostShareTests {
    func temporary(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-share-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a server keeps its share across starts; another takes the next; a server whose data dir is gone frees its share")
    func claims() throws {
        let registry = try temporary("registry"), first = try temporary("first"), second = try temporary("second")
        defer { [registry, first, second].forEach { try? FileManager.default.removeItem(at: $0) } }
        let a = try HostShare.claim(dataDirectory: first, registry: registry)
        #expect(a.index == 0)
        #expect(try HostShare.claim(dataDirectory: first, registry: registry) == a, "the same server, the same share")
        let b = try HostShare.claim(dataDirectory: second, registry: registry)
        #expect(b.index == 1)
        #expect(HostShare.isHeld(0, registry: registry) && HostShare.isHeld(1, registry: registry))

        try FileManager.default.removeItem(at: first)
        #expect(!HostShare.isHeld(0, registry: registry))
        let third = try temporary("third")
        defer { try? FileManager.default.removeItem(at: third) }
        #expect(try HostShare.claim(dataDirectory: third, registry: registry).index == 0, "the gone server's share is free again")
        #expect(try HostShare.claim(dataDirectory: second, registry: registry) == b)
    }

    @Test("shares never overlap: uids and networks are blocks of their own")
    func blocks() throws {
        let zero = HostShare(index: 0), five = HostShare(index: 5)
        #expect(zero.userBase == Isolation.defaultUserBase)
        #expect(five.userBase == Isolation.defaultUserBase + 500_000)
        #expect(try zero.network(1) == 0)
        #expect(try zero.network(256) == 255)
        #expect(try five.network(1) == 1280)
        #expect(five.owns(network: 1280) && five.owns(network: 1535) && !five.owns(network: 1536) && !zero.owns(network: 1280))
        #expect(throws: RuntimeError.self) { try zero.network(257) }
        #expect(throws: RuntimeError.self) { try zero.network(0) }
        let last = HostShare(index: HostShare.capacity - 1)
        #expect(Int(last.userBase) + HostShare.usersPerShare <= Int(Int32.max), "every uid below 2^31")
        #expect(try last.network(HostShare.networksPerShare) == NetworkAddress.numbers.upperBound - 1)
    }
}
