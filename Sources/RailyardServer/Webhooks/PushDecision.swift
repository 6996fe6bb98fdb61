import RailyardCore

/// What a push does to a git-sourced service: deploy a commit, or nothing, with the reason. Pure, so
/// every rule is tested without a server.
enum PushDecision: Sendable, Equatable {
    case deploy(commit: String)
    case skip(reason: String)

    /// The decision for `push` to a service with `source` whose last deployed config watches
    /// `watchPatterns` (nil or empty: every change counts).
    static func decide(push: GitHubPush, source: ServiceSource, watchPatterns: [String]?) -> PushDecision {
        guard let repo = source.repo else {
            return .skip(reason: "the service does not deploy from git; set its repository first")
        }
        guard let branch = push.branch else {
            return .skip(reason: "\(push.ref) is not a branch")
        }
        guard branch == source.effectiveBranch else {
            return .skip(reason: "the push is to branch \(branch); the service deploys branch \(source.effectiveBranch) of \(repo)")
        }
        guard let commit = push.commitSha else {
            return .skip(reason: "the push deleted branch \(branch)")
        }
        let patterns = WatchPatterns(watchPatterns ?? [])
        if !patterns.isEmpty, let paths = push.changedPaths, !patterns.triggers(changedPaths: paths) {
            return .skip(reason: "no changed file matches build.watchPatterns")
        }
        return .deploy(commit: commit)
    }
}
