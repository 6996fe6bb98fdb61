import RailyardCore

/// Decoding of the fields of a 512-byte tar header block and of pax records; pure functions.
extension TarReader {
    static func verifyChecksum(_ block: [UInt8]) throws {
        guard let stored = octal(block[148..<156]) else {
            throw RailyardError.archive("a header has no checksum; the file is not a tar archive")
        }
        var unsigned = 0
        var signed = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw RailyardError.archive("a header's checksum does not match; the file is not a tar archive or is corrupt")
        }
    }

    static func size(_ block: [UInt8]) throws -> Int {
        let field = block[124..<136]
        if let first = field.first, first & 0x80 != 0 {
            // GNU base-256: big-endian, the top bit of the first byte marks the encoding
            guard first == 0x80 else { throw RailyardError.archive("an entry has a negative or huge size") }
            var value = 0
            for byte in field.dropFirst() {
                guard value < (Int.max >> 8) else { throw RailyardError.archive("an entry has a huge size") }
                value = value << 8 | Int(byte)
            }
            return value
        }
        guard let value = octal(field) else { throw RailyardError.archive("an entry's size field is not a number") }
        return value
    }

    static func parse(_ block: [UInt8], size: Int) throws -> TarEntryHeader {
        let name = try string(cString(block[0..<100]), what: "name")
        let magic = Array(block[257..<263])
        var path = name
        if magic == Array("ustar\0".utf8) {
            let prefix = try string(cString(block[345..<500]), what: "name prefix")
            if !prefix.isEmpty { path = prefix + "/" + name }
        }
        let mode = UInt32(truncatingIfNeeded: octal(block[100..<108]) ?? 0o644)
        let link = try string(cString(block[157..<257]), what: "link name")
        let kind: TarEntryHeader.Kind
        switch block[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            kind = path.hasSuffix("/") && block[156] == 0 ? .directory : .file
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        case let other: kind = .unsupported(other)
        }
        return TarEntryHeader(path: path, kind: kind, mode: mode, size: size, linkTarget: link)
    }

    /// An octal field: leading spaces, digits, then NUL or space; nil when it holds anything else.
    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var seenDigit = false
        var ended = false
        for byte in field {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                if ended { return nil }
                guard value < (Int.max >> 3) else { return nil }
                value = value << 3 | Int(byte - UInt8(ascii: "0"))
                seenDigit = true
            case UInt8(ascii: " "), 0:
                if seenDigit { ended = true }
            default:
                return nil
            }
        }
        return seenDigit ? value : (field.allSatisfy { $0 == 0 || $0 == UInt8(ascii: " ") } ? 0 : nil)
    }

    static func cString(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if let end = field.firstIndex(of: 0) { return field[field.startIndex..<end] }
        return field
    }

    static func string(_ bytes: ArraySlice<UInt8>, what: String) throws -> String {
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw RailyardError.archive("an entry's \(what) is not valid UTF-8")
        }
        return value
    }

    /// Pax extended-header records: `<length> <key>=<value>\n`, the length counting the whole record.
    static func paxRecords(_ data: [UInt8]) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        let malformed = RailyardError.archive("a pax header record is malformed")
        while index < data.count {
            if data[index] == 0 { break }
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                  length > space - index + 1, index + length <= data.count,
                  data[index + length - 1] == UInt8(ascii: "\n")
            else { throw malformed }
            let record = data[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw malformed }
            let key = try string(record[record.startIndex..<equals], what: "pax key")
            let value = try string(record[(equals + 1)...], what: "pax \(key)")
            records[key] = value
            index += length
        }
        return records
    }
}
