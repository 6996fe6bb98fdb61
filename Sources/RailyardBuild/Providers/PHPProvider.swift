import Foundation
import RailyardCore

/// PHP apps (composer.json or index.php): `composer install --no-dev` only when composer.json
/// requires packages, then PHP's built-in server on `public` when it has an index.php, else the root.
struct PHPProvider: BuildProvider {
    let name = "php"
    static let install = "composer install --no-dev --no-interaction"

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("composer.json") || files.exists("index.php")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        try toolchain.require("php", language: "PHP", remedy: "install php-cli")
        let needsComposer = try Self.hasDependencies(files)
        if needsComposer {
            try toolchain.require("composer", language: "PHP", remedy: "install composer")
        }
        let root = files.exists("public/index.php") ? "public" : "."
        return BuildPlan(
            provider: name,
            install: needsComposer ? [Self.install] : [],
            start: "php -S 0.0.0.0:$PORT -t \(root)"
        )
    }

    /// Whether composer.json requires packages; `php` and `ext-*` are platform checks, not packages.
    static func hasDependencies(_ files: some SourceFiles) throws -> Bool {
        guard files.exists("composer.json") else { return false }
        guard let text = files.read("composer.json"),
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let manifest = object as? [String: Any]
        else {
            throw RailyardError(.invalidInput, "composer.json is not a valid JSON object; fix its syntax (try `composer validate`)", field: "composer.json")
        }
        let require = manifest["require"] as? [String: Any] ?? [:]
        return require.keys.contains { $0 != "php" && !$0.hasPrefix("ext-") }
    }
}
