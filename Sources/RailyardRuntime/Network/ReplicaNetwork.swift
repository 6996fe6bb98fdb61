/// One replica's place on its network: a network namespace of its own (`ry-<replica id>`) whose
/// `eth0` is one end of a veth pair, the other end on the network's bridge.
public struct ReplicaNetwork: Sendable, Equatable {
    /// The replica it belongs to.
    public var replicaId: String
    /// The network (project-environment) it is on.
    public var network: NetworkAddress
    /// Its host number in the network (2...254).
    public var host: Int
    /// Its IPv4 address, e.g. `10.100.7.2`: where the edge reaches it and where its network's other
    /// replicas connect to it.
    public var address: String
    /// The host side of its veth pair, e.g. `ryv7x2`.
    public var hostVeth: String

    /// Describes replica `replicaId` as host `host` of `network`; throws when the id or the host
    /// number cannot be used.
    public init(replicaId: String, network: NetworkAddress, host: Int) throws {
        try Self.checkReplicaId(replicaId)
        self.replicaId = replicaId
        self.network = network
        self.host = host
        self.address = try network.replicaAddress(host: host)
        self.hostVeth = try network.hostVeth(host: host)
    }

    /// Its `eth0`'s MAC, fixed by its address: `02:00` (locally administered) then the address's
    /// four bytes, so the same address always has the same MAC.
    public var macAddress: String {
        "02:00:" + address.split(separator: ".").compactMap { UInt8($0) }.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// Its network namespace, as `ip netns` names it.
    public var namespace: String { Self.namespace(replicaId: replicaId) }

    /// What to put before a replica's argv so it starts inside this namespace.
    public var enterArgv: [String] { Self.enterArgv(replicaId: replicaId) }

    /// The namespace's name for replica `replicaId`.
    public static func namespace(replicaId: String) -> String { namespacePrefix + replicaId }

    /// What to put before a replica's argv so it starts inside its namespace: `nsenter
    /// --net=/run/netns/ry-<id> --` (where `ip netns add` puts the namespace).
    public static func enterArgv(replicaId: String) -> [String] {
        [HostCommand.find("nsenter") ?? "/usr/bin/nsenter", "--net=\(namespaceDirectory)/\(namespace(replicaId: replicaId))", "--"]
    }

    /// The prefix of every replica namespace's name.
    public static let namespacePrefix = "ry-"
    /// Where `ip netns` keeps its named namespaces.
    static let namespaceDirectory = "/run/netns"

    /// Replica ids become namespace names and interface aliases: lowercase letters, digits and '-',
    /// 1 to 64 characters (a UUID fits).
    static func checkReplicaId(_ id: String) throws {
        let allowed = id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
        guard (1...64).contains(id.utf8.count), allowed, !id.hasPrefix("-") else {
            throw RuntimeError("replica id '\(id)' cannot name a network namespace: use 1 to 64 lowercase letters, digits and '-', not starting with '-'")
        }
    }
}
