import RailyardCore

/// Decides which paths of a folder stay out of an upload, from the `.gitignore` and
/// `.railyardignore` files found at any depth.
///
/// Within one file the last matching line wins; a deeper file overrides a shallower one; and any
/// `.railyardignore` match overrides every `.gitignore` (so `!dist/` there ships what git ignores).
/// As in git, nothing inside an ignored folder can be re-included. When the packed folder is inside
/// a git work tree, the `.gitignore` files of the folders above it (up to the work tree's top) count
/// too, with less weight than any inside it.
public struct IgnoreMatcher: Sendable, Equatable {
    /// The two kinds of ignore file, in increasing precedence.
    public enum Kind: String, Sendable, CaseIterable {
        case gitignore = ".gitignore"
        case railyardignore = ".railyardignore"

        /// The file name, e.g. `.gitignore`.
        public var fileName: String { rawValue }
    }

    /// Patterns by kind, then by the folder (relative path, "" for the root) of the file they came from.
    private var files: [Kind: [String: [IgnorePattern]]] = [:]
    /// `.gitignore` patterns of folders above the root, nearest first, with the root's path from each.
    private var outer: [OuterFile] = []

    private struct OuterFile: Sendable, Equatable {
        var prefix: String
        var patterns: [IgnorePattern]
    }

    /// A matcher with no rules: nothing is ignored.
    public init() {}

    /// Adds the lines of one ignore file found in `directory` (relative to the root, "" for the root).
    public mutating func add(_ contents: String, kind: Kind, directory: String) {
        let patterns = contents.split(separator: "\n", omittingEmptySubsequences: false)
            .compactMap { IgnorePattern(String($0)) }
        guard !patterns.isEmpty else { return }
        files[kind, default: [:]][Self.trimmed(directory), default: []] += patterns
    }

    /// Adds a `.gitignore` of a folder above the root; `rootPath` is the root's path from that folder
    /// (e.g. `apps/web`). Add the nearest folder's first.
    public mutating func addOuterGitignore(_ contents: String, rootPath: String) {
        let patterns = contents.split(separator: "\n", omittingEmptySubsequences: false)
            .compactMap { IgnorePattern(String($0)) }
        guard !patterns.isEmpty else { return }
        outer.append(OuterFile(prefix: Self.trimmed(rootPath), patterns: patterns))
    }

    /// Whether `path` (relative to the root) is ignored, given that no folder above it is.
    /// What the folder walk asks, since it never descends into an ignored folder.
    public func ignoresEntry(_ path: String, isDirectory: Bool) -> Bool {
        let path = Self.trimmed(path)
        for kind in Kind.allCases.reversed() {
            let byDirectory = files[kind] ?? [:]
            for directory in Self.ancestors(of: path) {
                guard let patterns = byDirectory[directory] else { continue }
                let relative = directory.isEmpty ? path : String(path.dropFirst(directory.count + 1))
                if let match = patterns.last(where: { $0.matches(relative, isDirectory: isDirectory) }) {
                    return !match.negated
                }
            }
            if kind == .gitignore {
                for file in outer {
                    let relative = file.prefix.isEmpty ? path : file.prefix + "/" + path
                    if let match = file.patterns.last(where: { $0.matches(relative, isDirectory: isDirectory) }) {
                        return !match.negated
                    }
                }
            }
        }
        return false
    }

    /// Whether `path` is ignored, itself or because a folder above it is.
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        let components = Self.trimmed(path).split(separator: "/")
        var prefix = ""
        for (index, component) in components.enumerated() {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            let isLast = index == components.count - 1
            if ignoresEntry(prefix, isDirectory: isLast ? isDirectory : true) { return true }
        }
        return false
    }

    /// The folders whose ignore files can speak about `path`, deepest first, ending with "" (the root).
    private static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var current = Substring(path)
        while let slash = current.lastIndex(of: "/") {
            current = current[..<slash]
            result.append(String(current))
        }
        result.append("")
        return result
    }

    private static func trimmed(_ path: String) -> String {
        var text = Substring(path)
        while text.hasPrefix("/") { text.removeFirst() }
        while text.hasSuffix("/") { text.removeLast() }
        return String(text)
    }
}
