import Foundation

/// Keeps the replicas of each project-environment on a network of their own: a Linux bridge per
/// network, a network namespace per replica joined to it by a veth pair, and iptables rules (see
/// `Firewall`) so a replica reaches its own network's replicas, the world as the host allows, and
/// the edge's public ports — never another network's replicas, nor any other host service. An app
/// listening on 0.0.0.0 listens inside its namespace only, never on the host's interfaces.
///
/// IPv6 is turned off on the bridges, the veths and inside every namespace, so link-local
/// addresses give no way around the IPv4 rules. Needs root, iproute2 (`ip`), util-linux
/// (`nsenter`) and iptables. Every call runs the tools synchronously and throws a `RuntimeError`
/// naming the command that failed and its stderr; call them off the cooperative thread pool.
public enum NetworkSeparation {
    /// Nil when networks can be separated here; else why not, in a sentence a person can act on.
    public static func available() -> String? {
        guard getuid() == 0 else { return "network separation needs root (bridges, namespaces and iptables)" }
        if HostCommand.find("ip") == nil { return "network separation needs `ip` (apt-get install iproute2)" }
        if HostCommand.find("nsenter") == nil { return "network separation needs `nsenter` (apt-get install util-linux)" }
        if HostCommand.find("iptables") == nil { return "network separation needs iptables (apt-get install iptables)" }
        do {
            try HostCommand.run(["iptables", "-w", "-t", "nat", "-S", "POSTROUTING"])
        } catch {
            return "network separation needs a working iptables: \(error)"
        }
        let probe = "rybprobe\(getpid() % 100_000)"
        do {
            try HostCommand.run(["ip", "link", "add", probe, "type", "bridge"])
            try HostCommand.run(["ip", "link", "del", probe])
        } catch {
            return "network separation cannot create a bridge here: \(error)"
        }
        return nil
    }

    // MARK: Firewall

    /// Installs (or completes) Railyard's chains with `Firewall.rules(edgePorts:)` and jumps to
    /// them from INPUT, FORWARD and nat POSTROUTING; safe to run again, and by several servers on
    /// one host (each adds its edge ports). Also turns on IPv4 forwarding (`net.ipv4.ip_forward=1`),
    /// a host-wide change. Nothing removes the chains: replicas outlive their server, and stay
    /// separated (docs/isolation.md says how an operator removes them).
    public static func installFirewall(edgePorts: [Int], share: Int? = nil, isHeld: (Int) -> Bool = { HostShare.isHeld($0) }) throws {
        try withFirewallLock { try installFirewallLocked(edgePorts: edgePorts, share: share, isHeld: isHeld) }
    }

    /// Where servers (and tests) on one host take turns changing the chains: `iptables -w` makes
    /// each command atomic, not a check-then-rebuild. Without it, one process rebuilding the fixed
    /// rules flushed the edge rule another had just inserted (its replicas then found the edge
    /// port closed).
    static let firewallLockPath = "/run/lock/railyard-firewall.lock"

