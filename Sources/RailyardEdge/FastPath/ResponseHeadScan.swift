import Foundation
import NIOCore
import NIOHTTP1

/// An app's response head read as bytes by the fast path, with the head the client gets: the same
/// status and headers, hop-by-hop headers (and those `Connection` names) removed, `X-Request-Id`
/// added when the app set none, `Connection: close` when the client connection ends after it — the
/// rules `ProxyHeaders.clientResponse` applies on the decoder's path. Lines may end in LF alone, as
/// NIO's decoder allows.
struct ResponseHeadScan {
    /// How the body that follows the head ends.
    enum Framing: Equatable {
        /// No body (a response to HEAD, 1xx, 204, 304).
        case none
        case length(Int)
        /// Chunks, passed on as they are.
        case chunked
        /// The body ends when the app closes the connection.
        case untilClose
    }

    enum Outcome {
        case incomplete
        /// Not a response the edge can pass on (a 502).
        case malformed(String)
        case head(ResponseHeadScan)
    }

    /// The longest response head read; a longer one is a 502.
    static let maxHeadLength = 64 * 1024

    let headLength: Int
    let status: Int
    let framing: Framing
    /// Whether the app's connection can take another request after this response.
    let upstreamReusable: Bool
    /// Whether the body can only end with the client connection.
    var closesClient: Bool { framing == .untilClose }
    /// Where the header lines start (after the status line).
    private let headersStart: Int
    private let statusLine: Range<Int>
    private let hasRequestID: Bool
    private let transferEncoding: Range<Int>?
    /// `Content-Length` is not passed on (1xx, 204, or `Transfer-Encoding` wins).
    private let dropsContentLength: Bool
    /// Header names the app's `Connection` header lists (usually none: no allocation then).
    private let connectionNames: [Range<Int>]

