import Foundation

/// The keys config as code may hold, and the warnings for those Railyard ignores: Railway keys that
/// have no meaning here (its regions, Nixpacks) and keys nobody knows (most often a typo, so the
/// warning offers the nearest known key).
enum ConfigKeys {
    /// Keys of the `build` section Railyard acts on or stores.
    static let build: Set = ["builder", "buildCommand", "watchPatterns", "dockerfilePath"]
    /// Keys of the `deploy` section Railyard acts on or stores.
    static let deploy: Set = [
        "startCommand", "preDeployCommand", "healthcheckPath", "healthcheckTimeout", "restartPolicyType",
        "restartPolicyMaxRetries", "numReplicas", "cronSchedule", "sleepApplication", "overlapSeconds", "drainingSeconds",
        "memoryLimit", "cpuLimit", "pidsLimit",
    ]
    /// Railway keys that have no counterpart here; they are ignored with a gentler warning.
    static let railwayOnly: [String: Set<String>] = [
        "build": ["nixpacksPlan", "nixpacksConfigPath", "nixpacksVersion", "railpackVersion", "buildEnvironment"],
        "deploy": ["region", "multiRegionConfig", "runtime", "limitOverride", "requiredMountPath", "ipv6EgressEnabled", "useLegacyStacker"],
    ]

    /// A key Railyard ignores: its full path, whether Railway knows it, and the known key probably meant.
    struct Unknown: Equatable {
        var path: String
        var railwayOnly: Bool
        var nearest: String?

        /// The sentence for a config file, where the key is ignored and the deployment goes on.
        func warning(fileName: String) -> String {
            if railwayOnly { return "\(fileName): `\(path)` is a Railway setting Railyard does not use; it is ignored" }
            let hint = nearest.map { "; did you mean `\($0)`?" } ?? ""
            return "\(fileName): `\(path)` is not a setting Railyard knows; it is ignored\(hint)"
        }

        /// The sentence for a settings request, which is refused.
        var rejection: String {
            if railwayOnly { return "`\(path)` is a Railway setting Railyard does not use; leave it out" }
            let hint = nearest.map { "; did you mean `\($0)`?" } ?? ""
            return "`\(path)` is not a setting Railyard knows\(hint)"
        }
    }

    /// One warning per ignored key of a config file already converted to JSON.
    static func warnings(_ json: Data, fileName: String) -> [String] {
        unknown(json).map { $0.warning(fileName: fileName) }
    }

    /// The keys of a config (as JSON) that Railyard ignores. Values of the wrong type are the
    /// decoder's business (they are errors), so they are not looked at here.
    static func unknown(_ json: Data) -> [Unknown] {
        guard let root = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return [] }
        var result: [Unknown] = []
        for key in root.keys.sorted() {
            switch key {
            case "$schema":
                continue
            case "build", "deploy":
                result += sectionUnknowns(root[key], section: key, path: key)
            case "environments":
                guard let environments = root[key] as? [String: Any] else { continue }
                for name in environments.keys.sorted() {
                    guard let override = environments[name] as? [String: Any] else { continue }
                    for section in override.keys.sorted() {
                        let path = "environments.\(name).\(section)"
                        if section == "build" || section == "deploy" {
                            result += sectionUnknowns(override[section], section: section, path: path)
                        } else {
                            let nearest = nearest(section, in: ["build", "deploy"]).map { "environments.\(name).\($0)" }
                            result.append(Unknown(path: path, railwayOnly: false, nearest: nearest))
                        }
                    }
                }
            default:
                result.append(Unknown(path: key, railwayOnly: false, nearest: nearest(key, in: ["build", "deploy", "environments"])))
            }
        }
        return result
    }

    private static func sectionUnknowns(_ value: Any?, section: String, path: String) -> [Unknown] {
        guard let table = value as? [String: Any] else { return [] }
        let known = section == "build" ? build : deploy
        return table.keys.sorted().compactMap { key in
            if known.contains(key) { return nil }
            if railwayOnly[section]?.contains(key) == true { return Unknown(path: "\(path).\(key)", railwayOnly: true, nearest: nil) }
            return Unknown(path: "\(path).\(key)", railwayOnly: false, nearest: nearest(key, in: known).map { "\(path).\($0)" })
        }
    }

    /// The known key closest to `key` when it is close enough to be a typo (a few edits, or the same
    /// letters in another case).
    static func nearest(_ key: String, in known: Set<String>) -> String? {
        let lowered = key.lowercased()
        let scored = known.map { ($0, distance(lowered, $0.lowercased())) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let best = scored.first, best.1 <= max(2, key.count / 4) else { return nil }
        return best.0
    }

    /// Levenshtein distance between two strings.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
