/// Quoting for words placed in `/bin/sh -c` command lines.
enum ShellQuote {
    /// `word` unchanged when it is plainly safe, else in single quotes.
    static func quote(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:@%+,".contains($0)) }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
