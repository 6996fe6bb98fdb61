#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// The key a cached dependency install is saved under: SHA-256 over what the install depends on —
/// the provider, the commands, the key files' contents, the toolchain's identity and the platform —
/// and nothing else, so editing app code keeps the key and editing a lockfile changes it.
public struct BuildCacheKey: Sendable, Equatable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let hex: String
    /// The key files that exist, for the build log ("requirements.txt unchanged").
    public let presentKeyFiles: [String]

    /// The key for `entry` of a plan by `provider`, reading key files from `appDirectory` and
    /// resolving toolchain executables on `path`.
    public init(entry: BuildCacheEntry, provider: String, appDirectory: URL, path: String, platform: String = BuildCacheKey.platform) {
        var hasher = SHA256()
        func add(_ label: String, _ bytes: some DataProtocol) {
            hasher.update(data: Data("\(label)\u{0}\(bytes.count)\u{0}".utf8))
            hasher.update(data: bytes)
        }
        add("format", Data("railyard-build-cache-v1".utf8))
        add("provider", Data(provider.utf8))
        add("entry", Data(entry.name.utf8))
        for command in entry.commands { add("command", Data(command.utf8)) }
        for directory in entry.directories { add("directory", Data(directory.utf8)) }
        var present: [String] = []
        for file in entry.keyFiles {
            if let contents = Self.contents(of: file, in: appDirectory) {
                present.append(file)
                add("file \(file)", contents)
            } else {
                add("absent", Data(file.utf8))
            }
        }
        for executable in entry.toolchain { add("toolchain", Data(Self.identity(of: executable, path: path).utf8)) }
        add("platform", Data(platform.utf8))
        hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        presentKeyFiles = present
    }

    /// The first 12 hex digits, as logs show it.
    public var description: String { String(hex.prefix(12)) }

    /// The operating system and machine (`Linux x86_64`): installs hold native code.
    public static let platform: String = {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(names.sysname)) \(text(names.machine))"
    }()

    /// A key file's bytes; a symlink counts by its target's name, never followed (it could point
    /// outside the app), and anything that is not a readable file counts as absent.
    static func contents(of file: String, in appDirectory: URL) -> Data? {
        let url = appDirectory.appendingPathComponent(file)
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
            return Data("symlink \(target)".utf8)
        }
        guard BuildCachePath.isInside(appDirectory, file) else { return nil }
        return try? Data(contentsOf: url)
    }

    /// What identifies an installed tool cheaply, without running it: its resolved path, size and
    /// modification time (an upgrade changes at least one), or `missing`.
    static func identity(of executable: String, path: String) -> String {
        let candidates = executable.contains("/")
            ? [executable]
            : path.split(separator: ":").map { "\($0)/\(executable)" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "\(executable) missing"
        }
        let resolved = URL(fileURLWithPath: found).resolvingSymlinksInPath().path
        var info = stat()
        guard stat(resolved, &info) == 0 else { return "\(executable) \(resolved)" }
        return "\(executable) \(resolved) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
