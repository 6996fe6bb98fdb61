import Foundation
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Source archive store")
struct SourceArchiveStoreTests {
    /// A hostile archive and a phrase its rejection must contain.
    struct Hostile: CustomTestStringConvertible, Sendable {
        var label: String
        var entries: @Sendable (String) -> [Tarball.Entry]
        var reason: String
        var testDescription: String { label }
    }

    /// `escape` is a unique name; any file by that name outside the store is a breach.
    static let hostile: [Hostile] = [
        Hostile(label: "a ../ entry", entries: { [.file("ok.txt", "fine"), .file("../\($0)", "pwned")] }, reason: "`..` component"),
        Hostile(label: "a nested ../ entry", entries: { [.file("a/../../\($0)", "pwned")] }, reason: "`..` component"),
        Hostile(label: "an absolute path", entries: { [.file("/tmp/\($0)", "pwned")] }, reason: "absolute path"),
        Hostile(label: "a hard link to a system file", entries: { [.hardlink("passwd", to: "/etc/passwd"), .file($0)] }, reason: "hard link to `/etc/passwd`"),
        Hostile(label: "a hard link inside", entries: { [.file("a", "x"), .hardlink($0, to: "a")] }, reason: "hard link"),
        Hostile(label: "a symlink out then a file through it", entries: { [.symlink("out", to: ".."), .file("out/\($0)", "pwned")] }, reason: "points outside the folder"),
        Hostile(label: "a symlink inside then a file through it", entries: { [.dir("real"), .symlink("alias", to: "real"), .file("alias/\($0)", "x")] }, reason: "goes through the symlink `alias`"),
        Hostile(label: "a file through a later symlink", entries: { [.file("late/\($0)", "x"), .symlink("late", to: ".")] }, reason: "goes through the symlink `late`"),
        Hostile(label: "a symlink to an absolute path", entries: { [.symlink($0, to: "/etc/passwd")] }, reason: "absolute path `/etc/passwd`"),
        Hostile(label: "a symlink that climbs out", entries: { [.dir("a/b"), .symlink("a/b/\($0)", to: "../../../etc")] }, reason: "points outside the folder"),
        Hostile(label: "a symlink out via another symlink", entries: { [.symlink("here", to: "."), .symlink($0, to: "here/..")] }, reason: "points outside the folder"),
        Hostile(label: "a symlink loop", entries: { [.symlink("a", to: "b/x"), .symlink("b", to: "a"), .file($0)] }, reason: "symlink loop"),
        Hostile(label: "a FIFO", entries: { [.fifo($0)] }, reason: "device or FIFO"),
        Hostile(label: "a device", entries: { [.device($0)] }, reason: "device or FIFO"),
        Hostile(label: "a duplicate file", entries: { [.file($0, "a"), .file($0, "b")] }, reason: "more than once"),
        Hostile(label: "a file inside a file", entries: { [.file("f", "a"), .file("f/\($0)", "b")] }, reason: "which is a file"),
    ]

