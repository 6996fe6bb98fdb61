import Foundation

/// How replicas are isolated on this machine, decided once at start and reported by the server.
public struct Isolation: Sendable, Equatable, CustomStringConvertible {
    /// The bubblewrap binary, when present: read-only system, private /tmp, own PID/IPC/UTS namespaces.
    public var bwrapPath: String?
    /// The uid/gid replicas run as when the server runs as root (nobody); nil when not root.
    public var user: (uid: UInt32, gid: UInt32)?
    /// `setpriv`, used to drop to `user` inside the sandbox.
    public var setprivPath: String?

    public init(bwrapPath: String?, user: (uid: UInt32, gid: UInt32)?, setprivPath: String?) {
        self.bwrapPath = bwrapPath
        self.user = user
        self.setprivPath = setprivPath
    }

    public static func == (lhs: Isolation, rhs: Isolation) -> Bool {
        lhs.bwrapPath == rhs.bwrapPath && lhs.user?.uid == rhs.user?.uid && lhs.user?.gid == rhs.user?.gid
            && lhs.setprivPath == rhs.setprivPath
    }

    /// What this machine offers: bwrap and setpriv from the usual places, `nobody` when running as root.
    public static func detect() -> Isolation {
        let find = { (name: String) -> String? in
            ["/usr/bin/\(name)", "/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        let root = getuid() == 0
        return Isolation(bwrapPath: find("bwrap"), user: root ? (65534, 65534) : nil, setprivPath: find("setpriv"))
    }

    /// No isolation at all (tests of the driver's bookkeeping).
    public static let none = Isolation(bwrapPath: nil, user: nil, setprivPath: nil)

    public var description: String {
        var parts: [String] = []
        parts.append(bwrapPath == nil ? "no sandbox (install bubblewrap for one)" : "bubblewrap sandbox")
        if let user { parts.append("uid \(user.uid)") } else { parts.append("the server's own user") }
        return parts.joined(separator: ", ")
    }

    /// The argv that runs `spec` under this isolation; with a cgroup, a shell moves itself into it
    /// first and then execs the rest, so the app and all it forks start inside the limits.
    public func argv(for spec: ReplicaSpec) -> [String] {
        let sandboxed = sandboxArgv(for: spec)
        guard let cgroup = spec.cgroup else { return sandboxed }
        return ["/bin/sh", "-c", "\(cgroup.enterCommand) && exec \"$@\"", "railyard-cgroup-enter"] + sandboxed
    }

    private func sandboxArgv(for spec: ReplicaSpec) -> [String] {
        var inner = ["/bin/sh", "-c", spec.command]
        if let user {
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
        for hidden in spec.hiddenPaths { args += ["--tmpfs", hidden] }
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
