/// Apps described only by a Procfile with a `web:` line: nothing to install or build, the web
/// command starts it. (For every other provider the Procfile's `web:` also sets the start command;
/// `BuildPlanner` applies that.)
struct ProcfileProvider: BuildProvider {
    let name = "procfile"

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        Procfile.load(files)?.web != nil
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        BuildPlan(provider: name, start: Procfile.load(files)?.web)
    }
}
