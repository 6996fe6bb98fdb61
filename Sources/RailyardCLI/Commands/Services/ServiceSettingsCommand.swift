import ArgumentParser
import Foundation
import RailyardBuild
import RailyardCore

/// `railyard service settings [NAME] [--set KEY=VALUE …] [--unset KEY …]`: shows or changes a
/// service's build and deploy settings in the linked environment, with config-as-code key paths
/// (`deploy.numReplicas=2`). A config file in the deployed source wins over these at each deployment.
struct ServiceSettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or change a service's build and deploy settings in the linked environment.",
        discussion: """
            Keys are config-as-code paths: build.buildCommand, deploy.startCommand, deploy.numReplicas, \
            deploy.healthcheckPath, … (see docs/configuration.md). A railway.json / railway.toml / railyard.toml \
            in the deployed source wins over these settings, key by key.
            """
    )

    @Argument(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @Option(parsing: .upToNextOption, help: "Set keys: KEY=VALUE, e.g. deploy.numReplicas=2, repeatable.")
    var set: [String] = []
    @Option(parsing: .upToNextOption, help: "Clear keys, e.g. deploy.startCommand, repeatable.")
    var unset: [String] = []
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        var settings = try await client.serviceSettings(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id
        )
        if !set.isEmpty || !unset.isEmpty {
            settings = try Self.apply(set: set, unset: unset, to: settings)
            settings = try await client.replaceServiceSettings(
                projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, settings
            )
            if !output.json {
                Output.line("Settings of \(target.label) saved; they apply from the next deployment (`railyard redeploy`)")
            }
        }
        if output.json {
            try Output.json(settings)
        } else if set.isEmpty && unset.isEmpty {
            let rows = Self.rows(settings)
            Output.line(rows.isEmpty ? "No settings for \(target.label); the defaults and config as code apply" : TextTable(header: ["KEY", "VALUE"], rows: rows).render())
        }
    }

    /// Keys whose values are whole numbers, true/false, or lists.
    static let integerKeys: Set = ["healthcheckTimeout", "restartPolicyMaxRetries", "numReplicas", "overlapSeconds", "drainingSeconds", "pidsLimit"]
    static let numberKeys: Set = ["cpuLimit"]
    static let booleanKeys: Set = ["sleepApplication"]
    static let listKeys: Set = ["watchPatterns", "preDeployCommand"]

    /// The settings with the assignments applied, checked exactly as the server checks them.
    static func apply(set: [String], unset: [String], to settings: ServiceConfig) throws -> ServiceConfig {
        let encoded = try JSONEncoder().encode(settings)
        var root = (try JSONSerialization.jsonObject(with: encoded) as? [String: Any]) ?? [:]
        for assignment in set {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw CLIError("--set takes KEY=VALUE, like deploy.numReplicas=2 (got '\(assignment)')")
            }
            let key = String(assignment[..<equals])
            try assign(value(for: key, String(assignment[assignment.index(after: equals)...])), at: key, in: &root)
        }
        for key in unset { try assign(nil, at: key, in: &root) }
        do {
            return try ServiceConfigLoader.settings(try JSONSerialization.data(withJSONObject: root))
        } catch let error as RailyardError {
            throw CLIError(error.message)
        }
    }

    /// The JSON value of a `--set` value: a number, true/false or a list where the key takes one
    /// (left as text when it does not parse, so the check names the key).
    static func value(for key: String, _ text: String) -> Any {
        let name = key.split(separator: ".").last.map(String.init) ?? key
        if integerKeys.contains(name), let number = Int(text) { return number }
        if numberKeys.contains(name), let number = Double(text) { return number }
        if booleanKeys.contains(name), let flag = Bool(text.lowercased()) { return flag }
        if listKeys.contains(name) {
            return name == "watchPatterns" ? text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [text]
        }
        return text
    }

    /// Sets (or with nil removes) `section.key` in the settings' JSON.
    static func assign(_ value: Any?, at path: String, in root: inout [String: Any]) throws {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, ["build", "deploy"].contains(parts[0]), !parts[1].isEmpty else {
            throw CLIError("'\(path)' is not a settings key; use build.KEY or deploy.KEY, like deploy.numReplicas")
        }
        var section = root[parts[0]] as? [String: Any] ?? [:]
        section[parts[1]] = value
        root[parts[0]] = section
    }

    /// `section.key` / value rows of the keys that are set.
    static func rows(_ settings: ServiceConfig) -> [[String]] {
        guard let data = try? JSONEncoder().encode(settings),
            let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return [] }
        var rows: [[String]] = []
        for section in ["build", "deploy"] {
            let values = root[section] as? [String: Any] ?? [:]
            for key in values.keys.sorted() {
                let value = values[key]!
                // Strings as they are; numbers, true/false and lists as JSON writes them.
                let text = value as? String
                    ?? (try? JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed)).map { String(decoding: $0, as: UTF8.self) }
                    ?? "\(value)"
                rows.append(["\(section).\(key)", text])
            }
        }
        return rows
    }
}
