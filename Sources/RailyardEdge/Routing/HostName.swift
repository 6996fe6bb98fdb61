/// Host-name normalisation shared by the route table and the request path, so `App.Example.COM:8080`
/// and `app.example.com.` find the same route.
enum HostName {
    /// The host in lowercase, without a port and without a trailing dot. IPv6 literals keep their
    /// brackets (`[::1]:8080` → `[::1]`). Returns nil for an empty host.
    static func normalize(_ raw: some StringProtocol) -> String? {
        var host = Substring(raw.trimmingWhitespace())
        if host.first == "[" {
            // IPv6 literal: everything up to the closing bracket.
            guard let close = host.firstIndex(of: "]") else { return nil }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        while host.last == "." { host = host.dropLast() }
        guard !host.isEmpty else { return nil }
        return host.lowercased()
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> SubSequence {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
