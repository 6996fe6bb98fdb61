import Foundation

/// A service's resource limits. The defaults are the seed guide's Kubernetes manifest: 512 MiB of
/// memory and half a CPU as limits, plus a pids limit that stops a fork bomb.
public struct ResourceLimits: Codable, Sendable, Equatable {
    public var memoryBytes: Int64
    /// CPU time per wall-clock second, in thousandths of a CPU (500 = half a CPU).
    public var cpuMillicores: Int
    public var pids: Int

    public static let `default` = ResourceLimits(memoryBytes: 512 * 1024 * 1024, cpuMillicores: 500, pids: 512)
    /// Generous limits for the parent `railyard` group: each replica's own group holds the real ones.
    static let unlimitedParent = ResourceLimits(memoryBytes: 1 << 50, cpuMillicores: 1_000_000, pids: 1 << 20)

    /// These limits, each no higher than `ceiling`'s.
    public func clamped(to ceiling: ResourceLimits) -> ResourceLimits {
        ResourceLimits(
            memoryBytes: min(memoryBytes, ceiling.memoryBytes), cpuMillicores: min(cpuMillicores, ceiling.cpuMillicores),
            pids: min(pids, ceiling.pids)
        )
    }

    /// The memory limit in words, e.g. `512 MiB`.
    public var memoryDescription: String { "\(memoryBytes / 1024 / 1024) MiB" }

    public init(memoryBytes: Int64, cpuMillicores: Int, pids: Int) {
        self.memoryBytes = memoryBytes
        self.cpuMillicores = cpuMillicores
        self.pids = pids
    }
}

/// The cgroup filesystem of this machine: v1 (one hierarchy per controller, as here) or v2 (one
/// unified hierarchy). Both are handled; the root is injectable so v2 can be tested on a fake tree.
public enum CgroupVersion: Sendable, Equatable {
    case v1(root: URL)
    case v2(root: URL)

    /// The cgroups Railyard can use here: the detected layout when running as root and a
    /// `railyard` group can be made in it, else nil (limits are then not enforced; the server says so).
    public static func usable(root: URL = URL(fileURLWithPath: "/sys/fs/cgroup")) -> CgroupVersion? {
        guard getuid() == 0, let version = detect(root: root) else { return nil }
        let probe = Cgroup(version: version, name: "railyard")
        do {
            try probe.create(limits: .unlimitedParent)
        } catch {
            return nil
        }
        return version
    }

    /// Removes the empty cgroups under `parent` (e.g. `railyard`): those of replicas that ended while
    /// no server watched them. A cgroup with a process in it cannot be removed, so running replicas
    /// keep theirs. Returns how many were removed.
    @discardableResult
    public func pruneEmpty(under parent: String) -> Int {
        let base: URL
        switch self {
        case .v1(let root): base = root.appendingPathComponent("memory/\(parent)", isDirectory: true)
        case .v2(let root): base = root.appendingPathComponent(parent, isDirectory: true)
        }
        let children = (try? FileManager.default.contentsOfDirectory(at: base, includingPropertiesForKeys: [.isDirectoryKey])) ?? []
        return children.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .filter { Cgroup(version: self, name: "\(parent)/\($0.lastPathComponent)").remove() }
            .count
    }

    /// The layout under `root` (default `/sys/fs/cgroup`), or nil when there is no usable cgroupfs.
    public static func detect(root: URL = URL(fileURLWithPath: "/sys/fs/cgroup")) -> CgroupVersion? {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: root.appendingPathComponent("cgroup.controllers").path) { return .v2(root: root) }
        let controllers = ["memory", "cpu", "pids"]
        if controllers.allSatisfy({ fileManager.fileExists(atPath: root.appendingPathComponent("\($0)/cgroup.procs").path) }) {
            return .v1(root: root)
        }
        return nil
    }
}

/// One cgroup (per service, e.g. `railyard/<service-id>`) with memory, CPU and pids limits.
/// Processes enter it by writing their pid to `cgroup.procs` (see `enterCommand`), before they exec
/// the app, so nothing they fork can escape it.
public struct Cgroup: Sendable, Equatable {
    public var version: CgroupVersion
    /// The path below each hierarchy's root, e.g. `railyard/3f2a…`.
    public var name: String

    /// The CFS period the CPU quota is a share of, in microseconds.
    static let period = 100_000

    public init(version: CgroupVersion, name: String) {
        self.version = version
        self.name = name
    }

    /// The folders of this cgroup: one per controller on v1, one on v2.
    public var directories: [URL] {
        switch version {
        case .v1(let root): Self.v1Controllers(root).map { root.appendingPathComponent("\($0)/\(name)", isDirectory: true) }
        case .v2(let root): [root.appendingPathComponent(name, isDirectory: true)]
        }
    }

    /// The v1 hierarchies a cgroup is made in: memory, cpu and pids for the limits, and cpuacct (for
    /// the CPU time the autoscaler reads) where it is a hierarchy of its own rather than part of cpu's.
    static func v1Controllers(_ root: URL) -> [String] {
        let cpuacct = root.appendingPathComponent("cpuacct/cgroup.procs").path
        let separate = FileManager.default.fileExists(atPath: cpuacct)
            && !FileManager.default.fileExists(atPath: root.appendingPathComponent("cpu/cpuacct.usage").path)
        return ["memory", "cpu", "pids"] + (separate ? ["cpuacct"] : [])
    }

