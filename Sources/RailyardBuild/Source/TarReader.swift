import RailyardCore

/// Reads a tar stream (ustar, GNU long names `L`/`K`, pax `x`/`g` records for path, linkpath and
/// size) one entry at a time. Metadata records are folded into the entry they describe; the caller
/// sees only real entries and may stream an entry's data before asking for the next one.
final class TarReader {
    /// The most bytes a long-name or pax record may hold.
    static let maximumMetadataSize = 1 << 20

    private let input: GzipInputStream
    private var pendingData = 0
    private var pendingPadding = 0
    private var globalPax: [String: String] = [:]
    /// Bytes of data and metadata read so far, for the caller's size limit.
    private(set) var bytesConsumed = 0

    private let maximumBytes: Int

    /// Reads from `input`, refusing archives that unpack to more than `maximumBytes`.
    init(input: GzipInputStream, maximumBytes: Int) {
        self.input = input
        self.maximumBytes = maximumBytes
    }

    private func reserve(_ count: Int) throws {
        guard count <= maximumBytes - bytesConsumed else {
            let limit = maximumBytes >= 1 << 20 ? "\(maximumBytes >> 20) MiB" : "\(maximumBytes) bytes"
            throw RailyardError.archive("it unpacks to more than \(limit); leave build output and dependencies out of the upload")
        }
    }

    /// The next entry, or nil at the end of the archive.
    func next() throws -> TarEntryHeader? {
        try skipPendingData()
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        while true {
            let block = try input.read(512)
            guard !block.isEmpty else {
                throw RailyardError.archive("it ends without tar's end-of-archive marker; the upload is incomplete, send it again")
            }
            guard block.count == 512 else { throw RailyardError.archiveTruncated }
            if block.allSatisfy({ $0 == 0 }) { return nil }
            try reserve(512)
            bytesConsumed += 512
            try Self.verifyChecksum(block)
            let type = block[156]
            let size = try Self.size(block)
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                let data = try readMetadata(size: size)
                switch type {
                case UInt8(ascii: "L"): longName = try Self.string(Self.cString(data[...]), what: "long name")
                case UInt8(ascii: "K"): longLink = try Self.string(Self.cString(data[...]), what: "long link name")
                case UInt8(ascii: "x"): pax.merge(try Self.paxRecords(data)) { $1 }
                default: globalPax.merge(try Self.paxRecords(data)) { $1 }
                }
                continue
            default:
                break
            }
            let records = globalPax.merging(pax) { $1 }
            var header = try Self.parse(block, size: size)
            if let path = records["path"] { header.path = path } else if let longName { header.path = longName }
            if let link = records["linkpath"] { header.linkTarget = link } else if let longLink { header.linkTarget = longLink }
            if let paxSize = records["size"] {
                guard let value = Int(paxSize), value >= 0 else { throw RailyardError.archive("a pax size record is not a number") }
                header.size = value
            }
            let carriesData: Bool
            switch header.kind {
            case .file, .unsupported: carriesData = true
            default: carriesData = false
            }
            if carriesData { try reserve(header.size) }
            pendingData = carriesData ? header.size : 0
            pendingPadding = carriesData ? Self.padding(header.size) : 0
            if !carriesData { header.size = 0 }
            return header
        }
    }

    /// Streams the current entry's data to `body` in chunks.
    func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let count = pendingData
        pendingData = 0
        bytesConsumed += count
        try input.stream(count, into: body)
    }

    private func skipPendingData() throws {
        if pendingData > 0 { try readData { _ in } }
        if pendingPadding > 0 {
            try input.stream(pendingPadding) { _ in }
            pendingPadding = 0
        }
    }

    private func readMetadata(size: Int) throws -> [UInt8] {
        guard size <= Self.maximumMetadataSize else {
            throw RailyardError.archive("a long-name or pax record is larger than 1 MiB")
        }
        try reserve(size)
        let data = try input.read(size)
        guard data.count == size else { throw RailyardError.archiveTruncated }
        let padding = Self.padding(size)
        if padding > 0 { try input.stream(padding) { _ in } }
        bytesConsumed += size
        return data
    }

    static func padding(_ size: Int) -> Int { (512 - size % 512) % 512 }
}
