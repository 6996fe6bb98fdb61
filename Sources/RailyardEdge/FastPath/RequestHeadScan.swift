/// What the fast path makes of the bytes at the start of a request, read straight from the client's
/// buffer without NIO's HTTP decoder: a simple request it proxies as bytes itself, a request the
/// decoder must handle but whose end it knows (so the connection can come back to the fast path after
/// it), or something whose framing it does not vouch for (the decoder takes the connection for good).
///
/// Simple means: `GET` or `HEAD`, HTTP/1.1, an origin-form target, exactly one `Host`, no body
/// (`Content-Length` absent or 0, no `Transfer-Encoding`), no `Upgrade` or `Expect`, a `Connection`
/// header that says only `keep-alive` and/or `close`, and at most one `X-Forwarded-For`. Only CRLF
/// line endings and visible bytes are vouched for: anything odder goes to the decoder, which answers
/// it the way it always has.
enum RequestHeadScan: Equatable {
    /// No end of head yet.
    case incomplete
    /// A simple request, proxied as bytes.
    case fast(FastRequestHead)
    /// The decoder handles it; it ends `headLength + bodyLength` bytes from the start.
    case slow(headLength: Int, bodyLength: Int)
    /// Unknown framing (chunked, an upgrade, CONNECT, a malformed or oversized head): the decoder
    /// reads everything from here on.
    case passthrough

    /// The longest head the fast path waits for; a bigger one goes to the decoder, which refuses it.
    static let maxHeadLength = 64 * 1024