    @Test("hostile archives are rejected, naming why, and nothing is written", arguments: hostile)
    func rejects(_ hostile: Hostile) throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let escape = "escaped-\(UUID().uuidString.prefix(8))"
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        try Tarball.write(hostile.entries(escape), to: archive)
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("data/sources"))
        let before = sandbox.listing()

        let error = #expect(throws: RailyardError.self) { try store.ingest(archive: archive) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(hostile.reason) == true, "\(error?.message ?? "")")
        #expect(sandbox.listing() == before)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(escape)"))
    }

    @Test("a good archive extracts with exec bits, folders and inner symlinks kept", arguments: ["gnu", "pax", "ustar"])
    func extracts(format: String) throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let longName = "deep/" + String(repeating: "nested-folder/", count: 9) + "file.txt"
        var entries: [Tarball.Entry] = [
            .dir("./"), .file("./index.html", "<h1>hi</h1>"), .file("bin/run", "#!/bin/sh\necho run\n", mode: 0o700),
            .dir("releases/v1"), .file("releases/v1/app.txt", "v1"), .symlink("current", to: "releases/v1"),
            .symlink("releases/v1/up", to: "../.."), .file("empty"),
        ]
        if format != "ustar" { entries.append(.file(longName, "long")) }
        if format == "pax" { entries.append(.file("ünïcode-名前.txt", "unicode")) }
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        try Tarball.write(entries, to: archive, format: format)
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))

        let digest = try store.ingest(archive: archive)
        let snapshot = store.directory(for: digest)
        let files = FileManager.default
        #expect(digest.count == 64 && digest.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(files.contents(atPath: snapshot.appendingPathComponent("index.html").path) == Data("<h1>hi</h1>".utf8))
        #expect(try permissions(snapshot.appendingPathComponent("bin/run")) == 0o755)
        #expect(try permissions(snapshot.appendingPathComponent("index.html")) == 0o644)
        #expect(try files.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent("current").path) == "releases/v1")
        #expect(files.contents(atPath: snapshot.appendingPathComponent("current/app.txt").path) == Data("v1".utf8))
        #expect(files.contents(atPath: snapshot.appendingPathComponent("empty").path) == Data())
        if format != "ustar" { #expect(files.contents(atPath: snapshot.appendingPathComponent(longName).path) == Data("long".utf8)) }
        if format == "pax" { #expect(files.fileExists(atPath: snapshot.appendingPathComponent("ünïcode-名前.txt").path)) }
        #expect(files.contentsEqual(atPath: store.archive(for: digest).path, andPath: archive.path))
        #expect(try files.contentsOfDirectory(atPath: store.root.path).sorted() == [digest, "\(digest).tar.gz"])
    }

    @Test("the digest is the SHA-256 of the archive, and ingesting it again changes nothing")
    func idempotent() throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        try Tarball.write([.file("main.py", "print('hi')")], to: archive)
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))

        let first = try store.ingest(archive: archive)
        let copy = sandbox.url.appendingPathComponent("again.tar.gz")
        try FileManager.default.copyItem(at: archive, to: copy)
        let second = try store.ingest(archive: copy)
        #expect(first == second)
        let expected = try SourceArchiveStore.sha256(of: archive)
        #expect(first == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root.path).sorted() == [first, "\(first).tar.gz"])
    }

    @Test("a real `tar czf` of a folder is accepted")
    func gnuTar() throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let app = try sandbox.write(["app/package.json": "{}", "app/src/index.js": "console.log(1)"])
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("app/link").path, withDestinationPath: "src/index.js")
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        try Tarball.run("/bin/tar", ["czf", archive.path, "-C", app.appendingPathComponent("app").path, "."])
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))
        let snapshot = store.directory(for: try store.ingest(archive: archive))
        #expect(FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("src/index.js").path))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent("link").path) == "src/index.js")
    }

    @Test("`git archive` output (a pax global header) is accepted")
    func gitArchive() throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let repo = try sandbox.write(["main.py": "print(1)", "lib/util.py": ""], in: "repo")
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        let script = "git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm init && git archive --format=tar.gz -o \"$0\" HEAD"
        try Tarball.run("/bin/sh", ["-c", script, archive.path], in: repo)
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))
        let snapshot = store.directory(for: try store.ingest(archive: archive))
        #expect(TemporaryDirectory.listing(of: snapshot) == ["lib", "lib/util.py", "main.py"])
    }

    @Test("archives over the size or entry limit are rejected", arguments: [
        (ArchiveLimits(maximumUnpackedBytes: 4096, maximumEntries: 100), "unpacks to more than"),
        (ArchiveLimits(maximumUnpackedBytes: 1 << 20, maximumEntries: 2), "more than 2 entries"),
    ])
    func limits(limits: ArchiveLimits, reason: String) throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        try Tarball.write([.file("a", String(repeating: "x", count: 5000)), .file("b"), .file("c")], to: archive)
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"), limits: limits)
        let error = #expect(throws: RailyardError.self) { try store.ingest(archive: archive) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: store.root.path))
    }

    @Test("files that are not gzip'd tars are rejected", arguments: [
        ("plain text", Data("hello".utf8), "not a gzip"),
        ("empty", Data(), "not a gzip"),
    ])
    func notTar(label: String, bytes: Data, reason: String) throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let archive = sandbox.url.appendingPathComponent("upload.tar.gz")
        try bytes.write(to: archive)
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))
        let error = #expect(throws: RailyardError.self) { try store.ingest(archive: archive) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test("truncated archives are rejected", arguments: [
        (1024, "end-of-archive marker"),
        (700, "ends in the middle of an entry"),
    ])
    func truncated(keep: Int, reason: String) throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let whole = sandbox.url.appendingPathComponent("whole.tar.gz")
        try Tarball.write([.file("a.txt", String(repeating: "a", count: 400)), .file("b.txt", "b")], to: whole)
        let cut = sandbox.url.appendingPathComponent("cut.tar.gz")
        try Tarball.run("/bin/sh", ["-c", "gzip -dc \"$0\" | head -c \(keep) | gzip > \"$1\"", whole.path, cut.path])
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))
        let error = #expect(throws: RailyardError.self) { try store.ingest(archive: cut) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test("a gzip'd file that is not a tar is rejected")
    func gzipNotTar() throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let text = try sandbox.write(["notes.txt": String(repeating: "not a tar header ", count: 100)])
        try Tarball.run("/bin/gzip", ["-k", text.appendingPathComponent("notes.txt").path])
        let store = SourceArchiveStore(root: sandbox.url.appendingPathComponent("sources"))
        let error = #expect(throws: RailyardError.self) { try store.ingest(archive: text.appendingPathComponent("notes.txt.gz")) }
        #expect(error?.message.contains("not a tar archive") == true, "\(error?.message ?? "")")
    }

    private func permissions(_ url: URL) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
