import Foundation
import Testing

@testable import RailyardRuntime

@Suite("Network separation: addresses, names, allocator and firewall rules")
struct NetworkTests {
    @Test("network n is 10.<100 + n/256>.<n%256>.0/24 with its bridge at .1")
    func addresses() throws {
        let first = try NetworkAddress(number: 0)
        #expect(first.bridge == "ryb0")
        #expect(first.gateway == "10.100.0.1")
        #expect(first.cidr == "10.100.0.0/24")
        #expect(try first.replicaAddress(host: 2) == "10.100.0.2")

        let middle = try NetworkAddress(number: 257)
        #expect(middle.gateway == "10.101.1.1")
        #expect(try middle.replicaAddress(host: 254) == "10.101.1.254")

        let last = try NetworkAddress(number: 32767)
        #expect(last.bridge == "ryb32767")
        #expect(last.cidr == "10.227.255.0/24")
    }

    @Test("numbers outside 0..<32768 and hosts outside 2...254 are refused, saying the range", arguments: [-1, 32768, 100_000])
    func outOfRange(number: Int) throws {
        let error = #expect(throws: RuntimeError.self) { try NetworkAddress(number: number) }
        #expect(error?.description == "network number \(number) is out of range: it must be in 0...32767 (one /24 in 10.100.0.0–10.227.255.255 each)")
        let network = try NetworkAddress(number: 5)
        for host in [0, 1, 255, 256] {
            #expect(throws: RuntimeError.self) { try network.replicaAddress(host: host) }
            #expect(throws: RuntimeError.self) { try network.hostVeth(host: host) }
        }
    }

    @Test("interface names fit in IFNAMSIZ (15 characters) and no two replicas share a veth name")
    func interfaceNames() throws {
        let last = try NetworkAddress(number: NetworkAddress.numbers.upperBound - 1)
        #expect(try last.hostVeth(host: 254) == "ryv32767x254")
        #expect(try last.hostVeth(host: 254).utf8.count <= 15)
        #expect(last.bridge.utf8.count <= 15)
        var seen = Set<String>()
        for number in Array(0..<300) + [1111, 11111, 32767] {
            let network = try NetworkAddress(number: number)
            for host in NetworkAddress.hosts {
                #expect(seen.insert(try network.hostVeth(host: host)).inserted)
            }
        }
    }

    @Test("bridge names map back to their numbers; other names do not")
    func bridgeNumbers() {
        #expect(NetworkAddress.number(ofBridge: "ryb7") == 7)
        #expect(NetworkAddress.number(ofBridge: "ryb32767") == 32767)
        for name in ["ryb07", "ryb", "rybprobe12", "ryb40000", "ryv7x2", "eth0"] {
            #expect(NetworkAddress.number(ofBridge: name) == nil, "\(name)")
        }
    }

    @Test("the allocator hands out the lowest free host number, nil when all are taken")
    func allocator() {
        #expect(NetworkAddress.lowestFreeHost(inUse: []) == 2)
        #expect(NetworkAddress.lowestFreeHost(inUse: [2, 3, 5]) == 4)
        #expect(NetworkAddress.lowestFreeHost(inUse: [1, 0, 255]) == 2)
        #expect(NetworkAddress.lowestFreeHost(inUse: Array(2...253)) == 254)
        #expect(NetworkAddress.lowestFreeHost(inUse: Array(2...254)) == nil)
    }

