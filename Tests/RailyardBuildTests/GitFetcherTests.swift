import Foundation
import RailyardCore
import RailyardTestSupport
import Testing

@testable import RailyardBuild

@Suite("Git fetcher")
struct GitFetcherTests {
    /// A fetcher over a fresh archive store; `body` gets it, the store and the build log.
    func withFetcher(allowLocal: Bool = true, _ body: (GitFetcher, SourceArchiveStore, URL) async throws -> Void) async throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let archives = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))
        let fetcher = GitFetcher(archives: archives, workRoot: sandbox.url.appendingPathComponent("tmp"), allowLocal: allowLocal)
        try await body(fetcher, archives, sandbox.url.appendingPathComponent("build.log"))
    }

    @Test("the branch head is fetched shallow into a content-addressed snapshot without .git, with its commit")
    func head() async throws {
        let repo = try LocalGitRepository()
        defer { repo.remove() }
        try repo.commit(["index.html": "one"], message: "First")
        let sha = try repo.commit(["index.html": "two", "src/app.py": "print(1)\n"], message: "Second\n\nwith a body", author: "Grace Hopper")
        try await withFetcher { fetcher, archives, log in
            let fetched = try await fetcher.fetch(repo: repo.fileURL, branch: "main", commit: nil, log: log)
            #expect(fetched.commit == GitFetcher.Commit(sha: sha, message: "Second", author: "Grace Hopper"))
            let folder = archives.directory(for: fetched.digest)
            #expect(try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8) == "two")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("src/app.py").path))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path))
            // The same commit again is the same snapshot.
            let again = try await fetcher.fetch(repo: repo.url.path, branch: "main", commit: nil, log: log)
            #expect(again.digest == fetched.digest)
            let logged = try String(contentsOf: log, encoding: .utf8)
            #expect(logged.contains("fetch") && logged.contains("-- \(repo.fileURL)"))
            // Scratch folders are gone.
            #expect((try? FileManager.default.contentsOfDirectory(atPath: fetcher.workRoot.path))?.isEmpty ?? true)
        }
    }

    @Test("an older commit is fetched by its sha")
    func bySha() async throws {
        let repo = try LocalGitRepository()
        defer { repo.remove() }
        let first = try repo.commit(["index.html": "one"], message: "First")
        try repo.commit(["index.html": "two"], message: "Second")
        try await withFetcher { fetcher, archives, log in
            let fetched = try await fetcher.fetch(repo: repo.fileURL, branch: "main", commit: first, log: log)
            #expect(fetched.commit.sha == first && fetched.commit.message == "First")
            #expect(try String(contentsOf: archives.directory(for: fetched.digest).appendingPathComponent("index.html"), encoding: .utf8) == "one")
        }
    }

    @Test("git's failures become invalid_input errors naming branch, URL and git's reason")
    func failures() async throws {
        let repo = try LocalGitRepository()
        defer { repo.remove() }
        try repo.commit(["a": "a"], message: "First")
        try await withFetcher { fetcher, _, log in
            let missing = await #expect(throws: RailyardError.self) {
                try await fetcher.fetch(repo: repo.fileURL, branch: "nope", commit: nil, log: log)
            }
            #expect(missing?.code == .invalidInput)
            #expect(missing?.message.hasPrefix("could not fetch branch nope of \(repo.fileURL): ") == true)
            #expect(missing?.message.contains("nope") == true)
            let unknown = await #expect(throws: RailyardError.self) {
                try await fetcher.fetch(repo: repo.fileURL, branch: "main", commit: String(repeating: "1", count: 40), log: log)
            }
            #expect(unknown?.message.contains("could not fetch branch main") == true)
        }
        // Without --allow-local-git-sources git itself refuses file://, whatever got stored.
        try await withFetcher(allowLocal: false) { fetcher, _, log in
            let refused = await #expect(throws: RailyardError.self) {
                try await fetcher.fetch(repo: repo.fileURL, branch: "main", commit: nil, log: log)
            }
            #expect(refused?.message.contains("not allowed") == true)
        }
    }

    @Test("a URL that looks like an option or a remote helper is only ever a URL to git")
    func injection() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-pwned-\(UUID().uuidString)")
        try await withFetcher { fetcher, _, log in
            for url in ["--upload-pack=touch \(marker.path)", "ext::sh -c touch% \(marker.path)"] {
                await #expect(throws: RailyardError.self) {
                    try await fetcher.fetch(repo: url, branch: "main", commit: nil, log: log)
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: marker.path))
    }
}
