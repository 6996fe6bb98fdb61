import Foundation

/// Dates as tables print them: in UTC, with a fixed pattern.
enum UTCTime {
    static func format(_ date: Date, _ pattern: String = "yyyy-MM-dd HH:mm:ss") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
