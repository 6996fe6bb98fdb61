import Foundation
/// A Heroku-style Procfile: `name: command` lines; `#` starts a comment.
struct Procfile: Equatable, Sendable {
    /// The commands by process type, in file order of first appearance.
    var processes: [String: String]

    /// The `web` process, which is what a service runs.
    var web: String? { processes["web"] }

    /// Parses the text of a Procfile; lines that are not `name: command` are ignored.
    init(parsing text: String) {
        var processes: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else { continue }
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let command = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !command.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { continue }
            if processes[name] == nil { processes[name] = command }
        }
        self.processes = processes
    }

    /// The Procfile among `files`, if there is one.
    static func load(_ files: some SourceFiles) -> Procfile? {
        files.read("Procfile").map(Procfile.init(parsing:))
    }
}
