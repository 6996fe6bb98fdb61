/// What ``SourcePacker/pack(_:to:)`` wrote: the scan it packed and the archive's sizes.
public struct PackSummary: Sendable, Equatable {
    /// The entries packed and the paths left out.
    public var scan: SourceScan
    /// The size of the gzip'd archive on disk.
    public var archiveBytes: Int64
    /// The size of the tar before compression.
    public var tarBytes: Int64

    /// A summary of one archive.
    public init(scan: SourceScan, archiveBytes: Int64, tarBytes: Int64) {
        self.scan = scan
        self.archiveBytes = archiveBytes
        self.tarBytes = tarBytes
    }
}
