/// The `X-Request-Id` a request carries through the edge to the app and back: kept when the client
/// (or a proxy in front) sent a sane one, generated otherwise.
enum RequestID {
    /// The header name, lowercased as NIO compares names case-insensitively anyway.
    static let header = "x-request-id"

    /// The incoming id when it is 1–200 visible ASCII characters, else a fresh one from `generator`.
    static func resolve(incoming: String?, generator: inout Generator) -> String {
        if let incoming, isAcceptable(incoming) { return incoming }
        return generator.next()
    }

    /// Fresh ids: 128 bits as 32 lowercase hex digits, from a SplitMix64 sequence seeded with 128
    /// bits of system randomness. One per connection, so a request costs no system call; ids are
    /// for correlating logs, not secrets.
    struct Generator {
        private var state: UInt64
        private let salt: UInt64

        init() {
            var system = SystemRandomNumberGenerator()
            state = system.next()
            salt = system.next()
        }

        mutating func next() -> String {
            let high = step()
            let low = step() ^ salt
            return String(unsafeUninitializedCapacity: 32) { bytes in
                RequestID.writeHex(high, into: bytes, at: 0)
                RequestID.writeHex(low, into: bytes, at: 16)
                return 32
            }
        }

        private mutating func step() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func isAcceptable(_ id: String) -> Bool {
        isAcceptable(bytes: id.utf8)
    }

    /// `isAcceptable(_:)` for an id given as bytes.
    static func isAcceptable(bytes utf8: some Collection<UInt8>) -> Bool {
        guard !utf8.isEmpty, utf8.count <= 200 else { return false }
        return utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static func writeHex(_ value: UInt64, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let digits: StaticString = "0123456789abcdef"
        for index in 0..<16 {
            let nibble = Int((value >> UInt64(60 - 4 * index)) & 0xF)
            bytes[offset + index] = digits.utf8Start[nibble]
        }
    }
}
