import NIOCore
import Testing

@testable import RailyardEdge

/// The fast path's byte-level readers: which requests it takes, which it hands to the codec with a
/// known end, which it gives up on; the client's head it makes of an app's response; where a
/// chunked body ends, however its bytes are split.
@Suite("Fast path: request and response heads read as bytes")
struct FastPathScanTests {
    static func scan(_ text: String) -> RequestHeadScan {
        Array(text.utf8).withUnsafeBytes { RequestHeadScan.scan($0) }
    }

    static func fast(_ text: String) -> FastRequestHead? {
        if case .fast(let head) = scan(text) { return head }
        return nil
    }

    @Test("a plain GET is taken, with the lines passed on and the ones the edge sets left out")
    func simpleGET() throws {
        let text = "GET /a?b=1 HTTP/1.1\r\nHost: App.localhost:8080\r\nAccept: */*\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\n"
            + "Proxy-Authorization: x\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nX-Request-Id: abc\r\nX-Forwarded-For: 10.0.0.1\r\n\r\nNEXT"
        let head = try #require(Self.fast(text))
        let bytes = Array(text.utf8)
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        #expect(head.headLength == text.utf8.count - 4)
        #expect(string(head.method) == "GET" && !head.isHEAD)
        #expect(string(head.target) == "/a?b=1")
        #expect(string(head.host) == "App.localhost:8080")
        #expect(head.requestID.map(string) == "abc")
        #expect(head.forwardedFor.map(string) == "10.0.0.1")
        #expect(!head.close)
        #expect(head.keptLines.map(string) == ["Host: App.localhost:8080\r\n", "Accept: */*\r\n"])
        #expect(Self.fast("HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").map { $0.isHEAD && $0.close } == true)
    }

