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

    /// Networks when this machine can separate them (root, `ip`, `nsenter`, a working iptables);
    /// else nil and the reason, which the server logs.
    static func detect() -> (networks: ReplicaNetworks?, unavailable: String?) {
        if let reason = NetworkSeparation.available() { return (nil, reason) }
        return (ReplicaNetworks(), nil)
    }

    /// Installs the firewall that keeps networks apart, letting replicas reach the edge's `port`.
    func open(edgePort: Int) async throws {
        try await Self.blocking { try NetworkSeparation.installFirewall(edgePorts: [edgePort]) }
    }

    /// Takes the edge's port out of what replicas may reach (the server is stopping).
    func close(edgePort: Int) async {
        try? await Self.blocking { try NetworkSeparation.closeEdgePort(edgePort) }
    }

    /// A namespace for `replicaId` on network `number`, with the network's lowest free address.
    func attach(replicaId: String, network number: Int) async throws -> ReplicaNetwork {
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
            throw error
        }
    }

    /// Removes a replica's namespace and frees its address (after its processes ended).
    func detach(_ replica: ReplicaNetwork) async {
        try? await Self.blocking { try NetworkSeparation.removeReplica(id: replica.replicaId) }
        release(network: replica.network.number, host: replica.host)
    }

    /// The network place of a replica a restarted server found running at `address`, marked taken.
    func adopt(replicaId: String, address: String, network number: Int) -> ReplicaNetwork? {
        guard let host = address.split(separator: ".").last.flatMap({ Int($0) }),
            let network = try? NetworkAddress(number: number),
            let replica = try? ReplicaNetwork(replicaId: replicaId, network: network, host: host),
            replica.address == address
        else { return nil }
        taken.withLock { _ = $0[number, default: []].insert(host) }
        return replica
    }

    /// Removes the namespaces nothing runs in any more (replicas that ended while no server
    /// watched), except those in `keep`. Another server's replicas on this host are never touched:
    /// their namespaces have processes in them.
    func prune(keeping keep: Set<String>) async {
        let candidates = (try? await Self.blocking { NetworkSeparation.existingReplicaNamespaces() }) ?? []
        for id in candidates where !keep.contains(id) {
            _ = try? await Self.blocking {
                if !NetworkSeparation.isInUse(replicaId: id) { try NetworkSeparation.removeReplica(id: id) }
            }
        }
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
