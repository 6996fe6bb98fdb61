/// How large an uploaded source archive may be once unpacked.
public struct ArchiveLimits: Sendable, Equatable {
    /// The most bytes of file data (and metadata records) the archive may unpack to.
    public var maximumUnpackedBytes: Int
    /// The most entries (files, folders, links) the archive may hold.
    public var maximumEntries: Int

    /// Limits; the defaults are 500 MiB and 100,000 entries.
    public init(maximumUnpackedBytes: Int = 500 * 1024 * 1024, maximumEntries: Int = 100_000) {
        self.maximumUnpackedBytes = maximumUnpackedBytes
        self.maximumEntries = maximumEntries
    }

    /// 500 MiB and 100,000 entries.
    public static let `default` = ArchiveLimits()
}
