/// A request target turned into path segments under a static root, or refused. Pure: this is the
/// first line of the traversal defence (the resolver then checks the real path stays under the
/// root after symlinks).
struct StaticFilePath: Equatable {
    /// Decoded segments, without empty and `.` segments; never `..`, never containing `/` or NUL.
    var segments: [String]
    /// The request path ended in `/` (a directory was asked for as such).
    var trailingSlash: Bool
    /// The raw query (without `?`), carried over to redirects.
    var query: Substring?

    /// Why a target cannot name a file.
    enum Refusal: Error, Equatable {
        /// Malformed: bad %-escape, invalid UTF-8, NUL, or not a path at all → 400.
        case malformed
        /// Well-formed but never served: `..` segments, hidden files → 404.
        case forbidden
    }

    /// Parses an origin-form (`/a/b?q`) or absolute-form (`http://host/a/b`) request target.
    static func parse(_ target: String) throws(Refusal) -> StaticFilePath {
        var rest = Substring(target)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if !rest.hasPrefix("/") {
            // Absolute form: drop scheme and authority.
            guard let scheme = rest.range(of: "://") else { throw .malformed }
            let afterAuthority = rest[scheme.upperBound...]
            rest = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? "/"
        }

        var segments: [String] = []
        for raw in rest.split(separator: "/", omittingEmptySubsequences: true) {
            let segment = try decode(raw)
            if segment == "." { continue }
            if segment == ".." { throw .forbidden }
            if segment.contains("/") || segment.contains("\0") { throw .malformed }
            if segment.hasPrefix(".") && !(segments.isEmpty && segment == ".well-known") {
                // Dotfiles (.env, .git/) are never served: a site folder often holds secrets.
                throw .forbidden
            }
            segments.append(segment)
        }
        return StaticFilePath(segments: segments, trailingSlash: rest.hasSuffix("/"), query: query)
    }

    /// The file name's extension, lowercased, from the last segment (`nil` for `/` or no dot).
    var fileExtension: String? {
        segments.last.flatMap(Self.fileExtension(of:))
    }

    /// The canonical URL path for these segments, %-encoded, optionally with a trailing slash.
    /// Built from the decoded segments, so a redirect can never point off-site (`//evil.example`).
    func urlPath(trailingSlash: Bool) -> String {
        var path = "/" + segments.map(Self.encode).joined(separator: "/")
        if trailingSlash && !segments.isEmpty { path += "/" }
        if let query, !query.isEmpty { path += "?" + query }
        return path
    }

    static func fileExtension(of name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return name[name.index(after: dot)...].lowercased()
    }

    private static func decode(_ raw: Substring) throws(Refusal) -> String {
        guard raw.contains("%") else { return String(raw) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .malformed
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .malformed }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func encode(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return out
    }
}
