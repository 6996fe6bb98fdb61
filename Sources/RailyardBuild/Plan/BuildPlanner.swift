import Foundation
import RailyardCore

/// Turns an app's files into a `BuildPlan`: the first provider that recognises the app (in
/// Railpack's order: a Dockerfile, then languages, then static files), then the Procfile's `web:` line, then the
/// `RAILYARD_*_CMD` / `RAILPACK_*_CMD` variables, then config as code, each overriding the last.
public enum BuildPlanner {
    /// Providers in detection order: Railpack's (php, go, ruby, python, node), with swift among the
    /// compiled languages so a package with a package.json for its assets stays a Swift app. The
    /// Dockerfile comes first unless `build.builder` names another builder.
    static let providers: [any BuildProvider] = [
        DockerfileProvider(), PHPProvider(), GoProvider(), SwiftProvider(), RubyProvider(), PythonProvider(),
        NodeProvider(), StaticfileProvider(), ShellProvider(), ProcfileProvider(),
    ]

    /// Variables that replace a phase, the Railyard name first.
    static let installVariables = ["RAILYARD_INSTALL_CMD", "RAILPACK_INSTALL_CMD"]
    static let buildVariables = ["RAILYARD_BUILD_CMD", "RAILPACK_BUILD_CMD"]
    static let startVariables = ["RAILYARD_START_CMD", "RAILPACK_START_CMD"]

    /// Detects the provider from the files and applies config-as-code and Procfile; throws a clear
    /// `RailyardError(.invalidInput)` when nothing is recognised. With an `environment`, the config
    /// file's `environments.<environment>` keys replace its base keys. `settings` (made through the
    /// API) come under the file: a key set in both is the file's.
    public static func plan(
        directory: URL, variables: [String: String], environment: String? = nil, settings: ServiceConfig = ServiceConfig()
    ) throws -> BuildPlan {
        try plan(
            files: DirectorySourceFiles(root: directory), variables: variables, toolchain: .detect(), environment: environment,
            settings: settings
        )
    }

    /// The plan for `files`; pure.
    public static func plan(
        files: some SourceFiles, variables: [String: String], toolchain: Toolchain, environment: String? = nil,
        settings: ServiceConfig = ServiceConfig()
    ) throws -> BuildPlan {
        let loaded = try ServiceConfigLoader.load(files)
        let config = settings.overridden(by: environment.map { loaded.config.resolved(for: $0) } ?? loaded.config)
        let configFile = loaded.file
        let builder = nonEmpty(config.build.builder)?.uppercased()
        if builder == "DOCKERFILE" {
            throw DockerfileProvider.unsupported(because: "\(configFile ?? "the config") sets `build.builder` to DOCKERFILE")
        }
        // Another builder named in the config means "detect the language", so the Dockerfile is ignored.
        let candidates = builder == nil ? providers : providers.filter { !($0 is DockerfileProvider) }
        let provider = candidates.first { $0.detect(files, variables: variables) }
        var plan = try provider?.plan(files, variables: variables, toolchain: toolchain) ?? BuildPlan(provider: "custom")
        plan.config = config
        plan.configFile = configFile
        plan.warnings = loaded.warnings + plan.warnings

        if let web = Procfile.load(files)?.web { plan.start = web }
        if let install = value(of: installVariables, in: variables) { plan.install = [install] }
        if let build = value(of: buildVariables, in: variables) { plan.build = [build] }
        if let start = value(of: startVariables, in: variables) { plan.start = start }
        if let build = nonEmpty(config.build.buildCommand) { plan.build = [build] }
        if let start = nonEmpty(config.deploy.startCommand) { plan.start = start }

        PythonProvider.restorePip(in: &plan, toolchain: toolchain)
        // An install replaced by a variable is no longer the one the provider's cache entry stands for.
        plan.cache.removeAll { entry in !entry.commands.allSatisfy(plan.install.contains) }
        if plan.start != nil { plan.staticRoot = nil }
        guard plan.start != nil || plan.staticRoot != nil else {
            throw noStartCommand(provider: provider?.name, files: files)
        }
        return plan
    }

    static func value(of names: [String], in variables: [String: String]) -> String? {
        names.lazy.compactMap { nonEmpty(variables[$0]) }.first
    }

    static func nonEmpty(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    static func noStartCommand(provider: String?, files: some SourceFiles) -> RailyardError {
        let ways = "add a Procfile with `web: <command>`, a start.sh, or set `deploy.startCommand` in railway.json (or the RAILYARD_START_CMD variable)"
        switch provider {
        case "python":
            return RailyardError(.invalidInput, "no start command for this Python app: add a main.py or app.py, or \(ways)", field: "start")
        case "node":
            return RailyardError(.invalidInput, "no start command for this Node app: add a `start` script or `main` to package.json, or \(ways)", field: "start")
        case "ruby":
            return RailyardError(.invalidInput, "no start command for this Ruby app: add a config.ru (Rack) or config/application.rb (Rails), or \(ways)", field: "start")
        case "swift":
            return RailyardError(.invalidInput, "no start command for this Swift package: Package.swift names no `.executable(name:` product or `.executableTarget(name:` target; add one, or \(ways)", field: "start")
        case nil where files.exists("Dockerfile"):
            return RailyardError(.invalidInput, "no start command: the Dockerfile is ignored because `build.builder` asks for detection; \(ways)", field: "start")
        default:
            return RailyardError(
                .invalidInput,
                "no start command: nothing in the folder says how to run it; \(ways), or add a package.json, a requirements.txt or main.py, or an index.html for a static site",
                field: "start"
            )
        }
    }
}
