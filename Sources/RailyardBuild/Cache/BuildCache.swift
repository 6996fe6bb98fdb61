import Foundation
import RailyardCore

/// One service's saved dependency installs: `<root>/<key>/files/<directory>` plus `entry.json`
/// (which app folder the install was made in). Written only by the server, never by a build: the
/// builds run sandboxed with the data dir this lives in hidden. Saves are atomic (a temp folder
/// renamed into place); only the newest `keep` keys are kept.
public struct BuildCache: Sendable {
    /// What a saved install records besides its files.
    struct Metadata: Codable {
        /// The app folder the install was made in, which its venv scripts name.
        var appDirectory: String
        /// The entry's name (`python`, `node`, …).
        var name: String
    }

    /// The service's cache folder.
    public let root: URL
    /// How many keys survive a prune.
    public let keep: Int

    /// The cache in `root` (created on first save), keeping the newest `keep` keys.
    public init(root: URL, keep: Int = 2) {
        self.root = root
        self.keep = keep
    }

    /// Whether an install is saved under `key`.
    public func contains(_ key: BuildCacheKey) -> Bool {
        FileManager.default.fileExists(atPath: metadataURL(key.hex).path)
    }

    /// Copies the install saved under `key` into `appDirectory` (replacing what is there) and
    /// rewrites the app folder it was made in to `appDirectory` in `entry.relocate`. Marks the key
    /// as recently used. Throws when anything is missing or a copy fails.
    func restore(_ entry: BuildCacheEntry, key: BuildCacheKey, into appDirectory: URL) async throws {
        let folder = root.appendingPathComponent(key.hex)
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data(contentsOf: metadataURL(key.hex)))
        for directory in entry.directories {
            let saved = folder.appendingPathComponent("files/\(directory)")
            guard BuildCachePath.exists(saved) else { continue }
            let target = appDirectory.appendingPathComponent(directory)
            try Self.requireInside(appDirectory, directory)
            if BuildCachePath.exists(target) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try await Self.copy(saved, to: target)
        }
        for path in entry.relocate {
            try Self.requireInside(appDirectory, path)
            try BuildCacheRelocation.rewrite(appDirectory.appendingPathComponent(path), from: metadata.appDirectory, to: appDirectory.path)
        }
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: metadataURL(key.hex).path)
    }

    /// Saves `entry.directories` of `appDirectory` under `key` (a no-op when the key is already
    /// saved), then prunes older keys.
    func save(_ entry: BuildCacheEntry, key: BuildCacheKey, from appDirectory: URL) async throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard !contains(key) else { return }
        let temp = root.appendingPathComponent(".tmp-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: temp) }
        for directory in entry.directories {
            try Self.requireInside(appDirectory, directory)
            let source = appDirectory.appendingPathComponent(directory)
            guard BuildCachePath.exists(source) else { continue }
            let target = temp.appendingPathComponent("files/\(directory)")
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try await Self.copy(source, to: target)
        }
        try fileManager.createDirectory(at: temp, withIntermediateDirectories: true)
        let metadata = Metadata(appDirectory: appDirectory.path, name: entry.name)
        try JSONEncoder().encode(metadata).write(to: temp.appendingPathComponent("entry.json"))
        // rename(2) onto an existing non-empty folder fails: a concurrent build saved the same key first.
        if rename(temp.path, root.appendingPathComponent(key.hex).path) != 0, !contains(key) {
            throw RailyardError(.internal, "could not move the saved install into \(root.path): \(String(cString: strerror(errno)))")
        }
        prune(keeping: key)
    }

    /// Removes all but the `keep` most recently saved or used keys (never `current`), and temp
    /// folders an interrupted save left more than an hour ago.
    func prune(keeping current: BuildCacheKey) {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: root.path) else { return }
        let hourAgo = Date().addingTimeInterval(-3600)
        var keys: [(name: String, used: Date)] = []
        for name in names {
            let url = root.appendingPathComponent(name)
            if name.hasPrefix(".tmp-") {
                let modified = (try? fileManager.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast
                if modified < hourAgo { try? fileManager.removeItem(at: url) }
                continue
            }
            let used = (try? fileManager.attributesOfItem(atPath: metadataURL(name).path)[.modificationDate] as? Date) ?? .distantPast
            keys.append((name, used))
        }
        let stale = keys.filter { $0.name != current.hex }.sorted { $0.used > $1.used }.dropFirst(max(keep - 1, 0))
        for key in stale { try? fileManager.removeItem(at: root.appendingPathComponent(key.name)) }
    }

    private func metadataURL(_ key: String) -> URL {
        root.appendingPathComponent("\(key)/entry.json")
    }

    private static func requireInside(_ appDirectory: URL, _ path: String) throws {
        guard BuildCachePath.isInside(appDirectory, path) else {
            throw RailyardError(.invalidInput, "the cached path \(path) goes through a symlink in the app folder; remove the symlink so the cache can be used")
        }
    }

    /// `cp -a --reflink=auto`: keeps modes, times, symlinks and hard links within the tree, and
    /// shares blocks where the filesystem can. Copies, never links: a build could otherwise write
    /// through a hard link into the cache.
    static func copy(_ source: URL, to target: URL) async throws {
        let cp = FileManager.default.isExecutableFile(atPath: "/usr/bin/cp") ? "/usr/bin/cp" : "/bin/cp"
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-cp-\(UUID().uuidString)")
        let fd = open(errors.path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RailyardError(.internal, "could not create \(errors.path)") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? FileManager.default.removeItem(at: errors) }
        let child = try ChildProcess.spawn(
            executable: cp, arguments: ["cp", "-a", "--reflink=auto", "--", source.path, target.path],
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"], directory: "/", outputFD: handle.fileDescriptor
        )
        let status = await child.wait()
        guard status == .exited(0) else {
            let message = (try? String(contentsOf: errors, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw RailyardError(.internal, "copying \(source.path) to \(target.path) failed (cp \(status)): \(message)")
        }
    }
}
