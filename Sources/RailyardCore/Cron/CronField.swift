/// One of a cron expression's five fields: its name in messages, its range, and the names it
/// accepts for its values (months JAN–DEC, weekdays SUN–SAT).
public struct CronField: Sendable, Equatable {
    /// The field's name as messages say it (`minute`, `day-of-week`).
    public let name: String
    /// The values it may hold (for day-of-week 0–7, 7 being Sunday again).
    public let range: ClosedRange<Int>
    /// Names accepted for values, by upper-cased name.
    let names: [String: Int]
    /// How the names read in messages (`JAN–DEC`).
    let nameHint: String?

    public static let minute = CronField(name: "minute", range: 0...59, names: [:], nameHint: nil)
    public static let hour = CronField(name: "hour", range: 0...23, names: [:], nameHint: nil)
    public static let dayOfMonth = CronField(name: "day-of-month", range: 1...31, names: [:], nameHint: nil)
    public static let month = CronField(
        name: "month", range: 1...12,
        names: Dictionary(uniqueKeysWithValues: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            .enumerated().map { ($1, $0 + 1) }),
        nameHint: "JAN–DEC"
    )
    public static let dayOfWeek = CronField(
        name: "day-of-week", range: 0...7,
        names: Dictionary(uniqueKeysWithValues: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].enumerated().map { ($1, $0) }),
        nameHint: "SUN–SAT"
    )

    /// The five fields in crontab order.
    public static let all: [CronField] = [.minute, .hour, .dayOfMonth, .month, .dayOfWeek]

    /// The values `text` selects (`*`, `5`, `1-10`, `*/15`, `1-10/2`, `MON-FRI`, lists of these),
    /// or an error naming this field and what is wrong.
    func values(_ text: String) throws(CronExpressionError) -> Set<Int> {
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !item.isEmpty else { throw problem(text, "has an empty item in its list") }
            result.formUnion(try values(item: item, whole: text))
        }
        return result
    }

    private func values(item: String, whole: String) throws(CronExpressionError) -> Set<Int> {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { throw problem(item, "has more than one '/'") }
        var step = 1
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed >= 1, parsed <= range.upperBound else {
                throw problem(item, "has a step that is not a whole number from 1 to \(range.upperBound)")
            }
            step = parsed
        }
        let base = parts[0]
        let bounds: ClosedRange<Int>
        if base == "*" {
            bounds = range.lowerBound...(self == .dayOfWeek ? 6 : range.upperBound)
        } else if let dash = base.firstIndex(of: "-") {
            let low = try value(String(base[..<dash]), item: item)
            let high = try value(String(base[base.index(after: dash)...]), item: item)
            guard low <= high else { throw problem(item, "is a range that ends before it starts; write the smaller value first") }
            bounds = low...high
        } else {
            let single = try value(base, item: item)
            // `5/15` runs from 5 to the end of the range, as most crons read it.
            bounds = parts.count == 2 ? single...range.upperBound : single...single
        }
        var selected = Set(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        if self == .dayOfWeek, selected.remove(7) != nil { selected.insert(0) }
        return selected
    }

    /// A number or a name of this field, inside its range.
    private func value(_ text: String, item: String) throws(CronExpressionError) -> Int {
        if let number = Int(text), text.allSatisfy(\.isASCII) {
            guard range.contains(number) else {
                throw CronExpressionError("\(name) field '\(item)' is out of range \(range.lowerBound)–\(range.upperBound)")
            }
            return number
        }
        if let named = names[text.uppercased()] { return named }
        let accepted = nameHint.map { "a number from \(range.lowerBound) to \(range.upperBound) or a name \($0)" }
            ?? "a number from \(range.lowerBound) to \(range.upperBound)"
        throw problem(item, "has '\(text)', which is not \(accepted)")
    }

    private func problem(_ text: String, _ what: String) -> CronExpressionError {
        CronExpressionError("\(name) field '\(text)' \(what)")
    }
}

/// Why a cron expression was refused: a sentence naming the field and what is wrong with it.
public struct CronExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
