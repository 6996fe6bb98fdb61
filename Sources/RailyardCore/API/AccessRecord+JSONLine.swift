import Foundation

extension AccessRecord {
    /// The record as one line of JSON, the same document `JSONEncoder` with `.iso8601` dates writes
    /// (time in whole seconds, UTC), without a newline. Written by hand: the edge logs every request,
    /// and Foundation's encoder would cost more than the request itself.
    public var jsonLine: String {
        var bytes: [UInt8] = []
        appendJSONLine(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `jsonLine`'s bytes (no newline) to `bytes`: how a batch of records is written
    /// without a `String` per record.
    public func appendJSONLine(to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + 160 + path.utf8.count)
        Self.append("{\"time\":\"", to: &bytes)
        Self.appendISO8601(time, to: &bytes)
        Self.append("\",\"host\":", to: &bytes)
        Self.appendQuoted(host, to: &bytes)
        Self.append(",\"method\":", to: &bytes)
        Self.appendQuoted(method, to: &bytes)
        Self.append(",\"path\":", to: &bytes)
        Self.appendQuoted(path, to: &bytes)
        Self.append(",\"status\":", to: &bytes)
        Self.appendDecimal(status, to: &bytes)
        Self.append(",\"durationMs\":", to: &bytes)
        Self.appendMilliseconds(durationMs, to: &bytes)
        Self.append(",\"bytes\":", to: &bytes)
        Self.appendDecimal(self.bytes, to: &bytes)
        Self.append(",\"requestId\":", to: &bytes)
        Self.appendQuoted(requestId, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    private static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `value` in decimal, `-` first when negative.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        defer { bytes.append(UInt8(ascii: "\"")) }
        // The usual case: nothing to escape, one copy — over the string's contiguous bytes (one
        // pass over a buffer, not the UTF-8 view's per-byte iteration).
        var text = text
        let copied = text.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied { return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"", to: &bytes)
            case UInt8(ascii: "\\"): append("\\\\", to: &bytes)
            case UInt8(ascii: "\n"): append("\\n", to: &bytes)
            case UInt8(ascii: "\r"): append("\\r", to: &bytes)
            case UInt8(ascii: "\t"): append("\\t", to: &bytes)
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                append("\\u00", to: &bytes)
                bytes.append(hex.utf8Start[Int(byte >> 4)])
                bytes.append(hex.utf8Start[Int(byte & 0xF)])
            default:
                // UTF-8 passes as it is, multi-byte characters included.
                bytes.append(byte)
            }
        }
    }

    /// A duration in milliseconds as JSON: whole microseconds (what the edge measures) in plain
    /// digits, the same text `description` gives them; anything finer through `description`.
    public static func appendMilliseconds(_ value: Double, to bytes: inout [UInt8]) {
        let value = value.isFinite ? value : 0
        let micros = (value * 1000).rounded()
        guard value >= 0, micros < 1e12, abs(micros / 1000 - value) < 1e-9 else {
            bytes.append(contentsOf: value.description.utf8)
            return
        }
        let (whole, fraction) = Int(micros).quotientAndRemainder(dividingBy: 1000)
        appendDecimal(whole, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        if fraction == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits = fraction < 10 ? 3 : fraction < 100 ? 2 : 1
        var trimmed = fraction
        while trimmed % 10 == 0 { trimmed /= 10 }
        while digits > 1 { bytes.append(UInt8(ascii: "0")); digits -= 1 }
        appendDecimal(trimmed, to: &bytes)
    }

    /// `date` as `yyyy-MM-ddTHH:mm:ssZ` (UTC, whole seconds, rounded down).
    static func appendISO8601(_ date: Date, to bytes: inout [UInt8]) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, adjust) = secondOfDay < 0 ? (days - 1, 86_400) : (days, 0)
        let time = secondOfDay + adjust
        // Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted).
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        appendPadded(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(dayOfMonth, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendPadded(time / 3600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(time / 60 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(time % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// A non-negative `value` with leading zeros up to `width` digits.
    private static func appendPadded(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var power = 1
        for _ in 1..<width { power *= 10 }
        while power > 1, value < power {
            bytes.append(UInt8(ascii: "0"))
            power /= 10
        }
        appendDecimal(value, to: &bytes)
    }
}
