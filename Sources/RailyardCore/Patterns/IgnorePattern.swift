/// One line of a `.gitignore` or `.railyardignore` file, compiled: `#` comments and blank lines
/// yield nothing; `!` negates; a trailing `/` matches directories only; a `/` at the start or in the
/// middle anchors the pattern to the file's folder, otherwise it matches a name at any depth;
/// `*`, `?`, `[…]` and `**` behave as in git.
public struct IgnorePattern: Sendable, Equatable {
    /// The line as written in the file.
    public let source: String
    /// A `!pattern`: a match re-includes what an earlier pattern excluded.
    public let negated: Bool
    /// A `pattern/`: matches directories only.
    public let directoryOnly: Bool
    /// Matched against the whole path relative to the ignore file's folder, not only the last name.
    public let anchored: Bool
    private let segments: [Segment]

    private enum Segment: Sendable, Equatable {
        /// `**`: zero or more whole path components.
        case anyDirectories
        case glob(Glob)
    }

    /// Compiles one line; nil for blank lines, comments, and lines that are nothing but `/` or `!`.
    public init?(_ line: String) {
        var text = Substring(line)
        if text.hasSuffix("\r") { text.removeLast() }
        if text.hasPrefix("#") { return nil }
        text = Self.trimmingUnescapedTrailingSpaces(text)
        var negated = false
        if text.hasPrefix("!") {
            negated = true
            text.removeFirst()
        }
        var directoryOnly = false
        while text.hasSuffix("/") {
            directoryOnly = true
            text.removeLast()
        }
        let anchored = text.contains("/")
        while text.hasPrefix("/") { text.removeFirst() }
        guard !text.isEmpty else { return nil }

        var segments: [Segment] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "**" {
                if segments.last != .anyDirectories { segments.append(.anyDirectories) }
            } else {
                segments.append(.glob(Glob(part)))
            }
        }
        self.source = line
        self.negated = negated
        self.directoryOnly = directoryOnly
        self.anchored = anchored
        self.segments = segments
    }

    /// Whether the pattern matches `relativePath` (components joined by `/`, relative to the ignore
    /// file's folder), ignoring negation: the caller decides what a match means.
    public func matches(_ relativePath: String, isDirectory: Bool) -> Bool {
        if directoryOnly, !isDirectory { return false }
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: true)
            .map { Array($0.unicodeScalars) }
        guard let last = components.last else { return false }
        if !anchored {
            guard segments.count == 1, case .glob(let glob) = segments[0] else {
                return Self.match(segments[...], components[...])
            }
            return glob.matches(last)
        }
        return Self.match(segments[...], components[...])
    }

    private static func match(_ segments: ArraySlice<Segment>, _ components: ArraySlice<[Unicode.Scalar]>) -> Bool {
        guard let first = segments.first else { return components.isEmpty }
        switch first {
        case .anyDirectories:
            let rest = segments.dropFirst()
            // A trailing `/**` matches everything inside, but not the folder itself.
            if rest.isEmpty { return !components.isEmpty }
            var start = components.startIndex
            while start <= components.endIndex {
                if match(rest, components[start...]) { return true }
                start += 1
            }
            return false
        case .glob(let glob):
            guard let component = components.first, glob.matches(component) else { return false }
            return match(segments.dropFirst(), components.dropFirst())
        }
    }

    /// Trailing spaces are dropped unless escaped with a backslash (`foo\ ` keeps one space).
    private static func trimmingUnescapedTrailingSpaces(_ text: Substring) -> Substring {
        var end = text.endIndex
        while end > text.startIndex {
            let before = text.index(before: end)
            guard text[before] == " " else { break }
            var backslashes = 0
            var cursor = before
            while cursor > text.startIndex {
                let previous = text.index(before: cursor)
                guard text[previous] == "\\" else { break }
                backslashes += 1
                cursor = previous
            }
            if backslashes % 2 == 1 { break }
            end = before
        }
        return text[..<end]
    }
}
