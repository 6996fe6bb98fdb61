/// Host-name normalisation shared by the route table and the request path, so `App.Example.COM:8080`
/// and `app.example.com.` find the same route.
enum HostName {
    /// The host in lowercase, without a port and without a trailing dot. IPv6 literals keep their
    /// brackets (`[::1]:8080` → `[::1]`). Returns nil for an empty host. Runs on every request, so it
    /// works on bytes: only ASCII letters are lowercased (routes are ASCII DNS names; a Host header
    /// in Unicode matches none of them either way).
    static func normalize(_ raw: some StringProtocol) -> String? {
        if let host = raw.utf8.withContiguousStorageIfAvailable({ normalize(bytes: $0) }) {
            return host
        }
        return Array(raw.utf8).withUnsafeBufferPointer { normalize(bytes: $0) }
    }

    static func normalize(bytes: UnsafeBufferPointer<UInt8>) -> String? {
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        if start < end, bytes[start] == UInt8(ascii: "[") {
            // IPv6 literal: everything up to the closing bracket.
            guard let close = bytes[start..<end].firstIndex(of: UInt8(ascii: "]")) else { return nil }
            end = close + 1
        } else if let colon = bytes[start..<end].lastIndex(of: UInt8(ascii: ":")) {
            end = colon
        }
        while end > start, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end > start else { return nil }
        return String(unsafeUninitializedCapacity: end - start) { out in
            for index in start..<end {
                let byte = bytes[index]
                out[index - start] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return end - start
        }
    }
}
