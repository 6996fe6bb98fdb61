import Foundation

/// Where the CLI config lives and how it is read and written: `$XDG_CONFIG_HOME/railyard/config.json`
/// (else `~/.config/railyard/config.json`), the folder mode 0700, the file 0600, replaced atomically.
public struct ConfigFile: Sendable {
    /// The config file's path.
    public let path: String

    /// A config file at an explicit path.
    public init(path: String) {
        self.path = path
    }

    /// The config file this environment points at.
    public init(environment: [String: String]) {
        self.init(path: Self.defaultPath(environment: environment))
    }

    /// `$XDG_CONFIG_HOME/railyard/config.json`, else `$HOME/.config/railyard/config.json`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + "/railyard/config.json"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/railyard/config.json"
    }

    /// The saved config, or an empty one when there is no file yet.
    public func load() throws -> CLIConfig {
        guard FileManager.default.fileExists(atPath: path) else { return CLIConfig() }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(CLIConfig.self, from: data)
        } catch {
            throw CLIError("cannot read \(path) (\(error)); fix or delete the file, then log in again")
        }
    }

    /// Writes the config: a temporary file created with mode 0600, flushed, then renamed over the old one.
    public func save(_ config: CLIConfig) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw CLIError("cannot create \(directory): \(error)")
        }
        chmod(directory, 0o700)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(config) + Data("\n".utf8)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CLIError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CLIError("cannot write \(path): \(reason)")
        }
    }
}