    /// Runs `body` holding the host-wide firewall lock (an `flock` on `firewallLockPath`; `/tmp`
    /// when `/run/lock` is missing).
    static func withFirewallLock<T>(_ body: () throws -> T) throws -> T {
        let directory = FileManager.default.fileExists(atPath: "/run/lock") ? "/run/lock" : NSTemporaryDirectory()
        let path = directory == "/run/lock" ? firewallLockPath : (directory as NSString).appendingPathComponent("railyard-firewall.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private static func installFirewallLocked(edgePorts: [Int], share: Int?, isHeld: (Int) -> Bool) throws {
        try writeSetting("1", to: "/proc/sys/net/ipv4/ip_forward")
        for chain in Firewall.chains where !HostCommand.succeeds(["iptables", "-w", "-t", chain.table, "-S", chain.name]) {
            try iptables(["-t", chain.table, "-N", chain.name])
        }
        // The fixed rules are rebuilt only when one is missing (a first start, or an older set):
        // another server on this host may have its own edge port in RAILYARD-INPUT already.
        let fixed = Firewall.rules(edgePorts: [])
        if !fixed.allSatisfy({ HostCommand.succeeds(["iptables", "-w"] + Firewall.check($0)) }) {
            for chain in Firewall.chains { try iptables(["-t", chain.table, "-F", chain.name]) }
            for rule in fixed { try iptables(rule) }
        }
        // Ports earlier runs of this server, or servers gone for good, never closed.
        let listing = (try? HostCommand.run(["iptables", "-w", "-S", "RAILYARD-INPUT"])) ?? ""
        for rule in Firewall.staleEdgeRules(listing: listing, isStale: { $0 == share || !isHeld($0) }) {
            _ = try? iptables(rule)
        }
        for port in Set(edgePorts).sorted() where !HostCommand.succeeds(["iptables", "-w"] + Firewall.edgeRule(port: port, action: "-C", share: share)) {
            try iptables(Firewall.edgeRule(port: port, action: "-I", share: share))
        }
        for chain in Firewall.chains where !HostCommand.succeeds(["iptables", "-w"] + Firewall.jump(chain, action: "-C")) {
            try iptables(Firewall.jump(chain, action: "-I"))
        }
    }

    /// Takes back what `installFirewall` opened for one edge port (a server shutting down); the
    /// chains stay, so replicas that outlive the server stay separated.
    public static func closeEdgePort(_ port: Int, share: Int? = nil) throws {
        try withFirewallLock {
            while HostCommand.succeeds(["iptables", "-w"] + Firewall.edgeRule(port: port, action: "-C", share: share)) {
                try iptables(Firewall.edgeRule(port: port, action: "-D", share: share))
            }
        }
    }

    // MARK: Networks

    /// Makes sure network `number`'s bridge exists, has its gateway address and is up; safe to run
    /// again. Throws when the number is out of range.
    @discardableResult
    public static func ensureNetwork(_ number: Int) throws -> NetworkAddress {
        let network = try NetworkAddress(number: number)
        if !interfaceExists(network.bridge) {
            do {
                try HostCommand.run(["ip", "link", "add", network.bridge, "type", "bridge"])
            } catch where interfaceExists(network.bridge) {
                // Someone else made it meanwhile.
            }
        }
        try disableIPv6(on: network.bridge)
        try HostCommand.run(["ip", "addr", "replace", "\(network.gateway)/24", "dev", network.bridge])
        try HostCommand.run(["ip", "link", "set", network.bridge, "up"])
        return network
    }

    /// Removes network `number`'s bridge; no error when it is gone. Its replicas' veths are left
    /// detached, so remove the replicas first.
    public static func removeNetwork(_ number: Int) throws {
        let network = try NetworkAddress(number: number)
        guard interfaceExists(network.bridge) else { return }
        try HostCommand.run(["ip", "link", "del", network.bridge])
    }

    /// The numbers of the networks whose bridges exist now (to prune leftovers at start).
    public static func existingNetworks() -> [Int] {
        interfaces().compactMap(NetworkAddress.number(ofBridge:)).sorted()
    }

    // MARK: Replicas

    /// Gives replica `replicaId` its namespace as host `host` of network `number` (whose bridge is
    /// made if missing): veth pair, `eth0` at the replica's address, `lo` up, default route via the
    /// gateway. A namespace or veth left from before is removed first, so this is safe to repeat.
    /// Start the replica with `enterArgv` before its argv.
    public static func createReplica(id replicaId: String, network number: Int, host: Int) throws -> ReplicaNetwork {
        let network = try NetworkAddress(number: number)
        let replica = try ReplicaNetwork(replicaId: replicaId, network: network, host: host)
        try removeReplica(id: replicaId)
        // The caller's allocator holds this host number free, so a veth by this name is a leftover.
        if interfaceExists(replica.hostVeth) { try HostCommand.run(["ip", "link", "del", replica.hostVeth]) }
        try ensureNetwork(number)

        let namespace = replica.namespace
        try HostCommand.run(["ip", "netns", "add", namespace])
        do {
            // A fixed MAC per address: a replica restarted at the same address (the lowest free one)
            // is reached at once, not after the host's and its neighbours' ARP caches go stale.
            try HostCommand.run([
                "ip", "link", "add", replica.hostVeth, "type", "veth", "peer", "name", "eth0", "address", replica.macAddress, "netns", namespace,
            ])
            // The alias names the replica, so removeReplica finds the veth from the id alone.
            try HostCommand.run(["ip", "link", "set", replica.hostVeth, "alias", namespace])
            try disableIPv6(on: replica.hostVeth)
            try HostCommand.run(["ip", "link", "set", replica.hostVeth, "master", network.bridge, "up"])
            // /proc/sys/net shows the settings of the namespace of whoever opens it.
            // The app may listen on any port of its own address, 80 included (it is alone in there).
            // (A kernel booted without IPv6 has no such files: there is nothing to turn off.)
            let settings = ["all", "default", "lo", "eth0"].map {
                "{ [ ! -e /proc/sys/net/ipv6/conf/\($0)/disable_ipv6 ] || echo 1 > /proc/sys/net/ipv6/conf/\($0)/disable_ipv6; }"
            } + ["echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start"]
            try HostCommand.run(["ip", "netns", "exec", namespace, "/bin/sh", "-c", settings.joined(separator: " && ")])
            try HostCommand.run(["ip", "-n", namespace, "link", "set", "lo", "up"])
            try HostCommand.run(["ip", "-n", namespace, "addr", "add", "\(replica.address)/24", "dev", "eth0"])
            try HostCommand.run(["ip", "-n", namespace, "link", "set", "eth0", "up"])
            try HostCommand.run(["ip", "-n", namespace, "route", "add", "default", "via", network.gateway])
        } catch {
            try? removeReplica(id: replicaId)
            throw error
        }
        return replica
    }

    /// Removes replica `replicaId`'s namespace and host-side veth; no error when they are gone.
    /// A process still inside keeps the namespace alive but, without its veth, cut off.
    public static func removeReplica(id replicaId: String) throws {
        try ReplicaNetwork.checkReplicaId(replicaId)
        let namespace = ReplicaNetwork.namespace(replicaId: replicaId)
        for veth in interfaces() where veth.hasPrefix(NetworkAddress.vethPrefix) && alias(of: veth) == namespace {
            do {
                try HostCommand.run(["ip", "link", "del", veth])
            } catch where !interfaceExists(veth) {
                // Gone with its namespace meanwhile.
            }
        }
        if FileManager.default.fileExists(atPath: "\(ReplicaNetwork.namespaceDirectory)/\(namespace)") {
            try HostCommand.run(["ip", "netns", "del", namespace])
        }
    }

    /// The ids of the replicas whose namespaces exist now (to prune leftovers at start).
    public static func existingReplicaNamespaces() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: ReplicaNetwork.namespaceDirectory)) ?? []
        return names.filter { $0.hasPrefix(ReplicaNetwork.namespacePrefix) }
            .map { String($0.dropFirst(ReplicaNetwork.namespacePrefix.count)) }
            .sorted()
    }

    /// The network replica `id` is on, read from its host-side veth (`ryv<n>x<host>`, aliased
    /// `ry-<id>`); nil when it has none.
    public static func network(ofReplica id: String) -> Int? {
        let namespace = ReplicaNetwork.namespace(replicaId: id)
        guard let veth = interfaces().first(where: { $0.hasPrefix(NetworkAddress.vethPrefix) && alias(of: $0) == namespace }) else { return nil }
        return Int(veth.dropFirst(NetworkAddress.vethPrefix.count).prefix { $0 != "x" })
    }

    /// Whether any process runs in replica `id`'s namespace (`ip netns pids`); true when unsure.
    public static func isInUse(replicaId id: String) -> Bool {
        guard let pids = try? HostCommand.run(["ip", "netns", "pids", ReplicaNetwork.namespace(replicaId: id)]) else { return true }
        return !pids.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    // MARK: Host state

    private static func iptables(_ arguments: [String]) throws {
        try HostCommand.run(["iptables", "-w"] + arguments)
    }

    private static func interfaces() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
    }

    private static func interfaceExists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "/sys/class/net/\(name)")
    }

    private static func alias(of interface: String) -> String {
        let text = (try? String(contentsOfFile: "/sys/class/net/\(interface)/ifalias", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns IPv6 off on a host interface; a kernel without IPv6 has nothing to turn off.
    private static func disableIPv6(on interface: String) throws {
        let path = "/proc/sys/net/ipv6/conf/\(interface)/disable_ipv6"
        guard FileManager.default.fileExists(atPath: "/proc/sys/net/ipv6") else { return }
        try writeSetting("1", to: path)
    }

    private static func writeSetting(_ value: String, to path: String) throws {
        do {
            try Data(value.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw RuntimeError("could not write \(value) to \(path): \(error.localizedDescription)")
        }
    }
}
