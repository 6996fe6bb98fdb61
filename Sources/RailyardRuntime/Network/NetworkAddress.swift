/// Where one project-environment's network lives: its number, its bridge and its /24 subnet, and
/// the names and addresses of the replicas in it. Pure arithmetic; nothing here touches the host.
///
/// Network `n` is the subnet `10.<100 + n/256>.<n%256>.0/24`, with the bridge `ryb<n>` at `.1`;
/// replica host numbers run from 2 to 254. All subnets together span 10.100.0.0–10.227.255.255.
public struct NetworkAddress: Sendable, Equatable, Hashable {
    /// The network's number, as persisted by the caller.
    public let number: Int

    /// The numbers a network can have: 128 × 256 subnets above 10.100.0.0.
    public static let numbers = 0..<(128 * 256)
    /// The host numbers a replica can have; `.1` is the gateway, `.255` the broadcast address.
    public static let hosts = 2...254
    /// The prefix of every bridge's name (an iptables wildcard `ryb+` matches them all).
    public static let bridgePrefix = "ryb"
    /// The prefix of every replica's host-side veth name.
    public static let vethPrefix = "ryv"
    /// The first address of all Railyard subnets (10.100.0.0) and the last (10.227.255.255).
    static let firstAddress: UInt32 = 10 << 24 | 100 << 16
    static let lastAddress: UInt32 = firstAddress + UInt32(numbers.count * 256) - 1

    /// The network numbered `number`; throws when it is outside `numbers`.
    public init(number: Int) throws {
        guard Self.numbers.contains(number) else {
            throw RuntimeError(
                "network number \(number) is out of range: it must be in 0...\(Self.numbers.upperBound - 1) (one /24 in 10.100.0.0–10.227.255.255 each)"
            )
        }
        self.number = number
    }

    /// The bridge on the host, e.g. `ryb7` (at most 8 characters).
    public var bridge: String { "\(Self.bridgePrefix)\(number)" }

    /// The bridge's address and every replica's default route, e.g. `10.100.7.1`.
    public var gateway: String { address(host: 1) }

    /// The subnet, e.g. `10.100.7.0/24`.
    public var cidr: String { "\(address(host: 0))/24" }

    /// The address of replica host number `host` (2...254), e.g. `10.100.7.2`.
    public func replicaAddress(host: Int) throws -> String {
        try Self.checkHost(host)
        return address(host: host)
    }

    /// The host side of replica `host`'s veth pair, e.g. `ryv7x2`: at most 12 characters (the
    /// kernel allows 15) and unique, since a host number is used once per network.
    public func hostVeth(host: Int) throws -> String {
        try Self.checkHost(host)
        return "\(Self.vethPrefix)\(number)x\(host)"
    }

    /// The lowest host number not in `inUse`, or nil when all of 2...254 are taken.
    public static func lowestFreeHost(inUse: some Sequence<Int>) -> Int? {
        let used = Set(inUse)
        return hosts.first { !used.contains($0) }
    }

    /// The smallest set of CIDR blocks that covers every Railyard subnet and nothing else.
    public static var allSubnets: [String] { cidrs(from: firstAddress, through: lastAddress) }

    /// The network whose bridge is `name` (`ryb<n>`), or nil for any other interface name.
    public static func number(ofBridge name: String) -> Int? {
        guard name.hasPrefix(bridgePrefix), let number = Int(name.dropFirst(bridgePrefix.count)),
              numbers.contains(number), name == "\(bridgePrefix)\(number)" else { return nil }
        return number
    }

    private func address(host: Int) -> String {
        "10.\(100 + number / 256).\(number % 256).\(host)"
    }

    private static func checkHost(_ host: Int) throws {
        guard hosts.contains(host) else {
            throw RuntimeError("replica host number \(host) is out of range: it must be in \(hosts.lowerBound)...\(hosts.upperBound)")
        }
    }

    /// The minimal CIDR blocks covering `first...last`: from `first`, the largest aligned block
    /// that does not pass `last`, again and again.
    static func cidrs(from first: UInt32, through last: UInt32) -> [String] {
        var blocks: [String] = []
        var start = UInt64(first)
        let end = UInt64(last)
        while start <= end {
            var size: UInt64 = start == 0 ? 1 << 32 : 1 << UInt64(start.trailingZeroBitCount)
            while start + size - 1 > end { size >>= 1 }
            let prefix = 32 - size.trailingZeroBitCount
            let octets = [24, 16, 8, 0].map { String((start >> UInt64($0)) & 0xff) }
            blocks.append("\(octets.joined(separator: "."))/\(prefix)")
            start += size
        }
        return blocks
    }
}
