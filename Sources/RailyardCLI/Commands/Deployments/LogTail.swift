/// Keeps the last `limit` lines of a log whose text arrives in chunks, never more in memory.
struct LogTail: Equatable {
    /// How many lines to keep.
    let limit: Int
    private var kept: [String] = []
    /// The text after the last newline seen, waiting for the rest of its line.
    private var partial = ""

    /// A tail of at most `limit` lines.
    init(limit: Int) {
        self.limit = max(limit, 0)
    }

    /// Adds a chunk of log text.
    mutating func append(_ text: String) {
        var pieces = (partial + text).split(separator: "\n", omittingEmptySubsequences: false)
        partial = String(pieces.removeLast())
        kept += pieces.suffix(limit).map(String.init)
        if kept.count > limit * 2 + 64 { kept.removeFirst(kept.count - limit) }
    }

    /// The kept lines, oldest first (an unfinished last line counts as a line).
    var lines: [String] {
        let all = partial.isEmpty ? kept : kept + [partial]
        return Array(all.suffix(limit))
    }

    /// The kept lines as text, each ending with a newline.
    var text: String {
        lines.map { $0 + "\n" }.joined()
    }
}