    /// Reads a response head at the start of `bytes`, for a request that was `HEAD` or not.
    static func scan(_ bytes: UnsafeRawBufferPointer, requestWasHEAD: Bool) -> Outcome {
        // Status line: HTTP/1.x SP 3DIGIT [SP reason]
        guard let firstEnd = lineEnd(bytes, from: 0) else {
            return bytes.count > maxHeadLength ? .malformed("the response head is too long") : .incomplete
        }
        let statusLineEnd = firstEnd.contentEnd
        guard statusLineEnd >= 12, equals(bytes, 0..<7, "HTTP/1."), bytes[8] == UInt8(ascii: " "),
            bytes[7] == UInt8(ascii: "1") || bytes[7] == UInt8(ascii: "0")
        else { return .malformed("the response does not start with an HTTP/1 status line") }
        let http11 = bytes[7] == UInt8(ascii: "1")
        var status = 0
        for index in 9..<12 {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .malformed("the status code is not a number") }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard status >= 100, statusLineEnd == 12 || bytes[12] == UInt8(ascii: " ") else {
            return .malformed("the status line is malformed")
        }
        for index in 12..<statusLineEnd where !isValueByte(bytes[index]) { return .malformed("the status line is malformed") }

        var next = firstEnd.next
        var contentLength: Int?
        var transferEncoding: Range<Int>?
        var connectionValues: [Range<Int>] = []
        var hasRequestID = false
        var headLength = 0
        while true {
            guard let end = lineEnd(bytes, from: next) else {
                return bytes.count > maxHeadLength ? .malformed("the response head is too long") : .incomplete
            }
            if end.contentEnd == next {
                headLength = end.next
                break
            }
            let line = next..<end.contentEnd
            guard let colon = firstIndex(bytes, of: UInt8(ascii: ":"), in: line), colon > line.lowerBound else {
                return .malformed("a response header line has no name")
            }
            let name = line.lowerBound..<colon
            for index in name where !isTokenByte(bytes[index]) { return .malformed("a response header name is malformed") }
            var valueStart = colon + 1
            var valueEnd = line.upperBound
            for index in valueStart..<valueEnd where !isValueByte(bytes[index]) { return .malformed("a response header value is malformed") }
            while valueStart < valueEnd, isBlank(bytes[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
            let value = valueStart..<valueEnd
            switch name.count {
            case 14 where equalsIgnoringCase(bytes, name, "content-length"):
                guard let length = contentLengthValue(bytes, value), contentLength == nil || contentLength == length else {
                    return .malformed("the response's Content-Length is invalid")
                }
                contentLength = length
            case 17 where equalsIgnoringCase(bytes, name, "transfer-encoding"):
                guard transferEncoding == nil else { return .malformed("the response has two Transfer-Encoding headers") }
                transferEncoding = value
            case 10 where equalsIgnoringCase(bytes, name, "connection"):
                connectionValues.append(value)
            case 12 where equalsIgnoringCase(bytes, name, "x-request-id"):
                hasRequestID = true
            default:
                break
            }
            next = end.next
            if next > maxHeadLength { return .malformed("the response head is too long") }
        }

        // Connection: close / keep-alive, and the headers it names (except those never dropped).
        var upstreamClose = !http11
        var connectionNames: [Range<Int>] = []
        for value in connectionValues {
            forEachToken(bytes, value) { token in
                if equalsIgnoringCase(bytes, token, "close") {
                    upstreamClose = true
                } else if equalsIgnoringCase(bytes, token, "keep-alive") {
                    if !http11 { upstreamClose = false }
                } else if !equalsIgnoringCase(bytes, token, "content-length") && !equalsIgnoringCase(bytes, token, "host") {
                    connectionNames.append(token)
                }
            }
        }

        let framing: Framing
        var reusable = !upstreamClose
        var dropsContentLength = false
        if requestWasHEAD || (100..<200).contains(status) || status == 204 || status == 304 {
            framing = .none
            dropsContentLength = (100..<200).contains(status) || status == 204
        } else if let transferEncoding {
            // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
            dropsContentLength = true
            if lastTokenIsChunked(bytes, transferEncoding) {
                framing = .chunked
                if contentLength != nil { reusable = false }
            } else {
                framing = .untilClose
                reusable = false
            }
        } else if let contentLength {
            framing = .length(contentLength)
        } else {
            framing = .untilClose
            reusable = false
        }
        return .head(ResponseHeadScan(
            headLength: headLength, status: status, framing: framing, upstreamReusable: reusable, headersStart: firstEnd.next,
            statusLine: 0..<statusLineEnd, hasRequestID: hasRequestID, transferEncoding: transferEncoding,
            dropsContentLength: dropsContentLength, connectionNames: connectionNames
        ))
    }

    private init(
        headLength: Int, status: Int, framing: Framing, upstreamReusable: Bool, headersStart: Int, statusLine: Range<Int>,
        hasRequestID: Bool, transferEncoding: Range<Int>?, dropsContentLength: Bool, connectionNames: [Range<Int>]
    ) {
        self.headLength = headLength
        self.status = status
        self.framing = framing
        self.upstreamReusable = upstreamReusable
        self.headersStart = headersStart
        self.statusLine = statusLine
        self.hasRequestID = hasRequestID
        self.transferEncoding = transferEncoding
        self.dropsContentLength = dropsContentLength
        self.connectionNames = connectionNames
    }

    /// Writes the client's head into `out`: `bytes` is the buffer the head was scanned from.
    func writeClientHead(from bytes: UnsafeRawBufferPointer, requestID: String, keepAlive: Bool, into out: inout ByteBuffer) {
        // Room for the whole head at once, not a check and a grow per line.
        out.reserveCapacity(minimumWritableBytes: headLength + requestID.utf8.count + 64)
        // The version is always HTTP/1.1: the edge speaks it to the client whatever the app spoke.
        // A status line without a reason gets the standard one (the space before it is required).
        out.writeStaticString("HTTP/1.1")
        out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[8..<statusLine.upperBound]))
        if statusLine.upperBound <= 13 {
            if statusLine.upperBound == 12 { out.writeStaticString(" ") }
            out.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        }
        out.writeStaticString("\r\n")
        // The header lines again, already checked by `scan`: each kept one is copied. Lines already
        // in the form the client gets (`name: value` CR LF) are copied in runs, one write for
        // each stretch of them.
        var next = headersStart
        var wroteContentLength = false
        var run = 0..<0
        func writeRun() {
            guard !run.isEmpty else { return }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[run]))
            run = 0..<0
        }
        while let end = Self.lineEnd(bytes, from: next), end.contentEnd > next {
            let line = next..<end.contentEnd
            next = end.next
            let colon = Self.firstIndex(bytes, of: UInt8(ascii: ":"), in: line)!
            let name = line.lowerBound..<colon
            if ProxyHeaders.isHopByHop(bytes: UnsafeRawBufferPointer(rebasing: bytes[name])) {
                writeRun()
                continue
            }
            var valueStart = colon + 1
            var valueEnd = line.upperBound
            while valueStart < valueEnd, isBlank(bytes[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
            let asIs = valueStart == colon + 2 && bytes[colon + 1] == UInt8(ascii: " ") && valueEnd == line.upperBound
                && end.next == line.upperBound + 2
            if name.count == 14 && Self.equalsIgnoringCase(bytes, name, "content-length") {
                if dropsContentLength || wroteContentLength {  // one is enough
                    writeRun()
                    continue
                }
                wroteContentLength = true
                if case .length(let length) = framing, !(asIs && Self.isCanonicalDecimal(bytes, valueStart..<valueEnd)) {
                    // The value as one number (`5, 5` becomes `5`).
                    writeRun()
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[name]))
                    out.writeStaticString(": ")
                    out.writeString(String(length))
                    out.writeStaticString("\r\n")
                    continue
                }
            }
            if !connectionNames.isEmpty && connectionNames.contains(where: { Self.equalsIgnoringCase(bytes, $0, name) }) {
                writeRun()
                continue
            }
            if asIs {
                if run.isEmpty || run.upperBound != line.lowerBound { writeRun() }
                run = (run.isEmpty ? line.lowerBound : run.lowerBound)..<end.next
                continue
            }
            writeRun()
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[name]))
            out.writeStaticString(": ")
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]))
            out.writeStaticString("\r\n")
        }
        writeRun()
        if framing == .chunked, let transferEncoding {
            out.writeStaticString("transfer-encoding: ")
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[transferEncoding]))
            out.writeStaticString("\r\n")
        }
        if !hasRequestID {
            out.writeStaticString("x-request-id: ")
            out.writeString(requestID)
            out.writeStaticString("\r\n")
        }
        if !keepAlive && !(100..<200).contains(status) {
            out.writeStaticString("connection: close\r\n")
        }
        out.writeStaticString("\r\n")
    }

    // MARK: bytes

    /// Where the line starting at `start` ends: its content's end (before CR LF or LF) and the next
    /// line's start; nil when no LF has arrived yet.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (contentEnd: Int, next: Int)? {
        guard let newline = firstIndex(bytes, of: UInt8(ascii: "\n"), in: start..<bytes.count) else { return nil }
        let contentEnd = newline > start && bytes[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
        return (contentEnd, newline + 1)
    }

    /// Digits only, without a leading zero (unless it is `0`): the number as the edge would write it.
    private static func isCanonicalDecimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count == 1 || bytes[range.lowerBound] != UInt8(ascii: "0") else { return false }
        for index in range where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { return false }
        return true
    }

    private static func firstIndex(_ bytes: UnsafeRawBufferPointer, of byte: UInt8, in range: Range<Int>) -> Int? {
        guard !range.isEmpty, let base = bytes.baseAddress else { return nil }
        // memchr is vectorised; a Swift loop over the bytes is not.
        guard let found = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ expected: StaticString) -> Bool {
        guard range.count == expected.utf8CodeUnitCount, range.upperBound <= bytes.count else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected.utf8Start[offset] { return false }
        return true
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        return UnsafeRawBufferPointer(rebasing: bytes[range]).equalsIgnoringASCIICase(lowercase)
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        for offset in 0..<a.count {
            let x = bytes[a.lowerBound + offset], y = bytes[b.lowerBound + offset]
            if x == y { continue }
            let lowerX = x >= 0x41 && x <= 0x5A ? x | 0x20 : x
            let lowerY = y >= 0x41 && y <= 0x5A ? y | 0x20 : y
            if lowerX != lowerY { return false }
        }
        return true
    }

    private static func forEachToken(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = value.lowerBound
        while start <= value.upperBound {
            let comma = firstIndex(bytes, of: UInt8(ascii: ","), in: start..<value.upperBound) ?? value.upperBound
            var tokenStart = start
            var tokenEnd = comma
            while tokenStart < tokenEnd, isBlank(bytes[tokenStart]) { tokenStart += 1 }
            while tokenEnd > tokenStart, isBlank(bytes[tokenEnd - 1]) { tokenEnd -= 1 }
            if tokenStart < tokenEnd { body(tokenStart..<tokenEnd) }
            start = comma + 1
        }
    }

    private static func lastTokenIsChunked(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Bool {
        var last: Range<Int>?
        forEachToken(bytes, value) { last = $0 }
        guard let last else { return false }
        return equalsIgnoringCase(bytes, last, "chunked")
    }

    /// A Content-Length value: digits, or a list of equal ones (`5, 5`, which NIO's decoder takes too).
    private static func contentLengthValue(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Int? {
        var result: Int?
        var valid = true
        forEachToken(bytes, value) { token in
            guard token.count <= 18 else { valid = false; return }
            var number = 0
            for index in token {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { valid = false; return }
                number = number * 10 + Int(byte - UInt8(ascii: "0"))
            }
            if let result, result != number { valid = false }
            result = number
        }
        return valid ? result : nil
    }
}
