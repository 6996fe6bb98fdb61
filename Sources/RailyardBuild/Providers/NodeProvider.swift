import Foundation
import RailyardCore

/// Node apps (package.json): installed with the package manager the app uses (`packageManager`, else
/// its lockfile: npm, yarn or pnpm; exactly the lockfile's versions when there is one) only when there
/// are dependencies; `<manager> run build` when there is a build script; `<manager> start` when there
/// is a start script, else `node <main>` or `node index.js`. An `engines.node` the server's Node does
/// not meet is a warning in the build log.
struct NodeProvider: BuildProvider {
    let name = "node"
    static let install = NodeProject.PackageManager.npm.install(locked: false)
    /// Files whose contents decide whether cached node_modules still fit.
    static let lockFiles = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", ".npmrc", ".yarnrc.yml"]

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("package.json")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        try toolchain.require("node", language: "Node", remedy: "install nodejs")
        let manifest = try Self.manifest(files)
        let manager = NodeProject.packageManager(files, manifest: manifest)
        if manager != .npm {
            try toolchain.require(
                manager.command, language: "Node",
                remedy: "install \(manager.command) (`npm install -g \(manager.command)` or `corepack enable`), or delete \(manager.lockfile) to install with npm"
            )
        }
        let scripts = manifest["scripts"] as? [String: Any] ?? [:]
        let hasDependencies = ["dependencies", "devDependencies"].contains { key in
            (manifest[key] as? [String: Any]).map { !$0.isEmpty } ?? false
        }
        var start: String?
        if scripts["start"] != nil {
            start = "\(manager.command) start"
        } else if let main = manifest["main"] as? String, !main.isEmpty {
            start = "node \(ShellQuote.quote(main))"
        } else if files.exists("index.js") {
            start = "node index.js"
        }
        let locked = files.exists(manager.lockfile) || (manager == .npm && files.exists("npm-shrinkwrap.json"))
        let install = hasDependencies ? [manager.install(locked: locked)] : []
        var plan = BuildPlan(
            provider: name,
            install: install,
            build: scripts["build"] != nil ? ["\(manager.command) run build"] : [],
            start: start,
            paths: ["node_modules/.bin"],
            cache: hasDependencies
                ? [BuildCacheEntry(name: "node", directories: ["node_modules"], keyFiles: Self.lockFiles, commands: install, toolchain: ["node", manager.command])]
                : []
        )
        if let range = (manifest["engines"] as? [String: Any])?["node"] as? String, let version = toolchain.nodeVersion,
            NodeProject.satisfies(range, version: version) == false
        {
            plan.warnings.append(
                "package.json asks for Node \(range) (engines.node) but this server has Node \(version); the build goes on with it"
            )
        }
        return plan
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
