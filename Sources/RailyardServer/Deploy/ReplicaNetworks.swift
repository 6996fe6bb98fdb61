import Dispatch
import Foundation
import RailyardCore
import RailyardRuntime
import Synchronization

/// This server's private replica networks (docs/isolation.md): one per project-environment (its
/// number allocated once by the store), a network namespace per replica. Tracks which host numbers
/// each network has handed out, and runs the blocking `ip` work off Swift's cooperative threads.
final class ReplicaNetworks: Sendable {
    private let taken = Mutex<[Int: Set<Int>]>([:])
    /// Replicas (and pre-deploy commands) with a namespace made or being made by this server.
    private let attached = Mutex<Set<String>>([])
    /// The private names each network publishes: replica id → (service name, address), and where
    /// its hosts file is written (`<dir>/<network>/hosts`, bound over each sandbox's /etc/hosts).
    private let names = Mutex<[Int: [String: (service: String, address: String)]]>([:])
    let hostsDirectory: URL

    /// This server's share of the host: its networks, and the tag on its firewall rules.
    let share: HostShare

    init(hostsDirectory: URL, share: HostShare) {
        self.hostsDirectory = hostsDirectory
        self.share = share
    }

    /// The suffix of private names: `<service>.railyard.internal`.
    static let privateSuffix = ".railyard.internal"

    /// Networks when this machine can separate them (root, `ip`, `nsenter`, a working iptables);
    /// else nil and the reason, which the server logs.
    static func detect(hostsDirectory: URL, share: HostShare) -> (networks: ReplicaNetworks?, unavailable: String?) {
        if let reason = NetworkSeparation.available() { return (nil, reason) }
        return (ReplicaNetworks(hostsDirectory: hostsDirectory, share: share), nil)
    }

    // MARK: Private names

    /// Network `number`'s hosts file, written first if it does not exist yet.
    func hostsFile(network number: Int) -> URL {
        let file = hostsDirectory.appendingPathComponent("\(number)/hosts")
        if !FileManager.default.fileExists(atPath: file.path) { names.withLock { writeHosts(number, $0[number] ?? [:]) } }
        return file
    }

    /// Lists a healthy replica under `<service>.railyard.internal` in its network's hosts file.
    func publish(_ replica: ReplicaNetwork, service: String) {
        names.withLock { names in
            names[replica.network.number, default: [:]][replica.replicaId] = (service, replica.address)
            writeHosts(replica.network.number, names[replica.network.number] ?? [:])
        }
    }

    /// Takes a replica out of its network's hosts file.
    func unpublish(_ replica: ReplicaNetwork) {
        names.withLock { names in
            guard names[replica.network.number]?.removeValue(forKey: replica.replicaId) != nil else { return }
            writeHosts(replica.network.number, names[replica.network.number] ?? [:])
        }
    }

