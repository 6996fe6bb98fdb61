import RailyardCore

/// A request budget: at most `limit` requests per `window` seconds, written as `COUNT/WINDOW`
/// (e.g. `100/15m`; window units `s`, `m`, `h`).
public struct RateLimitRule: Sendable, Equatable, CustomStringConvertible {
    /// Requests allowed in one window.
    public var limit: Int
    /// The window's length in seconds.
    public var window: Int

    /// A rule of `limit` requests per `window` seconds.
    public init(limit: Int, window: Int) {
        self.limit = limit
        self.window = window
    }

    /// Parses `COUNT/WINDOW` such as `100/15m`, `1200/1m` or `3/60s`; `field` names the flag in errors.
    public init(parsing text: String, field: String) throws(RailyardError) {
        let invalid = RailyardError.invalid(
            field, "\(field) '\(text)' must look like COUNT/WINDOW, e.g. 100/15m (window units: s, m, h)"
        )
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let limit = Int(parts[0]), limit > 0, let unit = parts[1].last else { throw invalid }
        let multiplier: Int
        switch unit {
        case "s": multiplier = 1
        case "m": multiplier = 60
        case "h": multiplier = 3600
        default: throw invalid
        }
        let amountText = parts[1].dropLast()
        let amount = amountText.isEmpty ? 1 : Int(amountText)
        guard let amount, amount > 0, amount <= 24 * 3600 else { throw invalid }
        self.init(limit: limit, window: amount * multiplier)
    }

    /// `COUNT/SECONDSs`, parseable back.
    public var description: String { "\(limit)/\(window)s" }
}