    /// Scans `bytes`, which start at a request boundary.
    static func scan(_ bytes: UnsafeRawBufferPointer) -> RequestHeadScan {
        var scanner = Scanner(bytes: bytes)
        return scanner.scan()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var head = FastRequestHead()
        /// Reasons the request cannot take the fast path, though its framing is known.
        var simple = true
        var contentLength: Int?
        var hostCount = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func scan() -> RequestHeadScan {
            let count = bytes.count
            guard count > 0 else { return .incomplete }
            // Request line: METHOD SP target SP HTTP/x.y CRLF
            let lineEnd = lineEnd(from: 0)
            if lineEnd == Self.badLine { return .passthrough }
            if lineEnd == Self.openLine { return tooLong(count) ? .passthrough : .incomplete }
            guard let firstSpace = index(of: UInt8(ascii: " "), in: 0..<lineEnd), firstSpace > 0,
                let secondSpace = index(of: UInt8(ascii: " "), in: (firstSpace + 1)..<lineEnd), secondSpace > firstSpace + 1
            else { return .passthrough }
            for index in 0..<firstSpace where !isTokenByte(bytes[index]) { return .passthrough }
            for index in (firstSpace + 1)..<secondSpace where !isVisible(bytes[index]) { return .passthrough }
            let method = 0..<firstSpace
            head.method = method
            head.target = (firstSpace + 1)..<secondSpace
            let version = (secondSpace + 1)..<lineEnd
            if equals(method, "CONNECT") { return .passthrough }
            if equals(method, "GET") {
                head.isHEAD = false
            } else if equals(method, "HEAD") {
                head.isHEAD = true
            } else {
                simple = false
            }
            if equals(version, "HTTP/1.1") {
            } else if equals(version, "HTTP/1.0") {
                simple = false
            } else {
                return .passthrough
            }
            if bytes[firstSpace + 1] != UInt8(ascii: "/") { simple = false }

            var lineStart = lineEnd + 2
            while true {
                let end = self.lineEnd(from: lineStart)
                if end == Self.badLine { return .passthrough }
                if end == Self.openLine { return tooLong(count) ? .passthrough : .incomplete }
                if end == lineStart {
                    head.headLength = end + 2
                    break
                }
                guard header(lineStart..<end) else { return .passthrough }
                lineStart = end + 2
                if lineStart > RequestHeadScan.maxHeadLength { return .passthrough }
            }
            if hostCount != 1 { simple = false }
            let body = contentLength ?? 0
            if body != 0 { simple = false }
            return simple ? .fast(head) : .slow(headLength: head.headLength, bodyLength: body)
        }

        /// One header line; false when it is malformed or makes the framing unknown.
        mutating func header(_ line: Range<Int>) -> Bool {
            guard let colon = index(of: UInt8(ascii: ":"), in: line), colon > line.lowerBound else { return false }
            let name = line.lowerBound..<colon
            for index in name where !isTokenByte(bytes[index]) { return false }
            var valueStart = colon + 1
            var valueEnd = line.upperBound
            for index in valueStart..<valueEnd where !isValueByte(bytes[index]) { return false }
            while valueStart < valueEnd, isBlank(bytes[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
            let value = valueStart..<valueEnd
            let line = line.lowerBound..<(line.upperBound + 2)

            switch name.count {
            case 4 where equalsIgnoringCase(name, "host"):
                hostCount += 1
                head.host = value
            case 14 where equalsIgnoringCase(name, "content-length"):
                guard let length = decimal(value), contentLength == nil || contentLength == length else { return false }
                contentLength = length
            case 17 where equalsIgnoringCase(name, "transfer-encoding"):
                return false
            case 7 where equalsIgnoringCase(name, "upgrade"):
                return false
            case 6 where equalsIgnoringCase(name, "expect"):
                simple = false
            case 10 where equalsIgnoringCase(name, "connection"):
                connection(value)
                return true
            case 15 where equalsIgnoringCase(name, "x-forwarded-for"):
                if head.forwardedFor != nil { simple = false }
                head.forwardedFor = value
                return true
            case 17 where equalsIgnoringCase(name, "x-forwarded-proto"), 16 where equalsIgnoringCase(name, "x-forwarded-host"):
                return true
            case 12 where equalsIgnoringCase(name, "x-request-id"):
                if head.requestID == nil { head.requestID = value }
                return true
            default:
                if ProxyHeaders.isHopByHop(bytes: UnsafeRawBufferPointer(rebasing: bytes[name])) { return true }
            }
            head.keptLines.append(line)
            return true
        }

        /// `Connection: keep-alive` and `close` are all the fast path takes; any other token names
        /// headers to drop, which the decoder's path does.
        mutating func connection(_ value: Range<Int>) {
            var start = value.lowerBound
            while start <= value.upperBound {
                let comma = index(of: UInt8(ascii: ","), in: start..<value.upperBound) ?? value.upperBound
                var tokenStart = start
                var tokenEnd = comma
                while tokenStart < tokenEnd, isBlank(bytes[tokenStart]) { tokenStart += 1 }
                while tokenEnd > tokenStart, isBlank(bytes[tokenEnd - 1]) { tokenEnd -= 1 }
                let token = tokenStart..<tokenEnd
                if token.isEmpty {
                } else if equalsIgnoringCase(token, "close") {
                    head.close = true
                } else if !equalsIgnoringCase(token, "keep-alive") {
                    simple = false
                }
                start = comma + 1
            }
        }

        // MARK: bytes

        func tooLong(_ count: Int) -> Bool { count > RequestHeadScan.maxHeadLength }

        /// `lineEnd(from:)` found no end of line yet.
        static let openLine = -1
        /// `lineEnd(from:)` found a bare CR or LF: the decoder judges such a head.
        static let badLine = -2

        /// The index of the CR of the CRLF ending the line that starts at `start`, `openLine` when
        /// the line is not complete, `badLine` for a bare CR or LF.
        func lineEnd(from start: Int) -> Int {
            var index = start
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") { return Self.badLine }
                if byte == UInt8(ascii: "\r") {
                    guard index + 1 < count else { return Self.openLine }
                    return bytes[index + 1] == UInt8(ascii: "\n") ? index : Self.badLine
                }
                index += 1
            }
            return Self.openLine
        }

        func index(of byte: UInt8, in range: Range<Int>) -> Int? {
            var index = range.lowerBound
            while index < range.upperBound {
                if bytes[index] == byte { return index }
                index += 1
            }
            return nil
        }

        func equals(_ range: Range<Int>, _ expected: StaticString) -> Bool {
            guard range.count == expected.utf8CodeUnitCount else { return false }
            for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected.utf8Start[offset] { return false }
            return true
        }

        func equalsIgnoringCase(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
            guard range.count == lowercase.utf8CodeUnitCount else { return false }
            for offset in 0..<range.count {
                let byte = bytes[range.lowerBound + offset]
                let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if lower != lowercase.utf8Start[offset] { return false }
            }
            return true
        }

        func decimal(_ range: Range<Int>) -> Int? {
            guard !range.isEmpty, range.count <= 18 else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
    }
}

/// Where the parts of a simple request head are, as byte offsets into the buffer it was read from.
struct FastRequestHead: Equatable {
    var headLength = 0
    var method = 0..<0
    var isHEAD = false
    var target = 0..<0
    var host = 0..<0
    var requestID: Range<Int>?
    var forwardedFor: Range<Int>?
    /// The client asked to close the connection after this request.
    var close = false
    /// Whole header lines (with their CRLF) passed to the app as they are.
    var keptLines: [Range<Int>] = []
}

/// Token characters (RFC 9110 §5.6.2): header names and methods.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
        UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
        UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}

/// A visible ASCII byte (a request target has no spaces or controls).
@inline(__always)
func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

/// A byte allowed in a header value: visible, space, tab, or obs-text.
@inline(__always)
func isValueByte(_ byte: UInt8) -> Bool { byte == 0x09 || (byte >= 0x20 && byte != 0x7F) }

@inline(__always)
func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
