import Foundation
import Testing

@testable import RailyardRuntime

/// Real bridges, namespaces and iptables rules on this machine (as root), checked with real TCP
/// connections. Networks are numbered near the top of the range and replica ids are fresh per run;
/// everything is removed at the end, including the firewall (so do not run this next to a server
/// that relies on it).
@Suite("Network separation, for real: who can connect to whom", .serialized)
struct LiveNetworkTests {
    static let python = "/usr/bin/python3"
    static var usable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: python) && NetworkSeparation.available() == nil
    }

    /// Whether a TCP connection to host:port succeeds within a second, from inside the namespace
    /// `enter` leads into (the host itself when empty).
    static func connects(_ enter: [String], _ host: String, _ port: Int) throws -> Bool {
        let code = "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()"
        let process = try run(enter + [python, "-c", code, host, "\(port)"])
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Starts `argv` with its output discarded.
    static func run(_ argv: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A listener on 0.0.0.0:port inside `enter`'s namespace (the host when empty), once it accepts.
    static func listen(_ enter: [String], port: Int) throws -> Process {
        let server = try run(enter + [python, "-m", "http.server", "\(port)", "--bind", "0.0.0.0"])
        for _ in 0..<100 {
            if try connects(enter, "127.0.0.1", port) { return server }
            usleep(50_000)
        }
        server.terminate()
        throw RuntimeError("the listener on port \(port) did not come up")
    }

    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func shell(_ command: String) throws -> String {
        try HostCommand.run(["/bin/sh", "-c", command])
    }

    @Test("replicas reach their own network and the edge port, never another network nor other host services", .enabled(if: usable))
    func separation() throws {
        let tag = UUID().uuidString.lowercased().prefix(8)
        // A share of the host of its own, like a server's: servers starting meanwhile then keep its
        // edge rule and its namespaces.
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-live-network-\(tag)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let share = try HostShare.claim(dataDirectory: dataDirectory)
        let (numberA, numberB) = (try share.network(200 + Int.random(in: 0..<20)), try share.network(230 + Int.random(in: 0..<20)))
        let ids = ["a1", "a2", "b1"].map { "t\(tag)-\($0)" }
        let hostPort = try PortProbe.freePort()
        let edgePort = try PortProbe.freePort()
        let appPort = try PortProbe.freePort()
        // Held on the host (bound, never listening) for the whole test: the replicas listen on it in
        // their own namespaces, and no other process of a parallel run can take it on the host, where
        // "host loopback → A1's port" must find nothing.
        let hostHold = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(hostHold) }
        var any = sockaddr_in()
        any.sin_family = sa_family_t(AF_INET)
        any.sin_port = UInt16(appPort).bigEndian
        any.sin_addr.s_addr = INADDR_ANY
        let held = withUnsafePointer(to: &any) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(hostHold, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(held == 0, "could not hold port \(appPort) on the host")
        var listeners: [Process] = []
        defer {
            listeners.forEach(Self.stop)
            for id in ids { try? NetworkSeparation.removeReplica(id: id) }
            try? NetworkSeparation.removeNetwork(numberA)
            try? NetworkSeparation.removeNetwork(numberB)
            try? NetworkSeparation.closeEdgePort(edgePort, share: share.index)
        }

        try NetworkSeparation.installFirewall(edgePorts: [edgePort], share: share.index)
        try NetworkSeparation.installFirewall(edgePorts: [edgePort], share: share.index)
        let inputJumps = try Self.shell("iptables -w -S INPUT").split(separator: "\n").filter { $0.contains("RAILYARD-INPUT") }
        #expect(inputJumps == ["-A INPUT -j RAILYARD-INPUT"], "installing twice jumps once")

        let networkA = try NetworkSeparation.ensureNetwork(numberA)
        try NetworkSeparation.ensureNetwork(numberA)
        _ = try NetworkSeparation.createReplica(id: ids[0], network: numberA, host: 2)
        let a1 = try NetworkSeparation.createReplica(id: ids[0], network: numberA, host: 2)
        let a2 = try NetworkSeparation.createReplica(id: ids[1], network: numberA, host: 3)
        let b1 = try NetworkSeparation.createReplica(id: ids[2], network: numberB, host: 2)
        #expect(Set(NetworkSeparation.existingReplicaNamespaces()).isSuperset(of: ids))
        #expect(Set(NetworkSeparation.existingNetworks()).isSuperset(of: [numberA, numberB]))
        #expect(try Self.shell("ip -n \(a1.namespace) -6 -o addr").isEmpty, "no IPv6 address inside")
        #expect(try Self.shell("ip -6 -o addr show dev \(a1.hostVeth); ip -6 -o addr show dev \(networkA.bridge)").isEmpty, "nor outside")
        #expect(try Self.shell("ip netns exec \(a1.namespace) cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6") == "1\n")

        for replica in [a1, a2, b1] { listeners.append(try Self.listen(replica.enterArgv, port: appPort)) }
        listeners.append(try Self.listen([], port: hostPort))
        listeners.append(try Self.listen([], port: edgePort))

        // 1. Within one network, and from the host (the edge's way in).
        #expect(try Self.connects(a1.enterArgv, a2.address, appPort), "A1 → A2")
        #expect(try Self.connects(a2.enterArgv, a1.address, appPort), "A2 → A1")
        #expect(try Self.connects([], a1.address, appPort), "host → A1")
        #expect(try Self.connects([], b1.address, appPort), "host → B1")
        // 2. Across networks.
        #expect(try !Self.connects(a1.enterArgv, b1.address, appPort), "A1 → B1")
        #expect(try !Self.connects(b1.enterArgv, a2.address, appPort), "B1 → A2")
        // 3. Host services: only the edge port, on any host address.
        let hostAddresses = try Self.shell("ip -4 -o addr show scope global | awk '$2 !~ /^ryb/ {print $4}' | cut -d/ -f1")
            .split(separator: "\n").map(String.init)
        for address in [networkA.gateway] + hostAddresses {
            #expect(try !Self.connects(a1.enterArgv, address, hostPort), "A1 → host service at \(address)")
            #expect(try Self.connects(a1.enterArgv, address, edgePort), "A1 → edge at \(address)")
        }
        // 4. An app on 0.0.0.0 listens in its namespace only.
        #expect(try !Self.connects([], "127.0.0.1", appPort), "host loopback → A1's port")

        // The control: the connections above were dropped by Railyard's rules (their DROP counters
        // moved), not by something else. (The chains are shared with any server running on this
        // host, so the test never removes them.)
        let dropsBefore = try Self.dropCounts()
        #expect(try !Self.connects(a1.enterArgv, b1.address, appPort))
        #expect(try !Self.connects(a1.enterArgv, networkA.gateway, hostPort))
        let dropsAfter = try Self.dropCounts()
        #expect(dropsAfter.forward > dropsBefore.forward && dropsAfter.input > dropsBefore.input, "\(dropsBefore) → \(dropsAfter)")

        // 5. Nothing left behind.
        for id in ids { try NetworkSeparation.removeReplica(id: id) }
        try NetworkSeparation.removeReplica(id: ids[0])
        try NetworkSeparation.removeNetwork(numberA)
        try NetworkSeparation.removeNetwork(numberB)
        try NetworkSeparation.closeEdgePort(edgePort, share: share.index)
        try NetworkSeparation.closeEdgePort(edgePort, share: share.index)
        let namespaces = try Self.shell("ip netns list")
        let links = try Self.shell("ip -o link")
        let rules = try Self.shell("iptables -w -S; iptables -w -t nat -S")
        for id in ids { #expect(!namespaces.contains(id), "\(namespaces)") }
        for name in [networkA.bridge, b1.network.bridge, a1.hostVeth, a2.hostVeth, b1.hostVeth] {
            #expect(!links.contains("\(name):") && !links.contains("\(name)@"), "\(name) in \(links)")
        }
        #expect(!rules.contains("--dport \(edgePort) "), "its edge port is closed again: \(rules)")
    }

    /// Packets the final DROP rules of RAILYARD-INPUT and RAILYARD-FORWARD have dropped so far.
    static func dropCounts() throws -> (input: Int, forward: Int) {
        func count(_ chain: String) throws -> Int {
            let lines = try shell("iptables -w -n -v -x -L \(chain)").split(separator: "\n")
            // The unconditional DROP: target DROP, any protocol, no match beyond the interfaces.
            return lines.filter { $0.contains(" DROP ") && !$0.contains("physdev") }
                .compactMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).first ?? "") }.reduce(0, +)
        }
        return (try count("RAILYARD-INPUT"), try count("RAILYARD-FORWARD"))
    }
}
