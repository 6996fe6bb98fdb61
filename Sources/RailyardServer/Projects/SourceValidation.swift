import RailyardCore

/// Bounds on a service's source: a git URL, a branch name and a relative root directory.
/// (Core's ``Validation`` has no rule for these yet; they live here until it does.)
enum SourceValidation {
    static func validate(_ source: ServiceSource) throws(RailyardError) {
        if let repo = source.repo {
            let schemes = ["https://", "http://", "ssh://", "git://", "git@", "file://"]
            guard !repo.isEmpty, repo.utf8.count <= 2048, !repo.contains(where: { $0.isWhitespace || $0.isASCIIControl }),
                schemes.contains(where: { repo.hasPrefix($0) })
            else {
                throw .invalid(
                    "source.repo",
                    "source.repo must be a git URL (https://…, ssh://…, git@host:owner/repo) of at most 2048 characters"
                )
            }
        }
        if let branch = source.branch {
            guard !branch.isEmpty, branch.utf8.count <= 255, !branch.hasPrefix("-"), !branch.contains(".."),
                !branch.contains(where: { $0.isWhitespace || $0.isASCIIControl || "~^:?*[\\".contains($0) })
            else {
                throw .invalid("source.branch", "source.branch '\(branch)' is not a valid git branch name")
            }
        }
        if let root = source.rootDirectory {
            let parts = root.split(separator: "/", omittingEmptySubsequences: true)
            guard root.utf8.count <= 1024, !root.hasPrefix("/"), !parts.contains(".."),
                !root.contains(where: { $0.isASCIIControl })
            else {
                throw .invalid(
                    "source.rootDirectory",
                    "source.rootDirectory must be a relative path inside the repository, without '..'"
                )
            }
        }
    }
}

extension Character {
    fileprivate var isASCIIControl: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii < 0x20 || ascii == 0x7F
    }
}
