/// Swift packages (Package.swift): `swift build -c release`, then the first executable product or
/// target Package.swift names, found by a plain text scan (evaluating the manifest would run code).
struct SwiftProvider: BuildProvider {
    let name = "swift"
    /// The fetched dependencies (not the compiled ones: SwiftPM and clang record absolute paths, and
    /// every deployment builds in a new folder), so `swift build` needs no network when
    /// Package.resolved is unchanged. Covers no command: it seeds `swift build`, saved after it.
    static let cacheEntry = BuildCacheEntry(
        name: "swift", directories: [".build/checkouts", ".build/repositories", ".build/workspace-state.json"],
        keyFiles: ["Package.swift", "Package.resolved"], commands: [], toolchain: ["swift"]
    )

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("Package.swift")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        try toolchain.require("swift", language: "Swift", remedy: "install a Swift toolchain from swift.org (for example with swiftly)")
        let product = files.read("Package.swift").flatMap(Self.executable(in:))
        return BuildPlan(
            provider: name,
            build: ["swift build -c release"],
            start: product.map { ".build/release/\(ShellQuote.quote($0))" },
            cache: files.exists("Package.resolved") ? [Self.cacheEntry] : []
        )
    }

    /// The name in the first `.executable(name: "X"` or `.executableTarget(name: "X"` of a manifest.
    static func executable(in manifest: String) -> String? {
        let pattern = #/\.executable(?:Target)?\(\s*name\s*:\s*"([^"]+)"/#
        return manifest.firstMatch(of: pattern).map { String($0.1) }
    }
}
