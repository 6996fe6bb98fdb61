import Foundation

/// Facts about the build machine that plans depend on, gathered once so providers stay pure.
public struct Toolchain: Sendable, Equatable {
    /// The interpreter that creates virtual environments: the system's, not a per-user shim.
    public var python: String

    /// A toolchain with the given interpreter.
    public init(python: String) {
        self.python = python
    }

    /// The toolchain of this machine: `/usr/bin/python3` when it exists, else `python3` from PATH.
    public static func detect() -> Toolchain {
        let system = "/usr/bin/python3"
        return Toolchain(python: FileManager.default.isExecutableFile(atPath: system) ? system : "python3")
    }
}
