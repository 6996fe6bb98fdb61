import NIOHTTP1

/// The small, self-contained HTML pages the edge answers with itself (unknown host, app down,
/// static 404…). No external assets, so they render even when nothing else is up.
struct EdgePage: Equatable {
    var status: HTTPResponseStatus
    var title: String
    var message: String

    /// No route for this host.
    static func unknownHost(_ host: String) -> EdgePage {
        EdgePage(
            status: .notFound,
            title: "No app here",
            message: "No app is deployed at \(host). Check the address, or deploy a service and give it this domain."
        )
    }

    /// The request carried no Host header, so the edge cannot pick an app.
    static let missingHost = EdgePage(
        status: .badRequest,
        title: "Bad request",
        message: "The request has no Host header, so the edge cannot tell which app it is for."
    )

    /// The service exists but nothing is serving it.
    static func unavailable(_ reason: String) -> EdgePage {
        EdgePage(status: .serviceUnavailable, title: "Service unavailable", message: reason)
    }

    /// The replica refused the connection or dropped it before answering.
    static func badGateway(_ host: String) -> EdgePage {
        EdgePage(
            status: .badGateway,
            title: "The app did not answer",
            message: "The app behind \(host) did not answer. It may be starting, may have crashed, or may not be listening on $PORT. Its logs say more."
        )
    }

    /// Connecting to the replica took longer than the connect timeout.
    static func gatewayTimeout(_ host: String) -> EdgePage {
        EdgePage(
            status: .gatewayTimeout,
            title: "The app took too long to answer",
            message: "The edge could not connect to the app behind \(host) in time. It may be overloaded or stuck; its logs say more."
        )
    }

    /// The request body is larger than the edge lets through.
    static func payloadTooLarge(limit: Int) -> EdgePage {
        EdgePage(
            status: .payloadTooLarge,
            title: "Request too large",
            message: "The request body is larger than the \(describe(bytes: limit)) this server accepts. Send a smaller body, or ask the operator to raise the edge's body limit."
        )
    }

    /// The client did not finish sending its request head within the header timeout.
    static let requestTimeout = EdgePage(
        status: .requestTimeout,
        title: "Request timeout",
        message: "The request took too long to arrive, so the edge closed the connection. Try again."
    )

    /// A static release has no file at this path.
    static func fileNotFound(_ path: String) -> EdgePage {
        EdgePage(status: .notFound, title: "Not found", message: "There is no file at \(path).")
    }

    /// A static release only answers GET and HEAD.
    static let methodNotAllowed = EdgePage(
        status: .methodNotAllowed,
        title: "Method not allowed",
        message: "This is a static site: it answers GET and HEAD only."
    )

    /// The request path cannot be decoded into a file name.
    static let badPath = EdgePage(
        status: .badRequest,
        title: "Bad request",
        message: "The request path is not a valid file path."
    )

    /// A size for people: `100 MiB`, `512 KiB`, `300 bytes`.
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// The page as a whole HTTP/1.1 response that closes the connection, for handlers below the
    /// HTTP encoder.
    var closingResponse: String {
        wholeResponse(requestID: nil, close: true, body: true)
    }

    /// The page as a whole HTTP/1.1 response written as bytes (the fast path and the head timer
    /// sit below the HTTP encoder): with the request's id, `Connection: close` when the
    /// connection ends after it, and without the document for a HEAD request.
    func wholeResponse(requestID: String?, close: Bool, body: Bool) -> String {
        let html = self.html
        return "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
            + "content-type: text/html; charset=utf-8\r\n"
            + "content-length: \(html.utf8.count)\r\n"
            + "cache-control: no-store\r\n"
            + (requestID.map { "x-request-id: \($0)\r\n" } ?? "")
            + (close ? "connection: close\r\n" : "")
            + "\r\n"
            + (body ? html : "")
    }

    /// The whole HTML document.
    var html: String {
        let code = status.code
        let title = Self.escape(title)
        let message = Self.escape(message)
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(code) · \(title)</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#0f1115;color:#e6e6e6}main{max-width:34rem;padding:2rem}h1{font-size:1.5rem;margin:0 0 .5rem}p{color:#a8acb3;margin:0 0 1rem}small{color:#6b7079}</style>
            </head><body><main><small>\(code)</small><h1>\(title)</h1><p>\(message)</p><small>Railyard edge</small></main></body></html>

            """
    }

    /// Escapes text for HTML element content and attribute values (hosts and paths come from the
    /// request, so they are never trusted).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
