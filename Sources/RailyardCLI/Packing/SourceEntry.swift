/// One thing a source archive holds: a folder, a regular file or a symbolic link, at a path
/// relative to the packed folder (components joined by `/`, no leading or trailing slash).
public struct SourceEntry: Sendable, Equatable {
    /// What the entry is.
    public enum Kind: Sendable, Equatable {
        case directory
        /// A regular file of `size` bytes; `executable` when its owner may execute it.
        case file(size: Int64, executable: Bool)
        /// A symbolic link, kept as a link to `target`.
        case symlink(target: String)
    }

    /// Where the entry sits, relative to the packed folder.
    public var path: String
    /// Folder, file or link.
    public var kind: Kind

    /// An entry at `path`.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// The permission bits written to the archive, normalized as git does so the same folder
    /// packs the same whatever the umask: 0755 for folders and executables, 0644 for other files,
    /// 0777 for links.
    public var mode: UInt32 {
        switch kind {
        case .directory: 0o755
        case .file(_, let executable): executable ? 0o755 : 0o644
        case .symlink: 0o777
        }
    }

    /// The bytes of the file's content; 0 for folders and links.
    public var size: Int64 {
        if case .file(let size, _) = kind { return size }
        return 0
    }
}