    /// The hosts file of a network: the host's own lines, then one line per published replica.
    static func hosts(host: String, published: [(service: String, address: String)]) -> String {
        let kept = host.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains(privateSuffix) }
        let lines = published.sorted { ($0.service, $0.address) < ($1.service, $1.address) }
            .map { "\($0.address) \($0.service)\(privateSuffix)" }
        return kept.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n# Railyard private network\n"
            + lines.map { $0 + "\n" }.joined()
    }

    /// Rewrites the file in place, never by rename: sandboxes bind the file itself, and a renamed-in
    /// file would be a new one they never see.
    private func writeHosts(_ number: Int, _ published: [String: (service: String, address: String)]) {
        let file = hostsDirectory.appendingPathComponent("\(number)/hosts")
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let host = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? "127.0.0.1 localhost\n"
        let data = Array(Self.hosts(host: host, published: Array(published.values)).utf8)
        let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        _ = fchmod(fd, 0o644)
    }

    /// Installs the firewall that keeps networks apart, letting replicas reach the edge's ports (HTTP, and HTTPS when on).
    func installFirewall(edgePorts: [Int]) async throws {
        try await Self.blocking { [share] in try NetworkSeparation.installFirewall(edgePorts: edgePorts, share: share.index) }
    }

    /// Takes the edge's ports out of what replicas may reach (the server is stopping).
    func closeEdge(ports: [Int]) async {
        for port in ports {
            try? await Self.blocking { [share] in try NetworkSeparation.closeEdgePort(port, share: share.index) }
        }
    }

    /// A namespace for `replicaId` on network `number`, with the network's lowest free address.
    func attach(replicaId: String, network number: Int) async throws -> ReplicaNetwork {
        attached.withLock { _ = $0.insert(replicaId) }
        let host = try taken.withLock { taken -> Int in
            guard let host = NetworkAddress.lowestFreeHost(inUse: taken[number] ?? []) else {
                throw RailyardError(
                    .conflict, "this project-environment's network has no free address (\(NetworkAddress.hosts.count) replicas at most)"
                )
            }
            taken[number, default: []].insert(host)
            return host
        }
        do {
            return try await Self.blocking { try NetworkSeparation.createReplica(id: replicaId, network: number, host: host) }
        } catch {
            release(network: number, host: host)
            attached.withLock { _ = $0.remove(replicaId) }
            throw error
        }
    }

    /// Removes a replica's name, namespace and address (after its processes ended).
    func detach(_ replica: ReplicaNetwork) async {
        unpublish(replica)
        try? await Self.blocking { try NetworkSeparation.removeReplica(id: replica.replicaId) }
        release(network: replica.network.number, host: replica.host)
        attached.withLock { _ = $0.remove(replica.replicaId) }
    }

    /// The network place of a replica a restarted server found running at `address`, marked taken.
    func adopt(replicaId: String, address: String, network number: Int) -> ReplicaNetwork? {
        guard let host = address.split(separator: ".").last.flatMap({ Int($0) }),
            let network = try? NetworkAddress(number: number),
            let replica = try? ReplicaNetwork(replicaId: replicaId, network: network, host: host),
            replica.address == address
        else { return nil }
        taken.withLock { _ = $0[number, default: []].insert(host) }
        attached.withLock { _ = $0.insert(replicaId) }
        return replica
    }

    /// Removes the namespaces of this server's networks that nothing runs in any more (replicas
    /// that ended while no server watched), except those in `keep` (recorded) and those this server
    /// is making right now. Namespaces on other servers' networks are theirs to prune.
    func prune(keeping keep: Set<String>) async {
        let candidates = (try? await Self.blocking { NetworkSeparation.existingReplicaNamespaces() }) ?? []
        for id in candidates where !keep.contains(id) && !attached.withLock({ $0.contains(id) }) {
            _ = try? await Self.blocking { [share] in
                guard let network = NetworkSeparation.network(ofReplica: id), share.owns(network: network),
                    !NetworkSeparation.isInUse(replicaId: id)
                else { return }
                try NetworkSeparation.removeReplica(id: id)
            }
        }
    }

    /// Marks the addresses of recorded replicas taken before any release starts new ones, so a
    /// fresh replica never gets the address of one still running that its runner adopts later.
    func reserve(addresses: [String]) {
        taken.withLock { taken in
            for address in addresses {
                guard let (network, host) = Self.place(of: address) else { continue }
                taken[network, default: []].insert(host)
            }
        }
    }

    /// Gives back a recorded replica's address and removes its namespace (it was not adopted).
    func forget(replicaId: String, address: String) async {
        try? await Self.blocking { try NetworkSeparation.removeReplica(id: replicaId) }
        if let (network, host) = Self.place(of: address) { release(network: network, host: host) }
    }

    /// The network number and host number of a replica address `10.<100+n/256>.<n%256>.<host>`.
    static func place(of address: String) -> (network: Int, host: Int)? {
        let parts = address.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4, parts[0] == 10, (100..<228).contains(parts[1]), (0..<256).contains(parts[2]),
            NetworkAddress.hosts.contains(parts[3])
        else { return nil }
        return ((parts[1] - 100) * 256 + parts[2], parts[3])
    }

    private func release(network: Int, host: Int) {
        taken.withLock { _ = $0[network]?.remove(host) }
    }

    /// Runs `work` on a Dispatch thread: `ip` and `iptables` block while they run.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