    /// Creates the cgroup (and, on v2, enables the controllers down to it) and writes `limits`.
    public func create(limits: ResourceLimits) throws {
        let fileManager = FileManager.default
        switch version {
        case .v1(let root):
            for directory in directories { try fileManager.createDirectory(at: directory, withIntermediateDirectories: true) }
            try write("\(limits.memoryBytes)", to: root.appendingPathComponent("memory/\(name)/memory.limit_in_bytes"))
            try write("\(Self.period)", to: root.appendingPathComponent("cpu/\(name)/cpu.cfs_period_us"))
            try write("\(limits.cpuMillicores * Self.period / 1000)", to: root.appendingPathComponent("cpu/\(name)/cpu.cfs_quota_us"))
            try write("\(limits.pids)", to: root.appendingPathComponent("pids/\(name)/pids.max"))
        case .v2(let root):
            // Each ancestor must hand the controllers down before a child can use them.
            var current = root
            for part in name.split(separator: "/") {
                try write("+cpu +memory +pids", to: current.appendingPathComponent("cgroup.subtree_control"))
                current = current.appendingPathComponent(String(part), isDirectory: true)
                try fileManager.createDirectory(at: current, withIntermediateDirectories: true)
            }
            try write("\(limits.memoryBytes)", to: current.appendingPathComponent("memory.max"))
            try write("\(limits.cpuMillicores * Self.period / 1000) \(Self.period)", to: current.appendingPathComponent("cpu.max"))
            try write("\(limits.pids)", to: current.appendingPathComponent("pids.max"))
        }
    }

    /// The `cgroup.procs` files a process writes its pid to, to enter this cgroup.
    public var procsFiles: [URL] {
        directories.map { $0.appendingPathComponent("cgroup.procs") }
    }

    /// A shell snippet that moves the shell running it into this cgroup; put it before `exec` of
    /// the real command so the app and everything it forks start inside.
    public var enterCommand: String {
        procsFiles.map { "echo $$ > '\($0.path)'" }.joined(separator: " && ")
    }

    /// Moves a running process in (for processes started before the cgroup existed).
    public func add(pid: Int32) throws {
        for file in procsFiles { try write("\(pid)", to: file) }
    }

    /// How many times the kernel's OOM killer killed a process of this cgroup (0 when unknown).
    public var oomKills: Int {
        switch version {
        case .v1(let root): Self.counter("oom_kill", in: root.appendingPathComponent("memory/\(name)/memory.oom_control"))
        case .v2(let root): Self.counter("oom_kill", in: root.appendingPathComponent("\(name)/memory.events"))
        }
    }

    /// How many forks the pids limit refused so far (0 when unknown).
    public var forksRefused: Int {
        switch version {
        case .v1(let root): Self.counter("max", in: root.appendingPathComponent("pids/\(name)/pids.events"))
        case .v2(let root): Self.counter("max", in: root.appendingPathComponent("\(name)/pids.events"))
        }
    }

    /// The number after `key` in a file of `key value` lines; 0 when the file or the key is missing.
    private static func counter(_ key: String, in file: URL) -> Int {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(key + " ") {
            return Int(line.dropFirst(key.count + 1)) ?? 0
        }
        return 0
    }

    /// Removes the cgroup once no process is in it; false while some still are.
    @discardableResult
    public func remove() -> Bool {
        directories.reversed().allSatisfy { directory in
            rmdir(directory.path) == 0 || errno == ENOENT
        }
    }

    private func write(_ value: String, to file: URL) throws {
        do {
            try Data(value.utf8).write(to: file)
        } catch {
            throw RuntimeError("could not write \(value) to \(file.path): \(error.localizedDescription)")
        }
    }
}

extension Cgroup {
    /// CPU time used by the cgroup's processes so far, in nanoseconds (nil when unreadable).
    public var cpuTimeNanoseconds: UInt64? {
        switch version {
        case .v1(let root):
            return Self.number(in: root.appendingPathComponent("cpu/\(name)/cpuacct.usage"))
                ?? Self.number(in: root.appendingPathComponent("cpuacct/\(name)/cpuacct.usage"))
        case .v2(let root):
            guard let text = try? String(contentsOf: root.appendingPathComponent("\(name)/cpu.stat"), encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("usage_usec ") }),
                let micros = UInt64(line.dropFirst("usage_usec ".count))
            else { return nil }
            return micros * 1000
        }
    }

    /// Memory the cgroup uses now, in bytes (nil when unreadable).
    public var memoryBytes: UInt64? {
        switch version {
        case .v1(let root): Self.number(in: root.appendingPathComponent("memory/\(name)/memory.usage_in_bytes"))
        case .v2(let root): Self.number(in: root.appendingPathComponent("\(name)/memory.current"))
        }
    }

    /// Memory in use less the inactive file cache the kernel reclaims before it kills (what
    /// `docker stats` shows): the figure to compare with the limit.
    public var workingSetBytes: UInt64? {
        guard let usage = memoryBytes else { return nil }
        let (file, key) = switch version {
        case .v1(let root): (root.appendingPathComponent("memory/\(name)/memory.stat"), "total_inactive_file")
        case .v2(let root): (root.appendingPathComponent("\(name)/memory.stat"), "inactive_file")
        }
        guard let text = try? String(contentsOf: file, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + " ") }),
            let inactive = UInt64(line.dropFirst(key.count + 1))
        else { return usage }
        return usage > inactive ? usage - inactive : 0
    }

    private static func number(in file: URL) -> UInt64? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
