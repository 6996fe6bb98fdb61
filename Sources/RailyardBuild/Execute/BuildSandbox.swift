import Foundation

/// How build commands are confined: the argv that runs one shell command inside the sandbox, and
/// the user the app folder is handed to before the first command (so an unprivileged build can
/// write it). Without one, commands run as the server's own user.
public struct BuildSandbox: Sendable {
    /// The user and group that own the app folder during and after the build.
    public var owner: (uid: UInt32, gid: UInt32)?
    /// The full argv (absolute executable first) that runs `command` with `appDirectory` as its folder.
    public var argv: @Sendable (_ command: String, _ appDirectory: URL) -> [String]

    public init(owner: (uid: UInt32, gid: UInt32)?, argv: @escaping @Sendable (_ command: String, _ appDirectory: URL) -> [String]) {
        self.owner = owner
        self.argv = argv
    }

    /// Hands every file of `root` to the owner, and makes `root` itself private to them.
    public func handOver(_ root: URL) {
        guard let owner else { return }
        _ = chown(root.path, owner.uid, owner.gid)
        _ = chmod(root.path, 0o700)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return }
        for case let relative as String in walker {
            _ = lchown(root.appendingPathComponent(relative).path, owner.uid, owner.gid)
        }
    }
}
