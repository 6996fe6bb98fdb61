/// An archive entry that passed validation: what to create, where (components under the snapshot
/// root), with which permission bits. Symlink targets are known to stay inside the snapshot.
struct ArchiveEntry: Equatable, Sendable {
    /// What to create.
    enum Kind: Equatable, Sendable {
        case file(size: Int, executable: Bool)
        case directory
        case symlink(target: String)
    }

    var components: [String]
    var kind: Kind

    var path: String { components.joined(separator: "/") }

    /// The permission bits a file is created with: 0755 when the archive marked it executable,
    /// 0644 otherwise (owners and other bits are ignored).
    var fileMode: UInt32 {
        if case .file(_, true) = kind { return 0o755 }
        return 0o644
    }
}
