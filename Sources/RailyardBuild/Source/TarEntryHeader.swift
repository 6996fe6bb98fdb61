/// One entry of a tar archive as its headers describe it, after GNU long-name and pax records are
/// applied: the raw path (not yet checked), the kind, and the size of the data that follows.
struct TarEntryHeader: Equatable, Sendable {
    /// What an entry is, from the header's type flag.
    enum Kind: Equatable, Sendable {
        case file
        case directory
        case symlink
        case hardLink
        case characterDevice
        case blockDevice
        case fifo
        /// A type flag this reader does not extract (sparse files, volume labels, …).
        case unsupported(UInt8)
    }

    var path: String
    var kind: Kind
    var mode: UInt32
    /// Bytes of data that follow the header in the archive.
    var size: Int
    /// The target of a symlink or hard link.
    var linkTarget: String

    init(path: String, kind: Kind, mode: UInt32 = 0o644, size: Int = 0, linkTarget: String = "") {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.size = size
        self.linkTarget = linkTarget
    }
}
