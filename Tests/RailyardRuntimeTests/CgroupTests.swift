import Foundation
import Testing

@testable import RailyardRuntime

@Suite("Cgroups: per-service memory, CPU and pids limits")
struct CgroupTests {
    static func read(_ url: URL) -> String {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This machine has cgroup v1; v2 is checked against a temporary folder laid out like a v2
    /// cgroupfs (a fake tree: files are plain files, so only what Railyard writes is checked).
    @Test("v2, on a fake tree: controllers handed down, limits written, pids entered, OOM kills read")
    func v2FakeTree() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fake-cgroup2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "cpuset cpu io memory pids".write(to: root.appendingPathComponent("cgroup.controllers"), atomically: true, encoding: .utf8)
        let version = try #require(CgroupVersion.detect(root: root))
        #expect(version == .v2(root: root))

        let group = Cgroup(version: version, name: "railyard/svc-1")
        try group.create(limits: ResourceLimits(memoryBytes: 256 * 1024 * 1024, cpuMillicores: 250, pids: 64))
        #expect(Self.read(root.appendingPathComponent("cgroup.subtree_control")) == "+cpu +memory +pids")
        #expect(Self.read(root.appendingPathComponent("railyard/cgroup.subtree_control")) == "+cpu +memory +pids")
        let dir = root.appendingPathComponent("railyard/svc-1")
        #expect(Self.read(dir.appendingPathComponent("memory.max")) == "268435456")
        #expect(Self.read(dir.appendingPathComponent("cpu.max")) == "25000 100000")
        #expect(Self.read(dir.appendingPathComponent("pids.max")) == "64")
        #expect(group.enterCommand == "echo $$ > '\(dir.path)/cgroup.procs'")
        try group.add(pid: 4242)
        #expect(Self.read(dir.appendingPathComponent("cgroup.procs")) == "4242")
        try "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\n".write(to: dir.appendingPathComponent("memory.events"), atomically: true, encoding: .utf8)
        #expect(group.oomKills == 2)
    }

    @Test("no cgroupfs, no cgroups")
    func absent() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("no-cgroup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(CgroupVersion.detect(root: root) == nil)
    }

    static var v1Writable: Bool {
        guard case .v1 = CgroupVersion.detect() else { return false }
        return getuid() == 0
    }

    /// Runs `command` through `sh -c`, entering `group` first, and waits for it.
    static func runInside(_ group: Cgroup, _ command: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(group.enterCommand) && exec \(command)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("v1, for real: limits are set, a process started inside is in it, and a memory hog is OOM-killed", .enabled(if: v1Writable))
    func v1ForReal() throws {
        let version = try #require(CgroupVersion.detect())
        let group = Cgroup(version: version, name: "railyard-test-\(UUID().uuidString.prefix(8))")
        try group.create(limits: ResourceLimits(memoryBytes: 64 * 1024 * 1024, cpuMillicores: 250, pids: 32))
        defer { group.remove() }
        guard case .v1(let root) = version else { return }
        #expect(Self.read(root.appendingPathComponent("memory/\(group.name)/memory.limit_in_bytes")) == "67108864")
        #expect(Self.read(root.appendingPathComponent("cpu/\(group.name)/cpu.cfs_quota_us")) == "25000")
        #expect(Self.read(root.appendingPathComponent("pids/\(group.name)/pids.max")) == "32")

        let sleeper = try Self.runInside(group, "sleep 30")
        defer { kill(sleeper.processIdentifier, SIGKILL) }
        var membership = ""
        for _ in 0..<50 where !membership.contains(group.name) {
            membership = Self.read(URL(fileURLWithPath: "/proc/\(sleeper.processIdentifier)/cgroup"))
            usleep(20_000)
        }
        #expect(membership.contains("memory:/") && membership.contains(group.name), "\(membership)")
        kill(sleeper.processIdentifier, SIGKILL)
        sleeper.waitUntilExit()

        // 200 MiB in a 64 MiB cgroup: the kernel kills it, and the cgroup counts it.
        let hog = try Self.runInside(group, "/usr/bin/python3 -c 'a = bytearray(200 * 1024 * 1024); print(len(a))'")
        hog.waitUntilExit()
        #expect(hog.terminationReason == .uncaughtSignal && hog.terminationStatus == SIGKILL, "\(hog.terminationReason) \(hog.terminationStatus)")
        #expect(version.pruneEmpty(under: group.name) == 0, "nothing below it")
        #expect(group.oomKills >= 1, "memory.oom_control counts the kill: \(Self.read(root.appendingPathComponent("memory/\(group.name)/memory.oom_control")))")
    }
}

@Suite("--require-sandbox: what must be in force")
struct SandboxCheckTests {
    @Test("each missing part is named with how to get it; nothing is missing with all three")
    func missing() {
        let full = Isolation(bwrapPath: "/usr/bin/bwrap", userBase: Isolation.defaultUserBase, setprivPath: "/usr/bin/setpriv")
        let cgroups = CgroupVersion.v1(root: URL(fileURLWithPath: "/sys/fs/cgroup"))
        #expect(SandboxCheck.missing(isolation: full, cgroups: cgroups, network: nil).isEmpty)
        #expect(SandboxCheck.missing(isolation: .none, cgroups: nil, network: "iptables is missing (apt-get install iptables)") == [
            "the bubblewrap sandbox (apt-get install bubblewrap)",
            "a separate user for apps (run the server as root; each service then runs as a user of its own)",
            "cgroup limits (run as root on a machine with a writable /sys/fs/cgroup)",
            "private networks (iptables is missing (apt-get install iptables))",
        ])
        let noSetpriv = Isolation(bwrapPath: "/usr/bin/bwrap", userBase: Isolation.defaultUserBase, setprivPath: nil)
        #expect(SandboxCheck.missing(isolation: noSetpriv, cgroups: cgroups, network: nil) == ["setpriv to drop to that user (apt-get install util-linux)"])
    }
}
