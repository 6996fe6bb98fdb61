/// A dependency install a build may reuse: the folders it fills, the files whose contents decide
/// whether it is still valid, and the install commands it stands for. Declared by providers in
/// `BuildPlan.cache`; `BuildExecutor` restores or saves it through a `BuildCache`.
public struct BuildCacheEntry: Codable, Sendable, Equatable {
    /// A short label for logs, usually the provider's name (`python`, `node`, `swift`).
    public var name: String
    /// Folders (or single files) relative to the app folder that hold the install (`.venv`, `node_modules`).
    public var directories: [String]
    /// Files relative to the app folder whose contents key the cache; absent ones count as absent.
    public var keyFiles: [String]
    /// The install commands the entry covers: skipped when it is restored, run and then saved when
    /// it is not. Empty when the entry only seeds an incremental build (saved after the whole build).
    public var commands: [String]
    /// Executables (absolute, or looked up on the build's PATH) whose identity is part of the key.
    public var toolchain: [String]
    /// Files, or folders whose files, embed the absolute app folder (a venv's scripts) and are
    /// rewritten to the new app folder on restore.
    public var relocate: [String]

    /// An entry; `relocate` defaults to nothing.
    public init(name: String, directories: [String], keyFiles: [String], commands: [String], toolchain: [String], relocate: [String] = []) {
        self.name = name
        self.directories = directories
        self.keyFiles = keyFiles
        self.commands = commands
        self.toolchain = toolchain
        self.relocate = relocate
    }
}
