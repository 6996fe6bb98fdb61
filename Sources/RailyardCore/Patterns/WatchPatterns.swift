/// A service's `build.watchPatterns`: gitignore-style patterns (`**`, `*`, `?`, `[…]`, `!` to
/// exclude) that decide whether a push touches the service. As in Railway, a pattern matches paths
/// from the repository's root, and the last pattern that matches a path decides.
public struct WatchPatterns: Sendable, Equatable {
    private let patterns: [IgnorePattern]

    /// Compiles the patterns; blank lines and `#` comments are dropped.
    public init(_ patterns: [String]) {
        self.patterns = patterns.compactMap { IgnorePattern($0) }
    }

    /// Whether there is no pattern at all (every push deploys).
    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether a push that changed `paths` (relative to the repository's root) should deploy: always
    /// without patterns, else when at least one path is matched by a pattern and not excluded by a
    /// later `!` pattern.
    public func triggers(changedPaths paths: [String]) -> Bool {
        guard !patterns.isEmpty else { return true }
        return paths.contains { matches($0) }
    }

    /// Whether one changed file is watched.
    public func matches(_ path: String) -> Bool {
        guard let last = patterns.last(where: { $0.matches(path, isDirectory: false) || matchesFolder(of: path, $0) }) else {
            return false
        }
        return !last.negated
    }

    /// `backend/` or `backend` also watches every file inside that folder.
    private func matchesFolder(of path: String, _ pattern: IgnorePattern) -> Bool {
        let components = path.split(separator: "/")
        guard components.count > 1 else { return false }
        var prefix = ""
        for component in components.dropLast() {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            if pattern.matches(prefix, isDirectory: true) { return true }
        }
        return false
    }
}
