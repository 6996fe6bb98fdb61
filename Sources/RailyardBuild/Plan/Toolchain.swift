import Foundation

/// Facts about the build machine that plans depend on, gathered once so providers stay pure.
public struct Toolchain: Sendable, Equatable {
    /// The executables providers may need besides Python, looked up on `PATH` by `detect()`.
    public static let tracked: Set<String> = ["go", "ruby", "bundle", "php", "composer", "swift"]

    /// The interpreter that creates virtual environments: the system's, not a per-user shim.
    public var python: String
    /// Which of `tracked` this machine has; a provider whose tool is missing fails its plan.
    public var executables: Set<String>

    /// A toolchain with the given interpreter and tools (by default every tracked tool).
    public init(python: String, executables: Set<String> = Toolchain.tracked) {
        self.python = python
        self.executables = executables
    }

    /// The toolchain of this machine: `/usr/bin/python3` when it exists, else `python3` from PATH,
    /// and the tracked tools found on `PATH`.
    public static func detect(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> Toolchain {
        let system = "/usr/bin/python3"
        let folders = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        let found = tracked.filter { name in
            folders.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }
        return Toolchain(python: FileManager.default.isExecutableFile(atPath: system) ? system : "python3", executables: found)
    }
}
