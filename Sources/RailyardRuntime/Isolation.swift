import Foundation

/// The unprivileged user a service's builds and replicas run as: one uid (and a group of the same
/// number) per service, so one service's files are not another's.
public struct AppUser: Sendable, Equatable, Codable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    /// `nobody`, for commands that belong to no service.
    public static let nobody = AppUser(uid: 65534, gid: 65534)

    /// The sandbox's `/etc/passwd`: the host's, without any line for this uid, plus one naming the
    /// service's user `app` with `home` as its home (programs such as initdb refuse a uid with no name).
    public func passwd(host: String, home: String) -> String {
        let kept = host.split(separator: "\n").filter { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return fields.count < 3 || fields[2] != "\(uid)" && fields[0] != "app"
        }
        return (kept + ["app:x:\(uid):\(gid):Railyard app:\(home):/bin/sh"]).joined(separator: "\n") + "\n"
    }

    /// The sandbox's `/etc/group`: the host's plus the `app` group.
    public func group(host: String) -> String {
        let kept = host.split(separator: "\n").filter { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return fields.count < 3 || fields[2] != "\(gid)" && fields[0] != "app"
        }
        return (kept + ["app:x:\(gid):"]).joined(separator: "\n") + "\n"
    }
}

/// How replicas are isolated on this machine, decided once at start and reported by the server.
public struct Isolation: Sendable, Equatable, CustomStringConvertible {
    /// The bubblewrap binary, when present: read-only system, private /tmp, own PID/IPC/UTS namespaces.
    public var bwrapPath: String?
    /// When the server runs as root, the uid of service number 0; service n runs as `userBase + n`.
    /// Nil when not root: apps then run as the server's own user.
    public var userBase: UInt32?
    /// `setpriv`, used to drop to the service's user inside the sandbox.
    public var setprivPath: String?
    /// `prlimit`, which sets rlimits where cgroups cannot be used.
    public var prlimitPath: String?

    /// Far above people's uids, subordinate uid ranges and systemd-nspawn's container range
    /// (524288–1879048191), below 2^31 (some programs keep uids in a signed int).
    public static let defaultUserBase: UInt32 = 1_900_000_000

    public init(bwrapPath: String?, userBase: UInt32?, setprivPath: String?, prlimitPath: String? = nil) {
        self.bwrapPath = bwrapPath
        self.userBase = userBase
        self.setprivPath = setprivPath
        self.prlimitPath = prlimitPath
    }

