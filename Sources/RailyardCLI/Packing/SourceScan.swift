/// What a folder walk found: the entries an upload will hold, in archive order, and what was
/// left out for a reason worth telling the user.
public struct SourceScan: Sendable, Equatable {
    /// Something not packed, and why.
    public struct Skipped: Sendable, Equatable {
        /// The path left out, relative to the packed folder.
        public var path: String
        /// Why, in words for a warning.
        public var reason: String

        /// A skipped path with the reason shown to the user.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// The entries to pack, folders before what they hold, names in byte order.
    public var entries: [SourceEntry]
    /// Data folders, links pointing outside the folder and special files that were left out.
    public var skipped: [Skipped]

    /// A scan result.
    public init(entries: [SourceEntry] = [], skipped: [Skipped] = []) {
        self.entries = entries
        self.skipped = skipped
    }

    /// The total size of the regular files.
    public var contentBytes: Int64 { entries.reduce(0) { $0 + $1.size } }

    /// How many regular files there are.
    public var fileCount: Int {
        entries.count { if case .file = $0.kind { true } else { false } }
    }

    /// The `count` largest files, largest first.
    public func largestFiles(_ count: Int) -> [SourceEntry] {
        Array(entries.filter { $0.size > 0 }.sorted { ($0.size, $1.path) > ($1.size, $0.path) }.prefix(count))
    }
}
