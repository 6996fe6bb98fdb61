import RailyardCore

/// Bounds on a service's source: a git URL, a branch name and a relative root directory.
/// (Core's ``Validation`` has no rule for these yet; they live here until it does.)
///
/// A repo URL ends up as an argument to `git fetch`, so anything git could read as an option or as a
/// helper to run is refused here, before it is stored: a leading `-`, `<transport>::…` (`ext::sh -c …`
/// runs a command), `--upload-pack`/`--receive-pack`/`--config`/`--exec` anywhere, a host or user
/// starting with `-` (`ssh://-oProxyCommand=…`), whitespace and control characters. The fetcher also
/// passes `--` before the URL and limits git's protocols, as a second line of defence.
enum SourceValidation {
    /// URL forms accepted for remote repositories.
    static let remoteSchemes = ["https://", "http://", "ssh://", "git://", "git@"]

    /// Validates `source`; local repositories (`file://…` or an absolute path) only when the server was
    /// started with `--allow-local-git-sources`.
    static func validate(_ source: ServiceSource, allowLocal: Bool) throws(RailyardError) {
        if let repo = source.repo { try validateRepo(repo, allowLocal: allowLocal) }
        if let branch = source.branch {
            guard !branch.isEmpty, branch.utf8.count <= 255, !branch.hasPrefix("-"), !branch.contains(".."),
                !branch.hasSuffix("/"), !branch.hasSuffix(".lock"), !branch.contains("@{"),
                !branch.contains(where: { $0.isWhitespace || $0.isASCIIControl || "~^:?*[\\".contains($0) })
            else {
                throw .invalid("source.branch", "source.branch '\(branch)' is not a valid git branch name")
            }
        }
        if let root = source.rootDirectory {
            let parts = root.split(separator: "/", omittingEmptySubsequences: true)
            guard root.utf8.count <= 1024, !root.hasPrefix("/"), !parts.contains(".."),
                !root.contains(where: { $0.isASCIIControl || $0 == ":" })
            else {
                throw .invalid(
                    "source.rootDirectory",
                    "source.rootDirectory must be a relative path inside the repository, without '..' or ':'"
                )
            }
        }
    }

    /// Whether `repo` names a repository on this machine (`file://…` or an absolute path).
    static func isLocal(_ repo: String) -> Bool {
        repo.hasPrefix("file://") || repo.hasPrefix("/")
    }

    private static func validateRepo(_ repo: String, allowLocal: Bool) throws(RailyardError) {
        guard !repo.isEmpty, repo.utf8.count <= 2048 else {
            throw .invalid("source.repo", "source.repo must be a git URL of 1 to 2048 characters")
        }
        if let problem = injectionProblem(repo) {
            throw .invalid("source.repo", "source.repo is refused: \(problem); give a plain https://, ssh:// or git@host:owner/repo URL")
        }
        if isLocal(repo) {
            guard allowLocal else {
                throw RailyardError(
                    .forbidden,
                    "source.repo '\(repo)' is a repository on the server's disk; an admin must start `railyard server --allow-local-git-sources` to allow local repositories",
                    field: "source.repo"
                )
            }
            let path = repo.hasPrefix("file://") ? String(repo.dropFirst("file://".count)) : repo
            guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw .invalid("source.repo", "source.repo must be file:///absolute/path or /absolute/path, without '..'")
            }
            return
        }
        guard remoteSchemes.contains(where: { repo.hasPrefix($0) }) else {
            throw .invalid(
                "source.repo",
                "source.repo must be a git URL (https://…, ssh://…, git://…, git@host:owner/repo) of at most 2048 characters"
            )
        }
    }

    /// Why `repo` could make git run something or read an option, or nil when it could not.
    static func injectionProblem(_ repo: String) -> String? {
        if repo.contains(where: { $0.isWhitespace || $0.isASCIIControl }) {
            return "it contains whitespace or control characters"
        }
        if repo.hasPrefix("-") { return "it starts with '-', which git would read as an option" }
        let lowered = repo.lowercased()
        for option in ["--upload-pack", "--receive-pack", "--config", "--exec"] where lowered.contains(option) {
            return "it contains '\(option)'"
        }
        // `<transport>::<address>` makes git run git-remote-<transport> (`ext::` runs any command).
        if let separator = repo.range(of: "::"), !repo[..<separator.lowerBound].contains(where: { "/@[".contains($0) }) {
            return "'\(repo[..<separator.lowerBound])::' selects a git remote helper"
        }
        // `ssh://-oProxyCommand=…` or `git@-o…`: ssh would read the host or user as an option.
        for marker in ["://", "@"] {
            var rest = Substring(repo)
            while let range = rest.range(of: marker) {
                let after = rest[range.upperBound...]
                if after.hasPrefix("-") || after.lowercased().hasPrefix("%2d") {
                    return "the host or user after '\(marker)' starts with '-'"
                }
                rest = after
            }
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIControl: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii < 0x20 || ascii == 0x7F
    }
}
