import RailyardCore

extension Toolchain {
    /// Fails fast, naming what to install, when `executable` is not on this server.
    /// `language` reads in "this is a … app"; `remedy` says what to install.
    func require(_ executable: String, language: String, remedy: String) throws {
        guard !executables.contains(executable) else { return }
        throw RailyardError(
            .invalidInput,
            "this is a \(language) app but `\(executable)` is not installed on the Railyard server; \(remedy)",
            field: "toolchain"
        )
    }
}
