import Foundation
import RailyardCore

/// Node apps (package.json): `npm install` only when there are dependencies, `npm run build` when
/// there is a build script, `npm start` when there is a start script, else `node <main>`.
struct NodeProvider: BuildProvider {
    let name = "node"
    static let install = "npm install --no-audit --no-fund --fetch-retries=0"
    /// node_modules as a cached install, keyed by the manifest and whichever lockfile there is.
    static let cacheEntry = BuildCacheEntry(
        name: "node", directories: ["node_modules"],
        keyFiles: ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", ".npmrc"],
        commands: [install], toolchain: ["node", "npm"]
    )

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("package.json")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        let manifest = try Self.manifest(files)
        let scripts = manifest["scripts"] as? [String: Any] ?? [:]
        let hasDependencies = ["dependencies", "devDependencies"].contains { key in
            (manifest[key] as? [String: Any]).map { !$0.isEmpty } ?? false
        }
        var start: String?
        if scripts["start"] != nil {
            start = "npm start"
        } else if let main = manifest["main"] as? String, !main.isEmpty {
            start = "node \(ShellQuote.quote(main))"
        } else if files.exists("index.js") {
            start = "node index.js"
        }
        return BuildPlan(
            provider: name,
            install: hasDependencies ? [Self.install] : [],
            build: scripts["build"] != nil ? ["npm run build"] : [],
            start: start,
            paths: ["node_modules/.bin"],
            cache: hasDependencies ? [Self.cacheEntry] : []
        )
    }

    static func manifest(_ files: some SourceFiles) throws -> [String: Any] {
        guard let text = files.read("package.json") else {
            throw RailyardError(.invalidInput, "package.json could not be read as UTF-8 text", field: "package.json")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let manifest = object as? [String: Any] else {
            throw RailyardError(.invalidInput, "package.json is not a valid JSON object; fix its syntax (try `npm pkg get name`)", field: "package.json")
        }
        return manifest
    }
}
