/// One kind of app: it recognises the app from its files and plans how to build and start it.
/// Pure: files and variables in, plan out. `BuildPlanner` applies the Procfile and overrides after.
protocol BuildProvider: Sendable {
    /// The provider's name as it appears in `BuildPlan.provider`.
    var name: String { get }
    /// Whether the app is of this kind.
    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool
    /// The plan for an app `detect` accepted.
    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan
}
