import Foundation

/// Facts about the build machine that plans depend on, gathered once so providers stay pure.
public struct Toolchain: Sendable, Equatable {
    /// The executables providers may need besides Python, looked up on `PATH` by `detect()`.
    public static let tracked: Set<String> = ["go", "ruby", "bundle", "php", "composer", "swift"]

    /// The interpreter that creates virtual environments: the system's, not a per-user shim.
    public var python: String
    /// Which of `tracked` this machine has; a provider whose tool is missing fails its plan.
    public var executables: Set<String>
    /// Folders outside the standard ones (`/usr/local/bin`, `/usr/bin`, `/bin`) that hold tracked
    /// tools, e.g. `/opt/swift/usr/bin`: builds and replicas get them on `PATH`.
    public var directories: [String]

    /// The folders every build and replica has on `PATH`.
    public static let standardDirectories = ["/usr/local/bin", "/usr/bin", "/bin"]

    /// A toolchain with the given interpreter and tools (by default every tracked tool).
    public init(python: String, executables: Set<String> = Toolchain.tracked, directories: [String] = []) {
        self.python = python
        self.executables = executables
        self.directories = directories
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
        for name in tracked.sorted() {
            guard let folder = folders.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) else { continue }
            found.insert(name)
            if !standardDirectories.contains(folder), !directories.contains(folder) { directories.append(folder) }
        }
        return Toolchain(
            python: FileManager.default.isExecutableFile(atPath: system) ? system : "python3", executables: found, directories: directories
        )
    }
}