    @Test("requests the codec must answer get their end, so the connection can come back")
    func slow() {
        #expect(Self.scan("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello") == .slow(headLength: 48, bodyLength: 5))
        #expect(Self.scan("GET / HTTP/1.0\r\nHost: a\r\n\r\n") == .slow(headLength: 27, bodyLength: 0))
        #expect(Self.scan("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n") == .slow(headLength: 35, bodyLength: 0))
        #expect(Self.scan("GET / HTTP/1.1\r\n\r\n") == .slow(headLength: 18, bodyLength: 0), "no Host: the codec's 400")
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == .slow(headLength: 36, bodyLength: 0))
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-secret\r\n\r\n") == .slow(headLength: 49, bodyLength: 0))
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n") == .slow(headLength: 49, bodyLength: 0))
        #expect(Self.scan("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: a\r\nX-Forwarded-For: b\r\n\r\n") == .slow(headLength: 67, bodyLength: 0))
        #expect(Self.scan("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n") == .slow(headLength: 30, bodyLength: 0))
    }

    @Test("unknown framing, upgrades and malformed heads go to the codec for good")
    func passthrough() {
        for text in [
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\n\n",
            "GET / HTTP/1.1\r\nHost: a\rX\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            "GET /\u{1}x HTTP/1.1\r\nHost: a\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
            "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "NOT HTTP AT ALL\r\n\r\n",
        ] {
            #expect(Self.scan(text) == .passthrough, "\(text.debugDescription)")
        }
        #expect(Self.scan("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: RequestHeadScan.maxHeadLength)) == .passthrough)
    }

    @Test("a head not yet complete waits, byte by byte")
    func incomplete() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        for end in 0..<text.utf8.count {
            #expect(Self.scan(String(text.utf8.prefix(end))!) == .incomplete, "\(end)")
        }
        #expect(Self.fast(text) != nil)
    }

    // MARK: responses

    static func response(_ text: String, HEAD: Bool = false, keepAlive: Bool = true) -> (ResponseHeadScan, String)? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw -> (ResponseHeadScan, String)? in
            guard case .head(let head) = ResponseHeadScan.scan(raw, requestWasHEAD: HEAD) else { return nil }
            var out = ByteBuffer()
            head.writeClientHead(from: raw, requestID: "rid", keepAlive: keepAlive, into: &out)
            return (head, String(buffer: out))
        }
    }

    @Test("the client's head: hop-by-hop and Connection-named headers out, request id in, framing decided")
    func responseHeads() throws {
        let (plain, plainHead) = try #require(Self.response(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\nX-Secret: 1\r\nProxy-Foo: 2\r\n\r\nhello"
        ))
        #expect(plain.framing == .length(5) && plain.upstreamReusable && plain.status == 200)
        #expect(plainHead == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nx-request-id: rid\r\n\r\n")

        let (chunked, chunkedHead) = try #require(Self.response(
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Request-Id: app\r\n\r\n", keepAlive: false
        ))
        #expect(chunked.framing == .chunked && chunked.upstreamReusable)
        #expect(chunkedHead == "HTTP/1.1 201 Created\r\nX-Request-Id: app\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")

        let (both, bothHead) = try #require(Self.response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"))
        #expect(both.framing == .chunked && !both.upstreamReusable, "Transfer-Encoding wins; such an app is not trusted again")
        #expect(!bothHead.lowercased().contains("content-length"))

        let (untilClose, untilCloseHead) = try #require(Self.response("HTTP/1.0 200 OK\r\nServer: old\r\n\r\n"))
        #expect(untilClose.framing == .untilClose && !untilClose.upstreamReusable && untilClose.closesClient)
        #expect(untilCloseHead.hasPrefix("HTTP/1.1 200 OK\r\nServer: old\r\n"))

        let (noContent, noContentHead) = try #require(Self.response("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"))
        #expect(noContent.framing == .none && !noContentHead.lowercased().contains("content-length"))
        let (notModified, notModifiedHead) = try #require(Self.response("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"))
        #expect(notModified.framing == .none && notModifiedHead.contains("Content-Length: 10"))
        let (head, _) = try #require(Self.response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", HEAD: true))
        #expect(head.framing == .none && head.upstreamReusable)

        let (closing, _) = try #require(Self.response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n"))
        #expect(!closing.upstreamReusable && !closing.closesClient)
        let (oldKeepAlive, _) = try #require(Self.response("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n"))
        #expect(oldKeepAlive.upstreamReusable)

        let (lf, lfHead) = try #require(Self.response("HTTP/1.1 200\nContent-Length: 2\nContent-Length: 2\n\nhi"))
        #expect(lf.framing == .length(2) && lf.headLength == 50)
        #expect(lfHead == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-request-id: rid\r\n\r\n", "a missing reason gets the standard one")
        let (_, listHead) = try #require(Self.response("HTTP/1.1 201 \r\nContent-Length: 3, 3\r\n\r\n"))
        #expect(listHead == "HTTP/1.1 201 Created\r\nContent-Length: 3\r\nx-request-id: rid\r\n\r\n", "an empty reason gets the standard one; a list of equal lengths becomes one")

        let (early, earlyHead) = try #require(Self.response("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", keepAlive: false))
        #expect(early.framing == .none && !earlyHead.contains("connection: close"), "a 1xx never says close")
    }

    @Test("a response that is not one the edge can pass on is refused")
    func malformedResponses() {
        for text in [
            "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "ICY 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n",
        ] {
            let outcome = Array(text.utf8).withUnsafeBytes { ResponseHeadScan.scan($0, requestWasHEAD: false) }
            guard case .malformed = outcome else {
                Issue.record("\(text.debugDescription) was not refused")
                continue
            }
        }
        let partial = Array("HTTP/1.1 200 OK\r\nContent-Le".utf8).withUnsafeBytes { ResponseHeadScan.scan($0, requestWasHEAD: false) }
        guard case .incomplete = partial else {
            Issue.record("a partial head was not waited for")
            return
        }
    }

    // MARK: chunked bodies

    static func chunkedEnd(_ text: String, splitEvery step: Int) -> ChunkedBodyEnd.Step {
        let bytes = Array(text.utf8)
        var reader = ChunkedBodyEnd()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            let result = bytes[offset..<end].withUnsafeBytes { reader.consume($0) }
            switch result {
            case .needMore: offset = end
            case .ended(let consumed): return .ended(consumed: offset + consumed)
            case .invalid: return .invalid
            }
        }
        return .needMore
    }

    @Test("the end of a chunked body is found however the bytes arrive; what follows is not taken")
    func chunked() {
        let body = "5\r\nhello\r\nA;name=value\r\n0123456789\r\n0\r\nTrailer: yes\r\n\r\n"
        for step in 1...body.utf8.count {
            #expect(Self.chunkedEnd(body + "HTTP/1.1 200 OK", splitEvery: step) == .ended(consumed: body.utf8.count), "split every \(step)")
        }
        #expect(Self.chunkedEnd("0\r\n\r\n", splitEvery: 1) == .ended(consumed: 5))
        #expect(Self.chunkedEnd("3\nabc\n0\n\n", splitEvery: 2) == .ended(consumed: 9), "LF alone")
        #expect(Self.chunkedEnd("5\r\nhel", splitEvery: 3) == .needMore)
        #expect(Self.chunkedEnd("x\r\n", splitEvery: 1) == .invalid)
        #expect(Self.chunkedEnd("3\r\nabcX\r\n", splitEvery: 1) == .invalid)
        #expect(Self.chunkedEnd("1000000000000000\r\n", splitEvery: 4) == .invalid, "a size that overflows")
    }
}
