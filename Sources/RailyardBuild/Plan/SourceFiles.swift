/// A read-only view of an app's files, all paths relative to the app's root. Providers see the
/// source only through this, so they stay pure and tests can hand them fixture folders.
public protocol SourceFiles: Sendable {
    /// Whether a file or folder exists at `path`.
    func exists(_ path: String) -> Bool
    /// The UTF-8 text of the file at `path`, or nil when it is absent, not a file or not text.
    func read(_ path: String) -> String?
    /// The names in the folder at `path` (`""` for the root), sorted; empty when it is absent.
    func list(_ path: String) -> [String]
}

