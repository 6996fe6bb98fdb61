import NIOCore

extension FastRequestHead {
    /// What the edge keeps of a simple request for its access record, and the request as the app
    /// gets it.
    struct Rewritten {
        let requestID: String
        /// The target without its query.
        let path: String
    }

    /// Writes the request as the app gets it into `request` — the client's request line and kept
    /// header lines, hop-by-hop headers dropped, `X-Forwarded-For/-Proto/-Host` and `X-Request-Id`
    /// set: the same rewriting as `ProxyHeaders.upstreamRequest` — from the head's bytes `raw`.
    /// The client's request id is kept when acceptable; otherwise `newID` makes one.
    func writeUpstreamRequest(
        from raw: UnsafeRawBufferPointer, clientAddress address: String?, secure: Bool,
        newID: () -> String, into request: inout ByteBuffer
    ) -> Rewritten {
        func write(_ range: Range<Int>) { request.writeBytes(UnsafeRawBufferPointer(rebasing: raw[range])) }
        let requestID = acceptableRequestID(in: raw) ?? newID()
        let query = UnsafeRawBufferPointer(rebasing: raw[target]).firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = query.map { target.lowerBound + $0 } ?? target.upperBound
        let path = String(decoding: UnsafeRawBufferPointer(rebasing: raw[target.lowerBound..<pathEnd]), as: UTF8.self)

        write(0..<target.upperBound)
        request.writeStaticString(" HTTP/1.1\r\n")
        // Kept lines are mostly back to back: one write per stretch of them.
        var run = 0..<0
        for line in keptLines {
            if line.lowerBound == run.upperBound && !run.isEmpty {
                run = run.lowerBound..<line.upperBound
            } else {
                if !run.isEmpty { write(run) }
                run = line
            }
        }
        if !run.isEmpty { write(run) }
        if let earlier = forwardedFor {
            request.writeStaticString("x-forwarded-for: ")
            write(earlier)
            if let address, !earlier.isEmpty { request.writeStaticString(", ") }
            if let address { request.writeString(address) }
            request.writeStaticString("\r\n")
        } else if let address {
            request.writeStaticString("x-forwarded-for: ")
            request.writeString(address)
            request.writeStaticString("\r\n")
        }
        request.writeStaticString(secure ? "x-forwarded-proto: https\r\n" : "x-forwarded-proto: http\r\n")
        request.writeStaticString("x-forwarded-host: ")
        write(host)
        request.writeStaticString("\r\nx-request-id: ")
        request.writeString(requestID)
        request.writeStaticString("\r\n\r\n")
        return Rewritten(requestID: requestID, path: path)
    }

    /// The client's `X-Request-Id`, when it is one the edge passes on.
    private func acceptableRequestID(in raw: UnsafeRawBufferPointer) -> String? {
        guard let incoming = requestID else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[incoming])
        return RequestID.isAcceptable(bytes: bytes) ? String(decoding: bytes, as: UTF8.self) : nil
    }
}
