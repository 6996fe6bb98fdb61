import Foundation
import Logging

/// One build's use of the cache: which of the plan's entries were restored (their commands are
/// skipped) and which must be saved once their commands have run. Cache trouble never fails a
/// build: a restore that fails falls back to installing, a save that fails is only logged.
struct BuildCacheUse: Sendable {
    /// An entry of the plan with its key for this build.
    struct Keyed: Sendable {
        var entry: BuildCacheEntry
        var key: BuildCacheKey
    }

    let cache: BuildCache?
    let appDirectory: URL
    let logger: Logger
    let keyed: [Keyed]

    /// Keys every cache entry of `plan` from the files in `appDirectory` (the fresh copy, before
    /// any build command ran) and the tools on `path`.
    init(plan: BuildPlan, cache: BuildCache?, appDirectory: URL, path: String, logger: Logger) {
        self.cache = cache
        self.appDirectory = appDirectory
        self.logger = logger
        keyed = cache == nil ? [] : plan.cache.map { entry in
            Keyed(entry: entry, key: BuildCacheKey(entry: entry, provider: plan.provider, appDirectory: appDirectory, path: path))
        }
    }

    /// Restores every entry the cache has, returning the commands that no longer need to run.
    /// Entries restored are not saved again.
    mutating func restore(output: BuildLog) async -> Set<String> {
        guard let cache else { return [] }
        var skipped: Set<String> = []
        var missing: [Keyed] = []
        for item in keyed {
            let entry = item.entry
            guard cache.contains(item.key) else {
                output.write("No cached dependency install for \(entry.name) (key \(item.key)…); it will be saved after it runs\n")
                missing.append(item)
                continue
            }
            do {
                try await cache.restore(entry, key: item.key, into: appDirectory)
                let unchanged = item.key.presentKeyFiles.isEmpty ? "" : ": \(item.key.presentKeyFiles.joined(separator: ", ")) unchanged"
                output.write("Reusing cached dependency install (\(entry.name)\(unchanged), key \(item.key)…)\n")
                skipped.formUnion(entry.commands)
            } catch {
                output.write("Could not restore the cached dependency install for \(entry.name) (\(error)); installing instead\n")
                logger.warning("build cache restore failed", metadata: ["build.cache.key": "\(item.key.hex)", "error": "\(error)"])
                for directory in entry.directories where BuildCachePath.isInside(appDirectory, directory) {
                    try? FileManager.default.removeItem(at: appDirectory.appendingPathComponent(directory))
                }
                missing.append(item)
            }
        }
        pending = missing
        return skipped
    }

    /// The entries still to save, each after the last of its commands (or, covering none, after
    /// the whole build).
    private(set) var pending: [Keyed] = []

    /// Saves the pending entries whose commands have all run once `commands[index]` succeeded.
    func saveCompleted(after index: Int, of commands: [String], output: BuildLog) async {
        guard let cache else { return }
        for item in pending where Self.lastCommand(of: item.entry, in: commands) == index {
            do {
                try await cache.save(item.entry, key: item.key, from: appDirectory)
                output.write("Saved the dependency install for \(item.entry.name) to the build cache (key \(item.key)…)\n")
            } catch {
                output.write("Could not save the dependency install for \(item.entry.name) to the build cache: \(error)\n")
                logger.warning("build cache save failed", metadata: ["build.cache.key": "\(item.key.hex)", "error": "\(error)"])
            }
        }
    }

    /// The index of the entry's last command in `commands`, or the last index when it covers none.
    static func lastCommand(of entry: BuildCacheEntry, in commands: [String]) -> Int {
        guard !entry.commands.isEmpty else { return commands.count - 1 }
        return commands.lastIndex { entry.commands.contains($0) } ?? commands.count - 1
    }
}
