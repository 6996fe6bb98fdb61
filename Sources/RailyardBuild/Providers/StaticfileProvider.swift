import Foundation
import RailyardCore

/// Static sites (a Staticfile, an index.html at the root, or public/index.html), served by the edge
/// itself: no install, no build, no process. The served folder is, in order: the
/// `RAILYARD_STATIC_ROOT` / `RAILPACK_STATIC_FILE_ROOT` variable, the Staticfile's `root:` line,
/// `public` when it holds an index.html, else the app's root.
struct StaticfileProvider: BuildProvider {
    let name = "staticfile"
    static let rootVariables = ["RAILYARD_STATIC_ROOT", "RAILPACK_STATIC_FILE_ROOT"]

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        Self.variableRoot(variables) != nil || files.exists("Staticfile") || files.exists("index.html")
            || files.exists("public/index.html")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        let configured = Self.variableRoot(variables) ?? files.read("Staticfile").flatMap(Self.root(inStaticfile:))
        let root: String
        if let configured {
            root = try Self.normalize(configured)
        } else if files.exists("public/index.html") {
            root = "public"
        } else {
            root = "."
        }
        return BuildPlan(provider: name, staticRoot: root)
    }

    static func variableRoot(_ variables: [String: String]) -> String? {
        rootVariables.lazy.compactMap { variables[$0]?.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }

    /// The value of a Staticfile's `root:` line.
    static func root(inStaticfile text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("root:") else { continue }
            let value = trimmed.dropFirst("root:".count).trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// A relative folder inside the app; `.` for the root.
    static func normalize(_ root: String) throws -> String {
        let parts = root.split(separator: "/").filter { $0 != "." }
        guard !root.hasPrefix("/"), !parts.contains("..") else {
            throw RailyardError(.invalidInput, "the static root `\(root)` must be a folder inside the app, like `dist` or `public`", field: "Staticfile")
        }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
