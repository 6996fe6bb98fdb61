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
    ]
    /// Railway keys that have no counterpart here; they are ignored with a gentler warning.
    static let railwayOnly: [String: Set<String>] = [
        "build": ["nixpacksPlan", "nixpacksConfigPath", "nixpacksVersion", "railpackVersion", "buildEnvironment"],
        "deploy": ["region", "multiRegionConfig", "runtime", "limitOverride", "requiredMountPath", "ipv6EgressEnabled", "useLegacyStacker"],
    ]

    /// One warning per ignored key of a config file already converted to JSON. Values of the wrong
    /// type are the decoder's business (they are errors), so they are not looked at here.
    static func warnings(_ json: Data, fileName: String) -> [String] {
        guard let root = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return [] }
        var result: [String] = []
        for key in root.keys.sorted() {
            switch key {
            case "$schema":
                continue
            case "build", "deploy":
                result += sectionWarnings(root[key], section: key, path: key, fileName: fileName)
            case "environments":
                guard let environments = root[key] as? [String: Any] else { continue }
                for name in environments.keys.sorted() {
                    guard let override = environments[name] as? [String: Any] else { continue }
                    for section in override.keys.sorted() {
                        let path = "environments.\(name).\(section)"
                        if section == "build" || section == "deploy" {
                            result += sectionWarnings(override[section], section: section, path: path, fileName: fileName)
                        } else {
                            result.append(unknown(path, fileName: fileName, nearest: nearest(section, in: ["build", "deploy"])))
                        }
                    }
                }
            default:
                result.append(unknown(key, fileName: fileName, nearest: nearest(key, in: ["build", "deploy", "environments"])))
            }
        }
        return result
    }

    private static func sectionWarnings(_ value: Any?, section: String, path: String, fileName: String) -> [String] {
        guard let table = value as? [String: Any] else { return [] }
        let known = section == "build" ? build : deploy
        return table.keys.sorted().compactMap { key in
            if known.contains(key) { return nil }
            if railwayOnly[section]?.contains(key) == true {
                return "\(fileName): `\(path).\(key)` is a Railway setting Railyard does not use; it is ignored"
            }
            return unknown("\(path).\(key)", fileName: fileName, nearest: nearest(key, in: known).map { "\(path).\($0)" })
        }
    }

    private static func unknown(_ path: String, fileName: String, nearest: String?) -> String {
        let hint = nearest.map { "; did you mean `\($0)`?" } ?? ""
        return "\(fileName): `\(path)` is not a setting Railyard knows; it is ignored\(hint)"
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