    /// What this machine offers: bwrap and setpriv from the usual places, a user per service when root.
    public static func detect() -> Isolation {
        let find = { (name: String) -> String? in
            ["/usr/bin/\(name)", "/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        let root = getuid() == 0
        return Isolation(
            bwrapPath: find("bwrap"), userBase: root ? defaultUserBase : nil, setprivPath: find("setpriv"), prlimitPath: find("prlimit")
        )
    }

    /// No isolation at all (tests of the driver's bookkeeping).
    public static let none = Isolation(bwrapPath: nil, userBase: nil, setprivPath: nil)

    /// The user of the service numbered `number` (see `Store.allocatedNumber`), or nil when apps run
    /// as the server's own user.
    public func user(number: Int) -> AppUser? {
        guard let userBase, number >= 0, number < HostShare.usersPerShare, number < Int(Int32.max) - Int(userBase) else { return nil }
        let id = userBase + UInt32(number)
        return AppUser(uid: id, gid: id)
    }

    public var description: String {
        var parts: [String] = []
        parts.append(bwrapPath == nil ? "no sandbox (install bubblewrap for one)" : "bubblewrap sandbox")
        parts.append(userBase == nil ? "the server's own user" : "a user of its own per service")
        return parts.joined(separator: ", ")
    }

    /// The argv that runs `spec` under this isolation; with a cgroup, a shell moves itself into it
    /// first and then execs the rest, so the app and all it forks start inside the limits.
    /// In a network namespace, `nsenter` comes between the two.
    /// Without a cgroup, `prlimit` sets the spec's rlimits first.
    public func argv(for spec: ReplicaSpec) -> [String] {
        let sandboxed = spec.networkEnter + sandboxArgv(for: spec)
        guard let cgroup = spec.cgroup else { return rlimitArgv(spec) + sandboxed }
        return ["/bin/sh", "-c", "\(cgroup.enterCommand) && exec \"$@\"", "railyard-cgroup-enter"] + sandboxed
    }

    /// `prlimit` with the spec's rlimits, or nothing. Memory is the data segment (heap and private
    /// writable mappings): the address-space limit would break runtimes that reserve large ranges
    /// up front (Go, V8). Processes are counted per user, so they are limited only when the app runs
    /// as a user of its own — never the server's, whose own processes would count. CPU time per
    /// second has no rlimit.
    func rlimitArgv(_ spec: ReplicaSpec) -> [String] {
        guard let limits = spec.rlimits, let prlimitPath else { return [] }
        var argv = [prlimitPath, "--data=\(limits.memoryBytes)"]
        if userBase != nil, setprivPath != nil { argv.append("--nproc=\(limits.pids)") }
        return argv + ["--"]
    }

    private func sandboxArgv(for spec: ReplicaSpec) -> [String] {
        var inner = ["/bin/sh", "-c", spec.command]
        if userBase != nil {
            let user = spec.user ?? .nobody
            guard let setprivPath else {
                // Never run an app with the server's root privileges: fail it with the reason instead.
                return ["/bin/sh", "-c", "echo 'railyard: refusing to run the app as root; install setpriv (util-linux)' >&2; exit 126"]
            }
            inner = [setprivPath, "--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups"] + inner
        }
        guard let bwrapPath else { return inner }
        // No --new-session: the spawner already gives the replica a session of its own, and keeping
        // every process of the sandbox in that one process group lets SIGTERM reach the app itself.
        let app = spec.appDirectory.path
        // The new root is bwrap's own tmpfs with the host's top-level entries bound read-only into
        // it (not the host `/` itself), so a volume can be mounted at a path the host lacks (/data).
        var args = [bwrapPath] + Self.rootEntries().flatMap { entry in
            entry.link.map { ["--symlink", $0, "/" + entry.name] } ?? ["--ro-bind", "/" + entry.name, "/" + entry.name]
        }
        args += [
            "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp",
            "--tmpfs", "/root", "--tmpfs", "/home",
        ]
        // /run holds the host's service sockets (PostgreSQL's, D-Bus, the journal) — a read-only
        // bind does not stop connect() — and every replica's namespace: the sandbox gets an empty
        // one, with the resolver's file bound back when /etc/resolv.conf points into it.
        if Self.rootEntries().contains(where: { $0.name == "run" && $0.link == nil }) {
            args += ["--tmpfs", "/run"]
            if let resolver = Self.resolverUnderRun() { args += ["--ro-bind", resolver, resolver] }
        }
        for hidden in spec.hiddenPaths { args += ["--tmpfs", hidden] }
        if let hostsFile = spec.hostsFile { args += ["--ro-bind", hostsFile.path, "/etc/hosts"] }
        if let identity = spec.identityFiles {
            args += ["--ro-bind", identity.passwd.path, "/etc/passwd", "--ro-bind", identity.group.path, "/etc/group"]
        }
        // bwrap makes missing mount points 0700 and root-owned, which the app's user could not
        // traverse: create the app dir's ancestors world-traversable first (existing ones are kept).
        var ancestors: [String] = []
        var ancestor = spec.appDirectory.standardizedFileURL.deletingLastPathComponent()
        while ancestor.path != "/" && !ancestor.path.isEmpty {
            ancestors.insert(ancestor.path, at: 0)
            ancestor = ancestor.deletingLastPathComponent()
        }
        for path in ancestors { args += ["--perms", "0755", "--dir", path] }
        for volume in spec.volumes {
            args += ["--perms", "0755", "--dir", volume.path, "--bind", volume.source.path, volume.path]
        }
        args += [
            "--bind", app, app, "--chdir", app, "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--",
        ]
        return args + inner
    }

    /// The file /etc/resolv.conf resolves to when that is under /run (systemd-resolved, resolvconf).
    static func resolverUnderRun() -> String? {
        let resolved = URL(fileURLWithPath: "/etc/resolv.conf").resolvingSymlinksInPath().path
        return resolved.hasPrefix("/run/") && FileManager.default.fileExists(atPath: resolved) ? resolved : nil
    }

    /// The host's top-level entries a sandbox sees (symlinks kept as symlinks); `/proc`, `/dev`
    /// and `/tmp` are the sandbox's own, and `lost+found` is nobody's business.
    public static func rootEntries(root: String = "/") -> [(name: String, link: String?)] {
        let skipped: Set = ["proc", "dev", "tmp", "lost+found"]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().filter { !skipped.contains($0) }.map { name in
            (name, try? FileManager.default.destinationOfSymbolicLink(atPath: root + name))
        }
    }
}
