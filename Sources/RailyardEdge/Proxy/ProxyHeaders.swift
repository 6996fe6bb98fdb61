import NIOHTTP1

/// The header rewriting of a proxied exchange, as pure functions: what goes to the app, what comes
/// back to the client, and how each side is framed. No I/O, so every rule is unit-tested.
enum ProxyHeaders {
    /// What the request looked like when it arrived, as far as the rest of its life needs it.
    struct RequestSummary: Equatable {
        var method: HTTPMethod
        var version: HTTPVersion
        var keepAlive: Bool
        var requestID: String
    }

    /// The response to send to the client and what the exchange means for both connections.
    struct ResponsePlan: Equatable {
        var head: HTTPResponseHead
        /// Whether the client connection stays open after this response.
        var clientKeepAlive: Bool
        /// Whether the upstream connection can serve another request after this response.
        var upstreamReusable: Bool
    }

    /// The request head sent to the app: HTTP/1.1, hop-by-hop headers removed, body framing made
    /// explicit, and the `X-Forwarded-*` and `X-Request-Id` headers set (`X-Forwarded-Proto` says
    /// `https` when the client came over TLS).
    static func upstreamRequest(
        from client: HTTPRequestHead,
        clientAddress: String?,
        requestID: String,
        secure: Bool = false
    ) -> HTTPRequestHead {
        var headers = client.headers
        let chunked = headers.contains(name: "transfer-encoding")
        removeHopByHop(from: &headers)
        if chunked {
            // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3); the body is re-chunked.
            headers.remove(name: "content-length")
            headers.add(name: "transfer-encoding", value: "chunked")
        }

        if let clientAddress {
            if headers.contains(name: "x-forwarded-for") {
                let earlier = headers[canonicalForm: "x-forwarded-for"].joined(separator: ", ")
                headers.remove(name: "x-forwarded-for")
                headers.add(name: "x-forwarded-for", value: earlier.isEmpty ? clientAddress : "\(earlier), \(clientAddress)")
            } else {
                headers.add(name: "x-forwarded-for", value: clientAddress)
            }
        }
        headers.replaceOrAdd(name: "x-forwarded-proto", value: secure ? "https" : "http")
        if let host = headers.first(name: "host") {
            headers.replaceOrAdd(name: "x-forwarded-host", value: host)
        }
        headers.replaceOrAdd(name: RequestID.header, value: requestID)
        if isWebSocketUpgrade(client) {
            // The one case where hop-by-hop headers cross the edge: the app must see the handshake.
            headers.add(name: "connection", value: "upgrade")
            headers.add(name: "upgrade", value: client.headers[canonicalForm: "upgrade"].joined(separator: ", "))
        }
        return HTTPRequestHead(version: .http1_1, method: client.method, uri: originForm(client.uri), headers: headers)
    }

