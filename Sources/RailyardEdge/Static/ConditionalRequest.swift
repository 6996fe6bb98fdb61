import NIOHTTP1

/// `If-None-Match` evaluation for static files (RFC 9110 §13.1.2, weak comparison).
enum ConditionalRequest {
    /// True when the client's cached copy is current and a 304 is the answer.
    static func isNotModified(_ headers: HTTPHeaders, etag: String) -> Bool {
        let tags = headers[canonicalForm: "if-none-match"]
        guard !tags.isEmpty else { return false }
        let mine = opaque(etag)
        return tags.contains { tag in tag == "*" || opaque(tag) == mine }
    }

    private static func opaque(_ tag: Substring) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }

    private static func opaque(_ tag: String) -> Substring {
        opaque(Substring(tag))
    }
}
