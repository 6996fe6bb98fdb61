import Foundation

/// What a Node app's package.json and lockfiles say: which package manager installs it (by
/// `packageManager`, else by lockfile, as Railpack decides) and whether the machine's Node fits
/// `engines.node`. Pure: reads files only.
enum NodeProject {
    /// The package managers Railyard drives.
    enum PackageManager: String, Equatable {
        case npm, yarn, yarnBerry = "yarn-berry", pnpm

        /// The executable.
        var command: String { self == .yarnBerry ? "yarn" : rawValue }

        /// The install command; with a lockfile it installs exactly what the lockfile pins.
        func install(locked: Bool) -> String {
            switch self {
            case .npm: locked ? "npm ci --no-audit --no-fund --fetch-retries=0" : "npm install --no-audit --no-fund --fetch-retries=0"
            case .yarn: locked ? "yarn install --frozen-lockfile" : "yarn install"
            case .yarnBerry: locked ? "yarn install --immutable" : "yarn install"
            case .pnpm: locked ? "pnpm install --frozen-lockfile" : "pnpm install"
            }
        }

        /// The lockfile this manager writes.
        var lockfile: String {
            switch self {
            case .npm: "package-lock.json"
            case .yarn, .yarnBerry: "yarn.lock"
            case .pnpm: "pnpm-lock.yaml"
            }
        }
    }

    /// The manager named by package.json's `packageManager` (`pnpm@9.1.0`), else the one whose
    /// lockfile is present (pnpm, then yarn, then npm), else npm.
    static func packageManager(_ files: some SourceFiles, manifest: [String: Any]) -> PackageManager {
        let berry = files.exists(".yarnrc.yml")
        if let declared = manifest["packageManager"] as? String {
            let name = declared.split(separator: "@").first.map(String.init) ?? declared
            let major = declared.split(separator: "@").dropFirst().first.flatMap { Int($0.split(separator: ".").first ?? "") }
            switch name {
            case "pnpm": return .pnpm
            case "yarn": return (major ?? 1) >= 2 || berry ? .yarnBerry : .yarn
            case "npm": return .npm
            default: break
            }
        }
        if files.exists("pnpm-lock.yaml") { return .pnpm }
        if files.exists("yarn.lock") { return berry ? .yarnBerry : .yarn }
        return .npm
    }

    /// Whether `version` (e.g. `v18.19.0`) satisfies an npm-style range (`>=18`, `^20.1`, `18.x`,
    /// `>=16 <21`, `16 || 18`, `14 - 18`). Nil when the range is in a form this does not read
    /// (e.g. `lts/*`), so the caller neither passes nor fails it.
    static func satisfies(_ range: String, version: String) -> Bool? {
        guard let have = parse(version) else { return nil }
        var anyUnderstood = false
        for alternative in range.components(separatedBy: "||") {
            guard let comparators = comparators(alternative.trimmingCharacters(in: .whitespaces)) else { continue }
            anyUnderstood = true
            if comparators.allSatisfy({ $0(have) }) { return true }
        }
        return anyUnderstood ? false : nil
    }

    private typealias Version = (Int, Int, Int)
    private typealias Comparator = (Version) -> Bool

    /// The numbers of `1`, `1.2`, `1.2.3`, `v1.2.3`, with `x`/`*` parts as missing; nil if not a version.
    private static func parts(_ text: String) -> [Int?]? {
        let trimmed = text.hasPrefix("v") ? String(text.dropFirst()) : text
        let pieces = trimmed.split(separator: ".", omittingEmptySubsequences: false).prefix(3)
        guard !pieces.isEmpty else { return nil }
        var result: [Int?] = []
        for piece in pieces {
            if piece == "x" || piece == "X" || piece == "*" {
                result.append(nil)
            } else if let number = Int(piece.prefix { $0.isNumber }), !piece.isEmpty {
                result.append(number)
            } else {
                return nil
            }
        }
        return result
    }

    private static func parse(_ text: String) -> Version? {
        guard let parts = parts(text), let major = parts[0] else { return nil }
        return (major, parts.count > 1 ? parts[1] ?? 0 : 0, parts.count > 2 ? parts[2] ?? 0 : 0)
    }

    private static func less(_ a: Version, _ b: Version) -> Bool { a < b }
    /// The comparators of one space-separated set, or nil when one of them is unreadable.
    private static func comparators(_ set: String) -> [Comparator]? {
        if set.isEmpty || set == "*" || set == "x" { return [{ _ in true }] }
        let hyphen = set.components(separatedBy: " - ")
        if hyphen.count == 2, let low = parse(hyphen[0].trimmingCharacters(in: .whitespaces)),
            let high = parts(hyphen[1].trimmingCharacters(in: .whitespaces)), let highMajor = high[0]
        {
            let upper = upperBound(major: highMajor, minor: high.count > 1 ? high[1] : nil, patch: high.count > 2 ? high[2] : nil)
            return [{ !less($0, low) }, upper]
        }
        var result: [Comparator] = []
        for token in set.split(separator: " ") {
            var text = String(token)
            var op = ""
            for candidate in [">=", "<=", ">", "<", "=", "^", "~"] where text.hasPrefix(candidate) {
                op = candidate
                text.removeFirst(candidate.count)
                break
            }
            guard let p = parts(text), let major = p[0] else { return nil }
            let minor = p.count > 1 ? p[1] : nil
            let patch = p.count > 2 ? p[2] : nil
            let low: Version = (major, minor ?? 0, patch ?? 0)
            switch op {
            case ">=": result.append { !less($0, low) }
            case ">":
                // `>18` is above every 18.x; `>18.2` above every 18.2.x.
                let upper = upperBound(major: major, minor: minor, patch: patch)
                result.append { !upper($0) }
            case "<=": result.append(upperBound(major: major, minor: minor, patch: patch))
            case "<": result.append { less($0, low) }
            case "^":
                let high: Version = major > 0 ? (major + 1, 0, 0) : (minor ?? 0) > 0 ? (0, (minor ?? 0) + 1, 0) : (0, 0, (patch ?? 0) + 1)
                result.append { !less($0, low) && less($0, high) }
            case "~":
                let high: Version = minor == nil ? (major + 1, 0, 0) : (major, minor! + 1, 0)
                result.append { !less($0, low) && less($0, high) }
            default:
                // `18`, `18.x`, `18.2`, `=18.2.0`: everything the given parts pin.
                result.append(contentsOf: [{ !less($0, low) }, upperBound(major: major, minor: minor, patch: patch)])
            }
        }
        return result
    }

    /// `<= major[.minor[.patch]]`, where missing parts include everything under them.
    private static func upperBound(major: Int, minor: Int?, patch: Int?) -> Comparator {
        guard let minor else { return { $0.0 <= major } }
        guard let patch else { return { $0.0 < major || ($0.0 == major && $0.1 <= minor) } }
        return { !less((major, minor, patch), $0) }
    }
}
