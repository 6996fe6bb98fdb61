import Foundation
import Logging
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Build cache")
struct BuildCacheTests {
    let executor = BuildExecutor(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    static let path = "/usr/bin:/bin"

    /// An entry over `deps/` keyed by `lock.txt`, covering `install`.
    static func entry(_ install: String) -> BuildCacheEntry {
        BuildCacheEntry(name: "custom", directories: ["deps"], keyFiles: ["lock.txt"], commands: [install], toolchain: ["sh"])
    }

    /// A plan whose install appends to `count` (outside the app folder) and fills `deps/`.
    static func plan(counting count: URL) -> BuildPlan {
        let install = "echo installed >> '\(count.path)' && mkdir -p deps && echo dep > deps/marker"
        return BuildPlan(provider: "custom", install: [install], build: ["test -f deps/marker"], start: "true", cache: [entry(install)])
    }

    static func runs(_ count: URL) -> Int {
        ((try? String(contentsOf: count, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test("the key changes with a key file, the commands, the toolchain and the platform, not with app code")
    func key() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let app = try folder.write(["lock.txt": "flask==3\n", "app.py": "one"], in: "app")
        let entry = Self.entry("install")
        func key(_ entry: BuildCacheEntry = entry, path: String = Self.path, platform: String = "Linux x86_64") -> String {
            BuildCacheKey(entry: entry, provider: "custom", appDirectory: app, path: path, platform: platform).hex
        }
        let first = key()
        #expect(first.count == 64)
        #expect(BuildCacheKey(entry: entry, provider: "custom", appDirectory: app, path: Self.path, platform: "x").presentKeyFiles == ["lock.txt"])
        try folder.write(["app.py": "two"], in: "app")
        #expect(key() == first)
        try folder.write(["lock.txt": "flask==3.1\n"], in: "app")
        let changedLock = key()
        #expect(changedLock != first)
        #expect(key(Self.entry("install --other")) != changedLock)
        #expect(key(path: "/nowhere") != changedLock)
        #expect(key(platform: "Linux aarch64") != changedLock)
        try FileManager.default.removeItem(at: app.appendingPathComponent("lock.txt"))
        #expect(key() != changedLock)
    }

    @Test("a symlinked key file counts by its target's name and is never read")
    func symlinkedKeyFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let app = try folder.write(["app.py": ""], in: "app")
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("lock.txt").path, withDestinationPath: "/etc/hostname")
        #expect(BuildCacheKey.contents(of: "lock.txt", in: app) == Data("symlink /etc/hostname".utf8))
    }

    @Test("a second build restores the install and skips its command; a changed lockfile installs again")
    func executorSkipsCoveredInstall() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let count = folder.url.appendingPathComponent("count")
        let cache = BuildCache(root: folder.url.appendingPathComponent("cache/service"))
        let source = try folder.write(["lock.txt": "a==1\n", "app.py": "v1"], in: "source")
        let plan = Self.plan(counting: count)
        func build(_ name: String) async throws -> (app: URL, log: String) {
            let app = folder.url.appendingPathComponent("\(name)/app")
            let log = folder.url.appendingPathComponent("\(name).log")
            try await executor.build(plan: plan, source: source, appDirectory: app, environment: ["PATH": Self.path], log: log, cache: cache)
            return (app, try String(contentsOf: log, encoding: .utf8))
        }

        let first = try await build("d1")
        #expect(Self.runs(count) == 1)
        #expect(first.log.contains("No cached dependency install for custom"))
        #expect(first.log.contains("Saved the dependency install for custom to the build cache"))

        try folder.write(["app.py": "v2"], in: "source")
        let second = try await build("d2")
        #expect(Self.runs(count) == 1, "the covered install ran again:\n\(second.log)")
        #expect(second.log.contains("Reusing cached dependency install (custom: lock.txt unchanged, key "))
        #expect(!second.log.contains("echo installed"))
        #expect(try String(contentsOf: second.app.appendingPathComponent("deps/marker"), encoding: .utf8) == "dep\n")
        #expect(try String(contentsOf: second.app.appendingPathComponent("app.py"), encoding: .utf8) == "v2")

        try folder.write(["lock.txt": "a==2\n"], in: "source")
        let third = try await build("d3")
        #expect(Self.runs(count) == 2)
        #expect(third.log.contains("No cached dependency install for custom"))
    }

    @Test("a failed install is never cached")
    func failedInstall() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = BuildCache(root: folder.url.appendingPathComponent("cache/service"))
        let source = try folder.write(["lock.txt": "a\n"], in: "source")
        let install = "mkdir deps && exit 4"
        let plan = BuildPlan(provider: "custom", install: [install], start: "true", cache: [Self.entry(install)])
        await #expect(throws: RailyardError.self) {
            try await executor.build(
                plan: plan, source: source, appDirectory: folder.url.appendingPathComponent("d1/app"),
                environment: ["PATH": Self.path], log: folder.url.appendingPathComponent("d1.log"), cache: cache
            )
        }
        let saved = (try? FileManager.default.contentsOfDirectory(atPath: cache.root.path)) ?? []
        #expect(saved.isEmpty)
    }

    @Test("a restore that fails falls back to installing")
    func restoreFailure() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let count = folder.url.appendingPathComponent("count")
        let cache = BuildCache(root: folder.url.appendingPathComponent("cache/service"))
        let source = try folder.write(["lock.txt": "a\n"], in: "source")
        let plan = Self.plan(counting: count)
        let log = folder.url.appendingPathComponent("build.log")
        try await executor.build(plan: plan, source: source, appDirectory: folder.url.appendingPathComponent("d1/app"), environment: ["PATH": Self.path], log: log, cache: cache)
        let key = BuildCacheKey(entry: plan.cache[0], provider: "custom", appDirectory: source, path: Self.path)
        try Data("not json".utf8).write(to: cache.root.appendingPathComponent("\(key.hex)/entry.json"))

        try await executor.build(plan: plan, source: source, appDirectory: folder.url.appendingPathComponent("d2/app"), environment: ["PATH": Self.path], log: log, cache: cache)
        #expect(Self.runs(count) == 2)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("Could not restore the cached dependency install for custom"))
    }

    @Test("saving keeps the newest keys and the one in use")
    func prune() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = BuildCache(root: folder.url.appendingPathComponent("cache/service"), keep: 2)
        let app = try folder.write(["deps/file": "x"], in: "app")
        let entry = Self.entry("install")
        var keys: [BuildCacheKey] = []
        for lock in ["1", "2", "3"] {
            try folder.write(["lock.txt": lock], in: "app")
            let key = BuildCacheKey(entry: entry, provider: "custom", appDirectory: app, path: Self.path)
            try await cache.save(entry, key: key, from: app)
            // Modification times are the order; make them distinct on coarse filesystems.
            let used = Date().addingTimeInterval(Double(keys.count - 10))
            try FileManager.default.setAttributes([.modificationDate: used], ofItemAtPath: cache.root.appendingPathComponent("\(key.hex)/entry.json").path)
            keys.append(key)
        }
        let saved = Set(try FileManager.default.contentsOfDirectory(atPath: cache.root.path))
        #expect(saved == [keys[1].hex, keys[2].hex])
        #expect(cache.contains(keys[2]) && !cache.contains(keys[0]))
    }

    @Test("the server never copies or rewrites through a symlink a build planted")
    func symlinks() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let outside = try folder.write(["secret/file": "/old/app secret", "script": "#!/old/app/.venv/bin/python"], in: "outside")
        let app = try folder.write([".venv/bin/pip": "#!/old/app/.venv/bin/python\n"], in: "app")
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent(".venv/bin/linked").path, withDestinationPath: outside.appendingPathComponent("script").path)
        try BuildCacheRelocation.rewrite(app.appendingPathComponent(".venv/bin"), from: "/old/app", to: "/new/app")
        #expect(try String(contentsOf: app.appendingPathComponent(".venv/bin/pip"), encoding: .utf8) == "#!/new/app/.venv/bin/python\n")
        #expect(try String(contentsOf: outside.appendingPathComponent("script"), encoding: .utf8) == "#!/old/app/.venv/bin/python")

        // A build that turns a folder on the way into a symlink gets nothing saved from behind it.
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("deps").path, withDestinationPath: outside.path)
        let entry = BuildCacheEntry(name: "custom", directories: ["deps/secret"], keyFiles: [], commands: [], toolchain: [])
        let cache = BuildCache(root: folder.url.appendingPathComponent("cache/service"))
        let key = BuildCacheKey(entry: entry, provider: "custom", appDirectory: app, path: Self.path)
        await #expect(throws: RailyardError.self) { try await cache.save(entry, key: key, from: app) }
        #expect(!cache.contains(key))
    }

    @Test("a venv saved from one app folder runs its scripts from another, after the first is deleted")
    func venvRelocation() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = BuildCache(root: folder.url.appendingPathComponent("cache/service"))
        let source = try folder.write(["requirements.txt": "", "app.py": "print(1)\n"], in: "source")
        let plan = try BuildPlanner.plan(directory: source, variables: [:])
        #expect(plan.cache.map(\.name) == ["python"])
        let first = folder.url.appendingPathComponent("d1/app")
        let second = folder.url.appendingPathComponent("d2/app")
        let log = folder.url.appendingPathComponent("build.log")
        try await executor.build(plan: plan, source: source, appDirectory: first, environment: ["PATH": Self.path], log: log, cache: cache)
        try await executor.build(plan: plan, source: source, appDirectory: second, environment: ["PATH": Self.path], log: log, cache: cache)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("Reusing cached dependency install (python: requirements.txt unchanged"))
        try FileManager.default.removeItem(at: first.deletingLastPathComponent())

        let pip = second.appendingPathComponent(".venv/bin/pip")
        #expect(try String(contentsOf: pip, encoding: .utf8).hasPrefix("#!\(second.path)/.venv/bin/python"))
        let process = Process()
        process.executableURL = pip
        process.arguments = ["--version"]
        process.environment = ["PATH": Self.path, "PIP_DISABLE_PIP_VERSION_CHECK": "1"]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.contains("\(second.path)/.venv/"), "\(output)")
    }
}
