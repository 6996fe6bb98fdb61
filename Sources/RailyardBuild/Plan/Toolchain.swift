import Foundation
import Synchronization

/// Facts about the build machine that plans depend on, gathered once so providers stay pure.
public struct Toolchain: Sendable, Equatable {
    /// The executables providers may need besides Python, looked up on `PATH` by `detect()`.
    public static let tracked: Set<String> = ["go", "ruby", "bundle", "php", "composer", "swift", "node", "yarn", "pnpm"]

    /// The interpreter that creates virtual environments: the system's, not a per-user shim.
    public var python: String
    /// Which of `tracked` this machine has; a provider whose tool is missing fails its plan.
    public var executables: Set<String>
    /// Folders outside the standard ones (`/usr/local/bin`, `/usr/bin`, `/bin`) that hold tracked
    /// tools, e.g. `/opt/swift/usr/bin`: builds and replicas get them on `PATH`.
    public var directories: [String]

    /// The version `node --version` printed (`v18.19.0`), when Node is installed.
    public var nodeVersion: String?

    /// The folders every build and replica has on `PATH`.
    public static let standardDirectories = ["/usr/local/bin", "/usr/bin", "/bin"]

    /// A toolchain with the given interpreter and tools (by default every tracked tool).
    public init(python: String, executables: Set<String> = Toolchain.tracked, directories: [String] = [], nodeVersion: String? = nil) {
        self.python = python
        self.executables = executables
        self.directories = directories
        self.nodeVersion = nodeVersion
    }

    /// The `PATH` of builds and replicas before their own folders: the standard folders, then
    /// this toolchain's others.
    public var searchPath: String {
        (Self.standardDirectories + directories).joined(separator: ":")
    }

    /// The toolchain of this machine: `/usr/bin/python3` when it exists, else `python3` from PATH,
    /// and the tracked tools found on `PATH`.
    public static func detect(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> Toolchain {
        let system = "/usr/bin/python3"
        let folders = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        var found: Set<String> = []
        var directories: [String] = []
        var nodeVersion: String?
        for name in tracked.sorted() {
            guard let folder = folders.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) else { continue }
            found.insert(name)
            if !standardDirectories.contains(folder), !directories.contains(folder) { directories.append(folder) }
            if name == "node" { nodeVersion = NodeVersions.shared.version(of: "\(folder)/node") }
        }
        return Toolchain(
            python: FileManager.default.isExecutableFile(atPath: system) ? system : "python3", executables: found, directories: directories,
            nodeVersion: nodeVersion
        )
    }
}

/// `node --version` per executable path, asked once per process: plans are made often and the
/// answer only changes when Node is upgraded, which needs a server restart to be seen anyway.
final class NodeVersions: Sendable {
    static let shared = NodeVersions()
    private let known = Mutex<[String: String?]>([:])

    func version(of path: String) -> String? {
        if let cached = known.withLock({ $0[path] }) { return cached }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        var version: String?
        if (try? process.run()) != nil {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if process.terminationStatus == 0, text.hasPrefix("v") { version = text }
        }
        known.withLock { $0[path] = .some(version) }
        return version
    }
}
