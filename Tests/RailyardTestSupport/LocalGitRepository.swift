import Foundation

/// A real git repository in a temporary folder, driven with the `git` command line, for tests of
/// git sources: write files, commit, read the head.
public struct LocalGitRepository: Sendable {
    /// The repository's work tree.
    public let url: URL

    /// `git init -b BRANCH` in a new temporary folder.
    public init(branch: String = "main") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-git-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try git("init", "--quiet", "-b", branch)
    }

    /// `file://…` of the repository.
    public var fileURL: String { "file://" + url.path }

    /// Writes `files` (path → contents), stages everything and commits; returns the new commit's sha.
    @discardableResult
    public func commit(_ files: [String: String], message: String, author: String = "Ada Lovelace") throws -> String {
        for (path, contents) in files {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: file)
        }
        try git("add", "--all")
        try git("-c", "user.name=\(author)", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", message)
        return try head()
    }

    /// The sha of HEAD.
    public func head() throws -> String {
        try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `git checkout -b NAME` (or switches to an existing NAME).
    public func checkout(_ branch: String, create: Bool = false) throws {
        if create { try git("checkout", "--quiet", "-b", branch) } else { try git("checkout", "--quiet", branch) }
    }

    /// Runs git in the repository with no user or system config; returns stdout, throws on failure.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = url
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw GitCommandFailed(description: "git \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// Removes the repository.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A git command of a test failed.
public struct GitCommandFailed: Error, CustomStringConvertible {
    public let description: String
}
