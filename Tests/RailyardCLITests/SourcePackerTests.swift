import Foundation
import Testing

@testable import RailyardCLI

@Suite("Packing a folder for upload")
struct SourcePackerTests {
    /// A folder with ignore files at two depths, a data folder, links, an executable and long paths.
    static func fixture() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("railyard-pack")
        try folder.write("index.html", "<h1>hi</h1>\n")
        try folder.write("start.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        try folder.write(".gitignore", "# build output\n*.log\nnode_modules/\n/secret.txt\n!important.log\n")
        try folder.write(".railyardignore", "docs/\n!keep.log\n")
        try folder.write("debug.log", "noise")
        try folder.write("important.log", "kept by negation")
        try folder.write("keep.log", "kept by .railyardignore")
        try folder.write("secret.txt", "hidden")
        try folder.write("sub/secret.txt", "not anchored here, so kept")
        try folder.write("node_modules/left-pad/index.js", "module.exports = 1")
        try folder.write("docs/guide.md", "# guide")
        try folder.write("src/.gitignore", "generated.js\n")
        try folder.write("src/app.js", "console.log(1)")
        try folder.write("src/generated.js", "// generated")
        try folder.write(".git/HEAD", "ref: refs/heads/main")
        try folder.write(".railyard/railyard.db", "state")
        try folder.write("backup/data/railyard.db", "state")
        try folder.write("backup/data/logs/x.log", "x")
        try folder.write("backup/keys/secret.key", "key")
        try folder.write("backup/notes.txt", "kept")
        try folder.makeFolder("empty")
        try folder.link("current", to: "src/app.js")
        try folder.link("src/up", to: "../index.html")
        try folder.link("escape", to: "../../etc/passwd")
        try folder.link("absolute", to: "/etc/hostname")
        let deep = (1...12).map { "folder-number-\($0)" }.joined(separator: "/")
        try folder.write(deep + "/file.txt", "deep")
        try folder.write(String(repeating: "n", count: 120) + ".txt", "long name")
        return folder
    }

    static let expectedPaths: Set<String> = {
        let deep = (1...12).map { "folder-number-\($0)" }
        var paths: Set<String> = [
            ".gitignore", ".railyardignore", "index.html", "start.sh", "important.log", "keep.log",
            "sub/", "sub/secret.txt", "src/", "src/.gitignore", "src/app.js", "src/up",
            "backup/", "backup/notes.txt", "empty/", "current",
            String(repeating: "n", count: 120) + ".txt",
        ]
        for depth in 1...deep.count { paths.insert(deep.prefix(depth).joined(separator: "/") + "/") }
        paths.insert(deep.joined(separator: "/") + "/file.txt")
        return paths
    }()

    @Test("the archive holds exactly what is not ignored, and system tar reads it back intact")
    func roundTrip() throws {
        let folder = try Self.fixture()
        let work = try TemporaryFolder("railyard-pack-out")
        let archive = work.path + "/source.tar.gz"
        let summary = try SourcePacker().pack(folder.path, to: archive)

        let listing = try runProgram(["tar", "-tzf", archive])
        try #require(listing.status == 0, "\(listing.stderr)")
        let listed = Set(listing.stdout.split(separator: "\n").map(String.init))
        #expect(listed == Self.expectedPaths)
        #expect(summary.scan.entries.count == Self.expectedPaths.count)
        #expect(Set(summary.scan.skipped.map(\.path)) == ["backup/data", "backup/keys", "escape", "absolute"])

        let extracted = work.path + "/x"
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        let extract = try runProgram(["tar", "-xzf", archive, "-C", extracted])
        try #require(extract.status == 0, "\(extract.stderr)")
        for path in Self.expectedPaths where !path.hasSuffix("/") {
            let original = try FileManager.default.destinationOfSymbolicLinkOrNil(folder.path + "/" + path)
            let copy = try FileManager.default.destinationOfSymbolicLinkOrNil(extracted + "/" + path)
            #expect(original == copy, "\(path) keeps its link target")
            if original == nil {
                let a = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/" + path))
                let b = try Data(contentsOf: URL(fileURLWithPath: extracted + "/" + path))
                #expect(a == b, "\(path) has the same content")
            }
        }
    }

    @Test("modes, links, owners and times as tar -tv shows them")
    func verboseListing() throws {
        let folder = try Self.fixture()
        let work = try TemporaryFolder("railyard-pack-out")
        let archive = work.path + "/source.tar.gz"
        try SourcePacker().pack(folder.path, to: archive)
        let listing = try runProgram(["TZ=UTC", "tar", "--numeric-owner", "-tzvf", archive])
        try #require(listing.status == 0, "\(listing.stderr)")
        let lines = listing.stdout.split(separator: "\n").map(String.init)
        func line(_ suffix: String) -> String? { lines.first { $0.hasSuffix(" " + suffix) } }
        #expect(line("start.sh")?.hasPrefix("-rwxr-xr-x 0/0") == true, "\(lines)")
        #expect(line("index.html")?.hasPrefix("-rw-r--r-- 0/0") == true)
        #expect(line("src/")?.hasPrefix("drwxr-xr-x 0/0") == true)
        #expect(line("current -> src/app.js")?.hasPrefix("lrwxrwxrwx 0/0") == true)
        #expect(line("src/up -> ../index.html") != nil)
        #expect(lines.allSatisfy { $0.contains("1970-01-01") }, "times are zeroed")
    }

