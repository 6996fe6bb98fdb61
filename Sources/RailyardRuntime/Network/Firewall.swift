/// The iptables rules that keep replicas apart, as argv arrays (what follows `iptables -w`), so
/// tests can read the exact list. `NetworkSeparation` installs and removes them.
///
/// Railyard owns three chains, each jumped to from the top of a built-in chain:
/// - `RAILYARD-INPUT` (filter, from INPUT): from a replica, the host answers only on the edge's
///   ports (and replies to connections the host opened); every other host service, on every host
///   address (the bridge's `.1`, eth0's, loopback's), is dropped.
/// - `RAILYARD-FORWARD` (filter, from FORWARD): traffic bridged within one network passes; routed
///   traffic between two networks is dropped; replicas may go out to the world, and only replies
///   come back in.
/// - `RAILYARD-POSTROUTING` (nat, from POSTROUTING): replicas' traffic to anywhere but a Railyard
///   bridge leaves with the host's address.
public enum Firewall {
    /// One chain Railyard owns and the built-in chain that jumps to it.
    public struct Chain: Sendable, Equatable {
        /// `filter` or `nat`.
        public var table: String
        /// Railyard's chain, e.g. `RAILYARD-INPUT`.
        public var name: String
        /// The built-in chain that jumps to it, e.g. `INPUT`.
        public var parent: String
    }

    /// The chains, in the order they are installed.
    public static let chains = [
        Chain(table: "filter", name: "RAILYARD-INPUT", parent: "INPUT"),
        Chain(table: "filter", name: "RAILYARD-FORWARD", parent: "FORWARD"),
        Chain(table: "nat", name: "RAILYARD-POSTROUTING", parent: "POSTROUTING"),
    ]

    /// Every bridge: iptables' wildcard for interface names beginning with `ryb`.
    static let bridges = NetworkAddress.bridgePrefix + "+"

    /// The rules that fill the chains (after each is flushed), in order. `edgePorts` are the TCP
    /// ports of the public edge, the only host ports replicas may connect to.
    public static func rules(edgePorts: [Int]) -> [[String]] {
        let input = ["-t", "filter", "-A", "RAILYARD-INPUT", "-i", bridges]
        let forward = ["-t", "filter", "-A", "RAILYARD-FORWARD"]
        var rules: [[String]] = [input + ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]]
        for port in Set(edgePorts).sorted() {
            rules.append(edgeRule(port: port, action: "-A", share: nil))
        }
        rules.append(input + ["-j", "DROP"])
        rules += [
            // Replicas of one network share a bridge; with br_netfilter loaded (as here, and wherever
            // Docker runs) their frames pass through FORWARD with the bridge as both in and out
            // interface. physdev's "is bridged" tells them from traffic routed between two bridges,
            // without a rule per network. Without br_netfilter, bridged frames never reach iptables.
            forward + ["-i", bridges, "-o", bridges, "-m", "physdev", "--physdev-is-bridged", "-j", "ACCEPT"],
            forward + ["-i", bridges, "-o", bridges, "-j", "DROP"],
            // Link-local is the cloud's metadata service (instance credentials): never a replica's.
            forward + ["-i", bridges, "-d", "169.254.0.0/16", "-j", "DROP"],
            forward + ["-i", bridges, "-j", "ACCEPT"],
            forward + ["-o", bridges, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            forward + ["-o", bridges, "-j", "DROP"],
        ]
        for subnet in NetworkAddress.allSubnets {
            rules.append(["-t", "nat", "-A", "RAILYARD-POSTROUTING", "-s", subnet, "!", "-o", bridges, "-j", "MASQUERADE"])
        }
        return rules
    }

    /// The rule that lets replicas reach the edge on `port`, for `action` `-C`, `-I` (at the top, so
    /// above the DROP) or `-D`. Each server adds its own port, so several servers can share one host.
    /// The rule is tagged with its server's host share, so a later start of that server, or of one
    /// that finds the share free, takes back ports a server that died never closed.
    static func edgeRule(port: Int, action: String, share: Int?) -> [String] {
        ["-t", "filter", action, "RAILYARD-INPUT"] + (action == "-I" ? ["1"] : [])
            + ["-i", bridges, "-p", "tcp", "-m", "tcp", "--dport", "\(port)"]
            + (share.map { ["-m", "comment", "--comment", shareTag($0)] } ?? []) + ["-j", "ACCEPT"]
    }

    /// The comment on share `index`'s edge rules.
    static func shareTag(_ index: Int) -> String { "railyard-share-\(index)" }

    /// Edge rules in `iptables -S RAILYARD-INPUT` output to take out: untagged ones (from before
    /// rules were tagged) and those whose share `isStale` says is free or is being claimed afresh.
    /// Returned as `-D` argv arrays.
    static func staleEdgeRules(listing: String, isStale: (Int) -> Bool) -> [[String]] {
        listing.split(separator: "\n").compactMap { line -> [String]? in
            let words = line.split(separator: " ").map(String.init)
            guard words.count > 2, words[0] == "-A", words[1] == "RAILYARD-INPUT", words.contains("--dport"), words.last == "ACCEPT" else { return nil }
            if let tag = words.firstIndex(of: "--comment").map({ words[$0 + 1] }) {
                guard let index = Int(tag.replacingOccurrences(of: "\"", with: "").dropFirst("railyard-share-".count)), isStale(index) else { return nil }
            }
            return ["-t", "filter", "-D"] + words.dropFirst().map { $0.replacingOccurrences(of: "\"", with: "") }
        }
    }

    /// `rule` (an `-A` rule) as the `-C` check for it.
    static func check(_ rule: [String]) -> [String] {
        rule.map { $0 == "-A" ? "-C" : $0 }
    }

    /// The rule in `chain.parent` that jumps to `chain` (for `-C`, `-I … 1` and `-D`).
    static func jump(_ chain: Chain, action: String) -> [String] {
        ["-t", chain.table, action, chain.parent] + (action == "-I" ? ["1"] : []) + ["-j", chain.name]
    }
}
