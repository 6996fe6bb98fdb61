import Foundation

/// Turns folder paths into the keys under which links are stored: absolute, without `.`/`..`
/// or a trailing slash.
public enum PathNormalizer {
    /// `path` made absolute (against `base`) and normalized.
    public static func normalize(_ path: String, relativeTo base: String = FileManager.default.currentDirectoryPath) -> String {
        let absolute = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The normalized path itself, then each parent up to `/`.
    public static func selfAndAncestors(of path: String) -> [String] {
        var current = normalize(path, relativeTo: "/")
        var result = [current]
        while current != "/" {
            if let slash = current.lastIndex(of: "/") {
                current = slash == current.startIndex ? "/" : String(current[..<slash])
            } else {
                current = "/"
            }
            result.append(current)
        }
        return result
    }
}
