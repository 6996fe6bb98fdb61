import Foundation
import RailyardCore

/// Fetches one commit of a git repository (shallow) and hands its files to the
/// ``SourceArchiveStore`` as the `git archive` of that commit, so a git source goes through the
/// same validation (paths, symlinks, sizes) and content addressing as an upload.
///
/// git runs without a terminal (`GIT_TERMINAL_PROMPT=0`, ssh in batch mode), with only the protocols
/// in ``allowedProtocols`` (`GIT_ALLOW_PROTOCOL`, which no config can widen), with
/// `protocol.ext.allow=never`, and with `--` before the URL, so a URL can never become an option. The
/// server user's own git config applies (an admin's credential helper or `insteadOf` rewrite).
/// Nothing is checked out: no hook, filter or attribute of the fetched repository runs.
public struct GitFetcher: Sendable {
    /// The commit a fetch produced.
    public struct Commit: Sendable, Equatable {
        /// The full commit id.
        public var sha: String
        /// The subject line of the commit message.
        public var message: String
        /// The author's name.
        public var author: String

        /// A commit as `git log` reports it.
        public init(sha: String, message: String, author: String) {
            self.sha = sha
            self.message = message
            self.author = author
        }
    }

    /// What a fetch stored: the snapshot's digest in the archive store and the commit it came from.
    public struct Fetched: Sendable, Equatable {
        /// The snapshot's content address in the ``SourceArchiveStore``.
        public var digest: String
        /// The commit the snapshot is of.
        public var commit: Commit
    }

    /// Where snapshots go.
    public let archives: SourceArchiveStore
    /// A scratch folder for the fetched repositories (removed after each fetch).
    public let workRoot: URL
    /// Whether `file://` repositories may be fetched.
    public let allowLocal: Bool
    /// The git executable.
    public let git: String

    /// A fetcher storing into `archives`, working under `workRoot`.
    public init(archives: SourceArchiveStore, workRoot: URL, allowLocal: Bool, git: String = "/usr/bin/git") {
        self.archives = archives
        self.workRoot = workRoot
        self.allowLocal = allowLocal
        self.git = git
    }

    /// `GIT_ALLOW_PROTOCOL`: the transports git may use.
    public var allowedProtocols: String {
        allowLocal ? "https:http:ssh:git:file" : "https:http:ssh:git"
    }

    /// Fetches `commit` of `branch` (the branch's head when `commit` is nil) from `repo`, stores its
    /// files and returns the digest and commit. Each git command and its output is appended to `log`.
    /// Failures throw `RailyardError(.invalidInput, "could not fetch branch B of URL: <git's last line>")`.
    /// Cancelling the task stops git.
    public func fetch(repo: String, branch: String, commit: String?, log: URL) async throws -> Fetched {
        let url = Self.fetchURL(repo)
        let work = workRoot.appendingPathComponent("git-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let repository = work.appendingPathComponent("repo.git", isDirectory: true)
        let failure = { (detail: String) in
            RailyardError(.invalidInput, "could not fetch branch \(branch) of \(repo): \(detail)")
        }

        try await run(["init", "--bare", "--quiet", repository.path], in: work, log: log, failure: failure)
        let fetch = ["-c", "protocol.ext.allow=never", "fetch", "--no-tags", "--quiet", "--no-write-fetch-head"]
        let reference = "refs/railyard/fetched"
        if let commit {
            do {
                try await run(fetch + ["--depth", "1", "--", url, "+\(commit):\(reference)"], in: repository, log: log, failure: failure)
            } catch {
                // Some hosts refuse a commit id in a want: take the branch whole and look for it there.
                Self.append("Fetching \(commit.prefix(12)) alone failed; fetching the whole branch", to: log)
                try await run(fetch + ["--", url, "+refs/heads/\(branch):\(reference)-branch"], in: repository, log: log, failure: failure)
                try await run(["update-ref", reference, "\(commit)^{commit}"], in: repository, log: log) { _ in
                    failure("commit \(commit) is not on the branch")
                }
            }
        } else {
            try await run(fetch + ["--depth", "1", "--", url, "+refs/heads/\(branch):\(reference)"], in: repository, log: log, failure: failure)
        }
        let described = try await run(
            ["log", "-1", "--no-show-signature", "--format=%H%x00%an%x00%s", reference], in: repository, log: nil, failure: failure
        )
        let fields = described.trimmingCharacters(in: .newlines).split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3 else { throw failure("git log printed '\(described.prefix(200))'") }
        let found = Commit(sha: fields[0], message: fields[2], author: fields[1])

        let archive = work.appendingPathComponent("source.tar.gz")
        try await run(["archive", "--format=tar.gz", "-o", archive.path, reference], in: repository, log: log, failure: failure)
        let archives = self.archives
        let digest = try await Task.detached { try archives.ingest(archive: archive) }.value
        return Fetched(digest: digest, commit: found)
    }

    /// Appends one line to the deployment's build log.
    private static func append(_ line: String, to log: URL) {
        (try? BuildLog(url: log))?.write(line + "\n")
    }

    /// The URL handed to git: an absolute path becomes `file://…` so that `--depth` applies.
    static func fetchURL(_ repo: String) -> String {
        repo.hasPrefix("/") ? "file://" + repo : repo
    }

    /// The environment git runs with: no prompts, only allowed protocols.
    func environment(home: URL) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var env: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? home.path,
            "LANG": "C.UTF-8",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": allowedProtocols,
            "GIT_SSH_COMMAND": inherited["GIT_SSH_COMMAND"] ?? "ssh -o BatchMode=yes",
        ]
        // ssh's agent (private repositories over ssh) and proxies.
        for key in ["SSH_AUTH_SOCK", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]
        where inherited[key] != nil {
            env[key] = inherited[key]
        }
        return env
    }

    /// Runs `git arguments` in `directory`, appending the command and its output to `log` (when
    /// given); returns the output, or throws `failure(git's last output line)` when git fails.
    @discardableResult
    private func run(
        _ arguments: [String], in directory: URL, log: URL?, failure: (String) -> RailyardError
    ) async throws -> String {
        let capture = directory.deletingLastPathComponent().appendingPathComponent("git-output-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: capture) }
        if let log { Self.append("$ git \(arguments.joined(separator: " "))", to: log) }
        let output = try BuildLog(url: capture)
        let status = try await ShellCommand(
            command: "git", argv: [git] + arguments, directory: directory, environment: environment(home: directory)
        ).run(output: output)
        try Task.checkCancellation()
        let text = (try? String(contentsOf: capture, encoding: .utf8)) ?? ""
        if let log, !text.isEmpty { Self.append(text.trimmingCharacters(in: .newlines), to: log) }
        guard status == .exited(0) else {
            let last = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "git \(status)"
            throw failure(last.hasPrefix("fatal: ") ? String(last.dropFirst("fatal: ".count)) : last)
        }
        return text
    }
}
