import Foundation

extension AccessRecord {
    /// The record as one line of JSON, the same document `JSONEncoder` with `.iso8601` dates writes
    /// (time in whole seconds, UTC), without a newline. Written by hand: the edge logs every request,
    /// and Foundation's encoder would cost more than the request itself.
    public var jsonLine: String {
        var line = "{\"time\":\""
        line.reserveCapacity(160 + path.utf8.count)
        Self.appendISO8601(time, to: &line)
        line += "\",\"host\":"
        Self.appendQuoted(host, to: &line)
        line += ",\"method\":"
        Self.appendQuoted(method, to: &line)
        line += ",\"path\":"
        Self.appendQuoted(path, to: &line)
        line += ",\"status\":\(status),\"durationMs\":\(durationMs.isFinite ? durationMs : 0),\"bytes\":\(bytes),\"requestId\":"
        Self.appendQuoted(requestId, to: &line)
        line += "}"
        return line
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendQuoted(_ text: String, to line: inout String) {
        line += "\""
        var plain = true
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            line += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": line += "\\\""
                case "\\": line += "\\\\"
                case "\n": line += "\\n"
                case "\r": line += "\\r"
                case "\t": line += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: line.unicodeScalars.append(scalar)
                }
            }
        }
        line += "\""
    }

    /// `date` as `yyyy-MM-ddTHH:mm:ssZ` (UTC, whole seconds, rounded down).
    static func appendISO8601(_ date: Date, to line: inout String) {
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
        for (value, width, separator) in [
            (year, 4, "-"), (month, 2, "-"), (dayOfMonth, 2, "T"),
            (time / 3600, 2, ":"), (time / 60 % 60, 2, ":"), (time % 60, 2, "Z"),
        ] {
            let digits = String(value)
            if digits.count < width { line += String(repeating: "0", count: width - digits.count) }
            line += digits
            line += separator
        }
    }
}
