/// A wildcard pattern for one path component, as git's wildmatch reads it: `*` is any run of
/// characters, `?` one character, `[a-z]`, `[!abc]`/`[^abc]` and `[[:digit:]]` classes, and `\`
/// makes the next character literal.
struct Glob: Sendable, Equatable {
    private enum Token: Sendable, Equatable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case anyRun
        case set(CharacterSet, negated: Bool)
    }

    /// The members of a `[…]` class.
    struct CharacterSet: Sendable, Equatable {
        var singles: [Unicode.Scalar] = []
        var ranges: [ClosedRange<UInt32>] = []
        var named: [String] = []

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            if singles.contains(scalar) { return true }
            if ranges.contains(where: { $0.contains(scalar.value) }) { return true }
            return named.contains { Self.namedClass($0, contains: scalar) }
        }

        static func namedClass(_ name: String, contains scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            let isUpper = (0x41...0x5A).contains(value)
            let isLower = (0x61...0x7A).contains(value)
            let isDigit = (0x30...0x39).contains(value)
            switch name {
            case "alpha": return isUpper || isLower
            case "digit": return isDigit
            case "alnum": return isUpper || isLower || isDigit
            case "upper": return isUpper
            case "lower": return isLower
            case "xdigit": return isDigit || (0x41...0x46).contains(value) || (0x61...0x66).contains(value)
            case "space": return [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(value)
            case "blank": return value == 0x20 || value == 0x09
            case "punct": return (0x21...0x7E).contains(value) && !(isUpper || isLower || isDigit)
            case "cntrl": return value < 0x20 || value == 0x7F
            case "print": return (0x20...0x7E).contains(value)
            case "graph": return (0x21...0x7E).contains(value)
            default: return false
            }
        }
    }

    private let tokens: [Token]

    /// Compiles one component's pattern (it holds no `/`).
    init(_ pattern: Substring) {
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                tokens.append(.anyCharacter)
                index += 1
            case "\\":
                // A trailing lone backslash matches nothing in git; here it is a literal backslash.
                tokens.append(.literal(index + 1 < scalars.count ? scalars[index + 1] : "\\"))
                index += 2
            case "[":
                if let (set, negated, next) = Self.parseSet(scalars, from: index + 1) {
                    tokens.append(.set(set, negated: negated))
                    index = next
                } else {
                    tokens.append(.literal("["))
                    index += 1
                }
            default:
                tokens.append(.literal(scalar))
                index += 1
            }
        }
        self.tokens = tokens
    }

    /// Parses a class whose `[` is just before `start`; nil when it never closes (then `[` is literal).
    private static func parseSet(_ scalars: [Unicode.Scalar], from start: Int) -> (CharacterSet, Bool, Int)? {
        var index = start
        var negated = false
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" {
            negated = true
            index += 1
        }
        var set = CharacterSet()
        var first = true
        while index < scalars.count {
            var scalar = scalars[index]
            if scalar == "]", !first { return (set, negated, index + 1) }
            first = false
            if scalar == "[", index + 1 < scalars.count, scalars[index + 1] == ":" {
                if let close = (index + 2..<scalars.count).first(where: { scalars[$0] == ":" && $0 + 1 < scalars.count && scalars[$0 + 1] == "]" }) {
                    set.named.append(String(String.UnicodeScalarView(scalars[(index + 2)..<close])))
                    index = close + 2
                    continue
                }
            }
            if scalar == "\\", index + 1 < scalars.count {
                index += 1
                scalar = scalars[index]
            }
            if index + 2 < scalars.count, scalars[index + 1] == "-", scalars[index + 2] != "]" {
                var upper = scalars[index + 2]
                var next = index + 3
                if upper == "\\", index + 3 < scalars.count {
                    upper = scalars[index + 3]
                    next = index + 4
                }
                if scalar.value <= upper.value { set.ranges.append(scalar.value...upper.value) }
                index = next
            } else {
                set.singles.append(scalar)
                index += 1
            }
        }
        return nil
    }

    /// Whether the whole of `component` matches.
    func matches(_ component: [Unicode.Scalar]) -> Bool {
        var tokenIndex = 0
        var scalarIndex = 0
        var starToken = -1
        var starScalar = 0
        while scalarIndex < component.count {
            if tokenIndex < tokens.count {
                let token = tokens[tokenIndex]
                if token == .anyRun {
                    starToken = tokenIndex
                    starScalar = scalarIndex
                    tokenIndex += 1
                    continue
                }
                if Self.token(token, matches: component[scalarIndex]) {
                    tokenIndex += 1
                    scalarIndex += 1
                    continue
                }
            }
            guard starToken >= 0 else { return false }
            tokenIndex = starToken + 1
            starScalar += 1
            scalarIndex = starScalar
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    private static func token(_ token: Token, matches scalar: Unicode.Scalar) -> Bool {
        switch token {
        case .literal(let expected): return scalar == expected
        case .anyCharacter: return true
        case .anyRun: return true
        case .set(let set, let negated): return set.contains(scalar) != negated
        }
    }
}
