import RailyardCore

/// Apps built from a Dockerfile. Detected so they are not mistaken for another kind, but planning
/// fails: Dockerfile builds need a container driver, which this server does not have yet.
struct DockerfileProvider: BuildProvider {
    let name = "dockerfile"

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("Dockerfile")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        throw Self.unsupported(because: "this app has a Dockerfile")
    }

    /// The error for a Dockerfile build, `reason` saying why one was asked for.
    static func unsupported(because reason: String) -> RailyardError {
        RailyardError(
            .invalidInput,
            "\(reason), but Dockerfile builds need the container driver, which this Railyard server does not have yet; remove the Dockerfile or set `build.builder` to \"RAILPACK\" in railway.json to build the app by detection",
            field: "build.builder"
        )
    }
}
