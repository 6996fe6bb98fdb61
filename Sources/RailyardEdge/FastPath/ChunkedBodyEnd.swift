/// Finds where a chunked body ends while its bytes pass through unchanged (RFC 9112 §7.1): chunk
/// sizes in hex with optional extensions, the data and its CRLF, the last chunk (size 0), optional
/// trailer lines and the final empty line. Lines may end in LF alone, as NIO's decoder allows.
struct ChunkedBodyEnd {
    enum Step: Equatable {
        /// Every byte given belongs to the body, which goes on.
        case needMore
        /// The body ends after this many of the bytes given; the rest is not part of it.
        case ended(consumed: Int)
        /// The bytes are not a chunked body.
        case invalid
    }

    private enum State {
        case size(digits: Int)
        case extensions
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        /// At the start of a trailer line, or of the final empty line.
        case trailerStart
        case trailerLine
        case trailerLF(empty: Bool)
    }

    private var state = State.size(digits: 0)
    private var size = 0

    /// Consumes the next bytes of the body.
    mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Step {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .data(let remaining):
                let take = min(remaining, count - index)
                index += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            default:
                break
            }
            let byte = bytes[index]
            index += 1
            switch state {
            case .size(let digits):
                if let value = Self.hexValue(byte) {
                    guard digits < 15 else { return .invalid }
                    size = size << 4 | value
                    state = .size(digits: digits + 1)
                } else if digits == 0 {
                    return .invalid
                } else if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    state = .extensions
                } else if byte == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if byte == UInt8(ascii: "\n") {
                    endOfSizeLine()
                } else {
                    return .invalid
                }
            case .extensions:
                if byte == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if byte == UInt8(ascii: "\n") {
                    endOfSizeLine()
                }
            case .sizeLF:
                guard byte == UInt8(ascii: "\n") else { return .invalid }
                endOfSizeLine()
            case .data:
                break  // handled above
            case .dataCR:
                if byte == UInt8(ascii: "\r") {
                    state = .dataLF
                } else if byte == UInt8(ascii: "\n") {
                    state = .size(digits: 0)
                } else {
                    return .invalid
                }
            case .dataLF:
                guard byte == UInt8(ascii: "\n") else { return .invalid }
                state = .size(digits: 0)
            case .trailerStart:
                if byte == UInt8(ascii: "\r") {
                    state = .trailerLF(empty: true)
                } else if byte == UInt8(ascii: "\n") {
                    return .ended(consumed: index)
                } else {
                    state = .trailerLine
                }
            case .trailerLine:
                if byte == UInt8(ascii: "\r") {
                    state = .trailerLF(empty: false)
                } else if byte == UInt8(ascii: "\n") {
                    state = .trailerStart
                }
            case .trailerLF(let empty):
                guard byte == UInt8(ascii: "\n") else { return .invalid }
                if empty { return .ended(consumed: index) }
                state = .trailerStart
            }
        }
        return .needMore
    }

    private mutating func endOfSizeLine() {
        if size == 0 {
            state = .trailerStart
        } else {
            state = .data(remaining: size)
            size = 0
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