    @Test("the subnets together are exactly 10.100.0.0–10.227.255.255 in six CIDR blocks")
    func allSubnets() {
        #expect(NetworkAddress.allSubnets == [
            "10.100.0.0/14", "10.104.0.0/13", "10.112.0.0/12", "10.128.0.0/10", "10.192.0.0/11", "10.224.0.0/14",
        ])
        #expect(NetworkAddress.cidrs(from: 0, through: .max) == ["0.0.0.0/0"])
        #expect(NetworkAddress.cidrs(from: 10 << 24 | 5, through: 10 << 24 | 5) == ["10.0.0.5/32"])
        #expect(NetworkAddress.cidrs(from: 10 << 24 | 1, through: 10 << 24 | 6) == ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"])
    }

    @Test("replica ids name namespaces: lowercase letters, digits and '-'")
    func replicaIds() throws {
        let network = try NetworkAddress(number: 3)
        let replica = try ReplicaNetwork(replicaId: "3f2a0c1e-9b7d-4e55-a0aa-0123456789ab", network: network, host: 9)
        #expect(replica.namespace == "ry-3f2a0c1e-9b7d-4e55-a0aa-0123456789ab")
        #expect(replica.address == "10.100.3.9")
        #expect(replica.hostVeth == "ryv3x9")
        #expect(replica.enterArgv.dropFirst() == ["--net=/run/netns/ry-3f2a0c1e-9b7d-4e55-a0aa-0123456789ab", "--"])
        #expect(replica.enterArgv.first?.hasSuffix("/nsenter") == true)
        for id in ["", "ABC", "a b", "a/b", "-x", "x;y", String(repeating: "a", count: 65)] {
            #expect(throws: RuntimeError.self, "\(id)") { try ReplicaNetwork(replicaId: id, network: network, host: 2) }
        }
    }

    @Test("the firewall's rules, in order")
    func rules() {
        let input = ["-t", "filter", "-A", "RAILYARD-INPUT", "-i", "ryb+"]
        let forward = ["-t", "filter", "-A", "RAILYARD-FORWARD"]
        let nat = ["-t", "nat", "-A", "RAILYARD-POSTROUTING", "-s"]
        let masquerade = ["!", "-o", "ryb+", "-j", "MASQUERADE"]
        #expect(Firewall.rules(edgePorts: [443, 80, 443]) == [
            input + ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            input + ["-p", "tcp", "-m", "tcp", "--dport", "80", "-j", "ACCEPT"],
            input + ["-p", "tcp", "-m", "tcp", "--dport", "443", "-j", "ACCEPT"],
            input + ["-j", "DROP"],
            forward + ["-i", "ryb+", "-o", "ryb+", "-m", "physdev", "--physdev-is-bridged", "-j", "ACCEPT"],
            forward + ["-i", "ryb+", "-o", "ryb+", "-j", "DROP"],
            forward + ["-i", "ryb+", "-d", "169.254.0.0/16", "-j", "DROP"],
            forward + ["-i", "ryb+", "-j", "ACCEPT"],
            forward + ["-o", "ryb+", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            forward + ["-o", "ryb+", "-j", "DROP"],
            nat + ["10.100.0.0/14"] + masquerade,
            nat + ["10.104.0.0/13"] + masquerade,
            nat + ["10.112.0.0/12"] + masquerade,
            nat + ["10.128.0.0/10"] + masquerade,
            nat + ["10.192.0.0/11"] + masquerade,
            nat + ["10.224.0.0/14"] + masquerade,
        ])
        #expect(Firewall.jump(Firewall.chains[0], action: "-I") == ["-t", "filter", "-I", "INPUT", "1", "-j", "RAILYARD-INPUT"])
        #expect(Firewall.jump(Firewall.chains[2], action: "-C") == ["-t", "nat", "-C", "POSTROUTING", "-j", "RAILYARD-POSTROUTING"])
    }

    @Test("a failing host command throws naming the command, its exit status and its stderr")
    func hostCommandFailure() throws {
        let error = #expect(throws: RuntimeError.self) { try HostCommand.run(["/bin/sh", "-c", "echo out; echo 'no such device' >&2; exit 3"]) }
        #expect(error?.description == "`/bin/sh -c echo out; echo 'no such device' >&2; exit 3` failed (exit 3): no such device")
        #expect(try HostCommand.run(["/bin/sh", "-c", "echo fine"]) == "fine\n")
        let missing = #expect(throws: RuntimeError.self) { try HostCommand.run(["railyard-no-such-tool"]) }
        #expect(missing?.description.hasPrefix("`railyard-no-such-tool` is not installed") == true)
    }

    @Test("stale edge rules: untagged ones and those of shares that are free or being claimed afresh")
    func staleEdgeRules() {
        let listing = """
            -N RAILYARD-INPUT
            -A RAILYARD-INPUT -i ryb+ -p tcp -m tcp --dport 9001 -m comment --comment railyard-share-0 -j ACCEPT
            -A RAILYARD-INPUT -i ryb+ -p tcp -m tcp --dport 9002 -m comment --comment "railyard-share-3" -j ACCEPT
            -A RAILYARD-INPUT -i ryb+ -p tcp -m tcp --dport 9003 -j ACCEPT
            -A RAILYARD-INPUT -i ryb+ -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A RAILYARD-INPUT -i ryb+ -j DROP
            """
        let stale = Firewall.staleEdgeRules(listing: listing) { $0 == 3 }
        #expect(stale == [
            ["-t", "filter", "-D", "RAILYARD-INPUT", "-i", "ryb+", "-p", "tcp", "-m", "tcp", "--dport", "9002", "-m", "comment", "--comment", "railyard-share-3", "-j", "ACCEPT"],
            ["-t", "filter", "-D", "RAILYARD-INPUT", "-i", "ryb+", "-p", "tcp", "-m", "tcp", "--dport", "9003", "-j", "ACCEPT"],
        ])
    }

    @Test("a replica's MAC is fixed by its address, locally administered")
    func macAddress() throws {
        let replica = try ReplicaNetwork(replicaId: "r1", network: NetworkAddress(number: 257), host: 12)
        #expect(replica.address == "10.101.1.12")
        #expect(replica.macAddress == "02:00:0a:65:01:0c")
    }
}