    /// A WebSocket handshake (RFC 6455 §4.1): an HTTP/1.1 GET with `Connection: upgrade` and
    /// `Upgrade: websocket`. The only upgrade the edge passes through.
    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        head.method == .GET && head.version.isAtLeast1_1 && asksToSwitchProtocols(head)
            && head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
    }

    /// A request after which the client's HTTP parser stops reading HTTP on this connection (any
    /// `Connection: upgrade` with an `Upgrade` header, or CONNECT). Unless it becomes a tunnel, the
    /// connection must close after the response: a next request on it would never be read.
    static func asksToSwitchProtocols(_ head: HTTPRequestHead) -> Bool {
        if head.method == .CONNECT { return true }
        return head.headers.contains(name: "upgrade")
            && head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
    }

    /// The `101 Switching Protocols` head for the client: the app's, with hop-by-hop headers
    /// removed except the `Connection: upgrade` and `Upgrade` pair the handshake needs.
    static func switchingProtocolsResponse(from upstream: HTTPResponseHead, for request: RequestSummary) -> HTTPResponseHead {
        var headers = upstream.headers
        let upgrade = headers[canonicalForm: "upgrade"].joined(separator: ", ")
        removeHopByHop(from: &headers)
        headers.remove(name: "content-length")
        headers.add(name: "connection", value: "upgrade")
        if !upgrade.isEmpty {
            headers.add(name: "upgrade", value: upgrade)
        }
        if !headers.contains(name: RequestID.header) {
            headers.add(name: RequestID.header, value: request.requestID)
        }
        return HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers)
    }

    /// The request target as an app expects it: `http://host/a?b` (absolute form, which clients
    /// send to proxies) becomes `/a?b`; origin-form and `*` pass unchanged.
    static func originForm(_ target: String) -> String {
        guard !target.hasPrefix("/"), target != "*", let scheme = target.range(of: "://") else { return target }
        let afterAuthority = target[scheme.upperBound...]
        guard let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = afterAuthority[slash...]
        return rest.hasPrefix("?") ? "/" + rest : String(rest)
    }

    /// The response head for the client: hop-by-hop headers removed, framing chosen for the
    /// client's HTTP version, `Connection` set when it differs from the version's default.
    static func clientResponse(from upstream: HTTPResponseHead, for request: RequestSummary) -> ResponsePlan {
        var headers = upstream.headers
        let status = upstream.status.code
        let upstreamChunked = headers.contains(name: "transfer-encoding")
            && headers[canonicalForm: "transfer-encoding"].contains { $0.utf8.equalsIgnoringASCIICase("chunked") }
        let bodyless = request.method == .HEAD || (100..<200).contains(status) || status == 204 || status == 304
        let upstreamReusable =
            upstream.isKeepAlive
            && (bodyless || upstreamChunked || headers.contains(name: "content-length"))

        removeHopByHop(from: &headers)
        if (100..<200).contains(status) || status == 204 {
            headers.remove(name: "content-length")
        }

        var keepAlive = request.keepAlive
        if !bodyless && !headers.contains(name: "content-length") {
            if request.version.isAtLeast1_1 {
                headers.add(name: "transfer-encoding", value: "chunked")
            } else {
                // An HTTP/1.0 client cannot read chunks: the body ends when the connection does.
                keepAlive = false
            }
        }
        if !headers.contains(name: RequestID.header) {
            headers.add(name: RequestID.header, value: request.requestID)
        }
        setConnection(&headers, keepAlive: keepAlive, clientVersion: request.version)
        return ResponsePlan(
            head: HTTPResponseHead(version: .http1_1, status: upstream.status, headers: headers),
            clientKeepAlive: keepAlive,
            upstreamReusable: upstreamReusable
        )
    }

    /// A 1xx head (e.g. `100 Continue`) relayed to the client, or nil when the client cannot take
    /// one (HTTP/1.0).
    static func informationalResponse(from upstream: HTTPResponseHead, for request: RequestSummary) -> HTTPResponseHead? {
        guard request.version.isAtLeast1_1 else { return nil }
        var headers = upstream.headers
        removeHopByHop(from: &headers)
        return HTTPResponseHead(version: .http1_1, status: upstream.status, headers: headers)
    }

    /// Adds `Connection: close` or `Connection: keep-alive` when the decision differs from what the
    /// client's HTTP version assumes.
    static func setConnection(_ headers: inout HTTPHeaders, keepAlive: Bool, clientVersion: HTTPVersion) {
        if !keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if !clientVersion.isAtLeast1_1 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
    }

    /// Removes the hop-by-hop headers, the headers the `Connection` header names, and `Proxy-*`.
    /// Runs on every request and response: names and `Connection` tokens are compared as bytes
    /// (no `canonicalForm` split), and headers with nothing to remove are left untouched.
    static func removeHopByHop(from headers: inout HTTPHeaders) {
        var doomed: [String] = []
        for (name, value) in headers where isHopByHop(name) {
            doomed.append(name)
            if name.utf8.equalsIgnoringASCIICase("connection") {
                appendNamedHeaders(listedIn: value, to: &doomed)
            }
        }
        for name in doomed {
            headers.remove(name: name)
        }
    }

    /// The header names a `Connection` value lists, except those removed anyway (hop-by-hop) and
    /// those never removed on a client's say-so: dropping `Host` or `Content-Length` would change
    /// how the message is routed or framed. (`keep-alive`, `close` and the like name no header, or
    /// one removed anyway.)
    private static func appendNamedHeaders(listedIn value: String, to names: inout [String]) {
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let utf8 = value.utf8
        var next = utf8.startIndex
        while next < utf8.endIndex {
            let comma = utf8[next...].firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
            var start = next
            var end = comma
            next = comma < utf8.endIndex ? utf8.index(after: comma) : comma
            while start < end, isBlank(utf8[start]) { start = utf8.index(after: start) }
            while start < end, isBlank(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
            guard start < end else { continue }
            let name = value[start..<end]
            let bytes = name.utf8
            if isHopByHop(name) || bytes.equalsIgnoringASCIICase("host") || bytes.equalsIgnoringASCIICase("content-length")
                || bytes.equalsIgnoringASCIICase("close")
            {
                continue
            }
            names.append(String(name))
        }
    }

    /// Whether `name` describes one connection, not the message (RFC 9110 §7.6.1), and is removed in
    /// both directions: Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade and
    /// `Proxy-*`, in any case.
    static func isHopByHop(_ name: some StringProtocol) -> Bool {
        isHopByHop(bytes: name.utf8)
    }

    /// `isHopByHop(_:)` for a name given as bytes (the fast path reads heads as bytes).
    static func isHopByHop(bytes utf8: some Collection<UInt8>) -> Bool {
        switch utf8.count {
        case 2: return utf8.equalsIgnoringASCIICase("te")
        case 7: return utf8.equalsIgnoringASCIICase("upgrade") || utf8.equalsIgnoringASCIICase("trailer")
        case 10: return utf8.equalsIgnoringASCIICase("connection") || utf8.equalsIgnoringASCIICase("keep-alive")
        case 17: return utf8.equalsIgnoringASCIICase("transfer-encoding")
        default: return utf8.count > 6 && utf8.prefix(6).equalsIgnoringASCIICase("proxy-")
        }
    }
}

extension Sequence<UInt8> {
    /// Equal to `lowercase` (lowercase ASCII) in any ASCII case.
    func equalsIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return elementsEqual(expected) { byte, lower in
            byte == lower || (byte >= 0x41 && byte <= 0x5A && byte | 0x20 == lower)
        }
    }
}

extension HTTPVersion {
    /// HTTP/1.1 or later: chunked bodies and keep-alive by default.
    var isAtLeast1_1: Bool { major > 1 || (major == 1 && minor >= 1) }
}
