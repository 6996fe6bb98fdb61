/// The POSIX ustar format, written by hand: 512-byte headers with octal fields, long paths split
/// into the `prefix` field or, when that cannot hold them, carried by a pax extended header.
/// Owner, group and modification time are zero so that the same folder gives the same bytes.
public enum TarFormat {
    /// The size of a header and of the unit contents are padded to.
    public static let blockSize = 512

    /// The header block(s) for `entry`: a pax header first when its path or link target does not fit ustar.
    public static func headers(for entry: SourceEntry) -> [UInt8] {
        var path = entry.path
        if entry.kind == .directory { path += "/" }
        var linkTarget = ""
        var type: UInt8 = 0x30  // '0' regular file
        switch entry.kind {
        case .directory: type = 0x35  // '5'
        case .symlink(let target):
            type = 0x32  // '2'
            linkTarget = target
        case .file: break
        }

        var paxRecords: [(String, String)] = []
        let split = splitPath(Array(path.utf8))
        if split == nil { paxRecords.append(("path", path)) }
        let linkBytes = Array(linkTarget.utf8)
        if linkBytes.count > 100 { paxRecords.append(("linkpath", linkTarget)) }

        var result: [UInt8] = []
        if !paxRecords.isEmpty {
            let body = paxBody(paxRecords)
            let placeholder = Array("PaxHeaders/".utf8) + Array(Array(path.utf8).suffix(80))
            result += header(
                name: Array(placeholder.prefix(100)), prefix: [], mode: 0o644, size: Int64(body.count), type: 0x78, link: []
            )
            result += body
            result += padding(for: Int64(body.count))
        }
        let (prefix, name) = split ?? ([], Array(Array(path.utf8).prefix(100)))
        result += header(
            name: name, prefix: prefix, mode: entry.mode, size: entry.size, type: type, link: Array(linkBytes.prefix(100))
        )
        return result
    }

    /// Zero bytes that fill the last block of `size` bytes of content.
    public static func padding(for size: Int64) -> [UInt8] {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? [] : [UInt8](repeating: 0, count: blockSize - remainder)
    }

    /// The two zero blocks that end an archive.
    public static let endOfArchive = [UInt8](repeating: 0, count: 2 * blockSize)

    /// A path as ustar's `prefix` (≤ 155 bytes) and `name` (≤ 100 bytes), split at a `/`; nil when
    /// no split fits.
    static func splitPath(_ bytes: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        if bytes.count <= 100 { return ([], bytes) }
        // The slash of a folder's trailing "/" cannot be the split point: the name would be empty.
        for index in bytes.indices where bytes[index] == 0x2F && index <= 155 {
            let nameCount = bytes.count - index - 1
            if nameCount <= 100, nameCount > 0, !(nameCount == 1 && bytes.last == 0x2F) {
                return (Array(bytes[..<index]), Array(bytes[(index + 1)...]))
            }
        }
        return nil
    }

    /// The records of a pax extended header: `<length> <key>=<value>\n`, the length counting itself.
    static func paxBody(_ records: [(String, String)]) -> [UInt8] {
        var body: [UInt8] = []
        for (key, value) in records {
            let base = key.utf8.count + value.utf8.count + 3
            var length = base + String(base).count
            if String(length).count > String(base).count { length = base + String(length).count }
            body += Array("\(length) \(key)=\(value)\n".utf8)
        }
        return body
    }

    /// One 512-byte ustar header.
    static func header(name: [UInt8], prefix: [UInt8], mode: UInt32, size: Int64, type: UInt8, link: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
        }
        put(name, at: 0)
        put(octal(Int64(mode), width: 8), at: 100)
        put(octal(0, width: 8), at: 108)  // uid
        put(octal(0, width: 8), at: 116)  // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)  // mtime
        put([UInt8](repeating: 0x20, count: 8), at: 148)  // checksum, counted as spaces
        block[156] = type
        put(link, at: 157)
        put(Array("ustar\0".utf8), at: 257)
        put(Array("00".utf8), at: 263)
        put(octal(0, width: 8), at: 329)  // devmajor
        put(octal(0, width: 8), at: 337)  // devminor
        put(prefix, at: 345)
        let checksum = block.reduce(0) { $0 + Int64($1) }
        put(octal(checksum, width: 7) + [0x20], at: 148)
        return block
    }

    /// `value` in octal, zero-padded to `width - 1` digits and NUL-terminated.
    static func octal(_ value: Int64, width: Int) -> [UInt8] {
        let digits = String(value, radix: 8)
        precondition(digits.count < width, "\(value) does not fit a \(width)-byte tar field")
        return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
    }
}
