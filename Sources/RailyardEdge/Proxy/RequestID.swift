/// The `X-Request-Id` a request carries through the edge to the app and back: kept when the client
/// (or a proxy in front) sent a sane one, generated otherwise.
enum RequestID {
    /// The header name, lowercased as NIO compares names case-insensitively anyway.
    static let header = "x-request-id"

    /// The incoming id when it is 1–200 visible ASCII characters, else a fresh random one.
    static func resolve(incoming: String?) -> String {
        if let incoming, isAcceptable(incoming) { return incoming }
        return generate()
    }

    /// 128 random bits as 32 lowercase hex digits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 200 else { return false }
        return utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