    @Test("entries come in sorted order, folders before what they hold")
    func order() throws {
        let folder = try Self.fixture()
        let paths = try SourcePacker().scan(folder.path).entries.map(\.path)
        #expect(paths.first == ".gitignore")
        let src = try #require(paths.firstIndex(of: "src"))
        #expect(paths[src + 1] == "src/.gitignore" && paths[src + 2] == "src/app.js")
        let top = paths.filter { !$0.contains("/") }
        #expect(top == top.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test("the same folder packs to the same bytes, whatever the files' times")
    func deterministic() throws {
        let folder = try Self.fixture()
        let work = try TemporaryFolder("railyard-pack-out")
        try SourcePacker().pack(folder.path, to: work.path + "/a.tar.gz")
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: folder.path + "/index.html"
        )
        try SourcePacker().pack(folder.path, to: work.path + "/b.tar.gz")
        let a = try Data(contentsOf: URL(fileURLWithPath: work.path + "/a.tar.gz"))
        let b = try Data(contentsOf: URL(fileURLWithPath: work.path + "/b.tar.gz"))
        #expect(a == b)
        #expect(a.count > 100)
    }

    @Test("a folder over the limit is refused with its largest files named")
    func sizeLimit() throws {
        let folder = try TemporaryFolder("railyard-pack")
        try folder.write("small.txt", String(repeating: "a", count: 100))
        try folder.write("big/video.mp4", String(repeating: "b", count: 5000))
        try folder.write("data.bin", String(repeating: "c", count: 3000))
        let error = #expect(throws: CLIError.self) { try SourcePacker(limit: 4096).scan(folder.path) }
        let message = error?.message ?? ""
        #expect(message.contains("7.9 KiB"), "\(message)")
        #expect(message.contains("4 KiB"), "\(message)")
        #expect(message.contains("big/video.mp4 (4.9 KiB), data.bin (2.9 KiB), small.txt (100 B)"), "\(message)")
        #expect(message.contains(".railyardignore"))
    }

    @Test("a Railyard data folder itself is refused")
    func dataFolderRoot() throws {
        let folder = try TemporaryFolder("railyard-pack")
        try folder.write("secret.key", "k")
        let error = #expect(throws: CLIError.self) { try SourcePacker().scan(folder.path) }
        #expect(error?.message.contains("Railyard data folder") == true)
    }

    @Test("paths too long for ustar's fields travel in pax headers")
    func paxPaths() throws {
        let folder = try TemporaryFolder("railyard-pack")
        let longName = String(repeating: "x", count: 180) + ".txt"
        let longTarget = String(repeating: "y", count: 150)
        try folder.write(longName, "long")
        try folder.write("dir/" + longTarget, "target")
        try folder.link("dir/link", to: longTarget)
        let work = try TemporaryFolder("railyard-pack-out")
        let archive = work.path + "/source.tar.gz"
        try SourcePacker().pack(folder.path, to: archive)
        let extract = try runProgram(["tar", "-xzf", archive, "-C", work.path])
        try #require(extract.status == 0, "\(extract.stderr)")
        #expect(try String(contentsOfFile: work.path + "/" + longName, encoding: .utf8) == "long")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: work.path + "/dir/link") == longTarget)
    }

    @Test("inside a git work tree, the .gitignore files above the folder count too; outside one they do not")
    func enclosingRepository() throws {
        let top = try TemporaryFolder("railyard-pack-repo")
        try top.write(".gitignore", "node_modules/\n/apps/web/tmp\n*.secret\n")
        try top.write("apps/.gitignore", "!keep.secret\n")
        try top.write("apps/web/index.js", "1")
        try top.write("apps/web/node_modules/x/index.js", "2")
        try top.write("apps/web/tmp/cache", "3")
        try top.write("apps/web/db.secret", "4")
        try top.write("apps/web/keep.secret", "5")
        try top.write("apps/web/src/tmp/kept", "6")
        func packed() throws -> Set<String> {
            Set(try SourcePacker().scan(top.path + "/apps/web").entries.map(\.path))
        }
        #expect(try packed() == ["index.js", "node_modules", "node_modules/x", "node_modules/x/index.js", "tmp", "tmp/cache", "db.secret", "keep.secret", "src", "src/tmp", "src/tmp/kept"])
        try top.makeFolder(".git")
        #expect(try packed() == ["index.js", "keep.secret", "src", "src/tmp", "src/tmp/kept"])
        try top.makeFolder("apps/web/.git")
        #expect(try packed().contains("node_modules"), "the folder is its own work tree")
    }

    @Test("links pointing outside the folder are judged by their names")
    func outsideLinks() {
        #expect(SourcePacker.pointsOutside(link: "a", target: "/etc/passwd"))
        #expect(SourcePacker.pointsOutside(link: "a", target: "../x"))
        #expect(SourcePacker.pointsOutside(link: "d/a", target: "../../x"))
        #expect(!SourcePacker.pointsOutside(link: "d/a", target: "../x"))
        #expect(!SourcePacker.pointsOutside(link: "d/a", target: "./b/../c"))
        #expect(SourcePacker.pointsOutside(link: "a", target: ""))
    }
}

extension FileManager {
    /// The target of the link at `path`, or nil when it is not a link.
    func destinationOfSymbolicLinkOrNil(_ path: String) throws -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw CocoaError(.fileNoSuchFile) }
        guard info.st_mode & S_IFMT == S_IFLNK else { return nil }
        return try destinationOfSymbolicLink(atPath: path)
    }
}
