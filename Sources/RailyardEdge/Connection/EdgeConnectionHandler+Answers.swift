import NIOCore
import NIOHTTP1

extension EdgeConnectionHandler {
    /// Sends one of the edge's own pages as the whole response.
    func respond(_ page: EdgePage, extraHeaders: [(String, String)] = []) {
        let html = page.html
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/html; charset=utf-8")
        headers.add(name: "content-length", value: String(html.utf8.count))
        headers.add(name: "cache-control", value: "no-store")
        headers.add(contentsOf: extraHeaders)
        let body = active?.summary.method == .HEAD ? nil : IOData.byteBuffer(ByteBuffer(string: html))
        sendResponse(status: page.status, headers: headers, body: body)
    }

    /// Writes a complete response the edge produced (page, file, redirect) and ends it.
    func sendResponse(
        status: HTTPResponseStatus,
        headers: HTTPHeaders,
        body: IOData?,
        bodyWritten: (@Sendable (Result<Void, Error>) -> Void)? = nil
    ) {
        guard let context, let request = startResponse(status: status, headers: headers) else { return }
        active?.bytesSent += body?.readableBytes ?? 0
        if let body {
            let written = context.write(wrapOutboundOut(.body(body)))
            if let bodyWritten { written.whenComplete(bodyWritten) }
        }
        endResponse(trailers: nil, keepAlive: request.summary.keepAlive)
    }

    /// Writes the head of a response the edge produced; returns the request it answers (nil: none).
    func startResponse(status: HTTPResponseStatus, headers: HTTPHeaders) -> ActiveRequest? {
        guard let context, let request = active else { return nil }
        var headers = headers
        headers.replaceOrAdd(name: RequestID.header, value: request.summary.requestID)
        ProxyHeaders.setConnection(&headers, keepAlive: request.summary.keepAlive, clientVersion: request.summary.version)
        active?.status = status
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        return request
    }
}
