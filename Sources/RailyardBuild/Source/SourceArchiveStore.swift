import Crypto
import Foundation
import RailyardCore

/// Stores uploaded source archives content-addressed and extracts them safely.
///
/// Layout under `root`: `<sha256>.tar.gz` (the upload as received) and `<sha256>/` (its files).
/// An archive is read twice: first every header is validated without writing anything, then it is
/// extracted into a `.tmp-…` folder that is renamed into place, so a half-extracted snapshot never
/// exists under its digest.
public struct SourceArchiveStore: Sendable {
    /// The folder that holds the snapshots (`DATA/sources`).
    public let root: URL
    /// How large an archive may unpack to.
    public let limits: ArchiveLimits

    static let temporaryPrefix = ".tmp-"

    /// A store under `root` (created on first ingest).
    public init(root: URL) {
        self.init(root: root, limits: .default)
    }

    /// A store under `root` with custom size limits.
    public init(root: URL, limits: ArchiveLimits) {
        self.root = root
        self.limits = limits
    }

    /// Validates a gzip'd tar (the file at `archive`), stores it as `root/<sha256>.tar.gz` and
    /// extracts it to `root/<sha256>/`; idempotent when the digest is already there. Returns the
    /// lowercase hex SHA-256 of the archive bytes. A rejected archive throws
    /// `RailyardError(.invalidInput)` naming the entry and writes nothing.
    public func ingest(archive: URL) throws -> String {
        let digest = try Self.sha256(of: archive)
        let fileManager = FileManager.default
        let snapshot = directory(for: digest)
        if fileManager.fileExists(atPath: snapshot.path) {
            try storeArchive(archive, digest: digest, onlyIfMissing: true)
            return digest
        }
        let entries = try Self.validate(archive: archive, limits: limits)
        do {
            try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw RailyardError(.internal, "could not create the sources folder \(root.path): \(error)")
        }
        let temporary = root.appendingPathComponent("\(Self.temporaryPrefix)\(digest.prefix(16))-\(UUID().uuidString)")
        do {
            try fileManager.createDirectory(at: temporary, withIntermediateDirectories: false)
            try Self.extract(archive: archive, entries: entries, into: temporary, limits: limits)
            try storeArchive(archive, digest: digest, onlyIfMissing: false)
            if rename(temporary.path, snapshot.path) != 0 {
                // another ingest of the same bytes finished first; its snapshot is identical
                guard fileManager.fileExists(atPath: snapshot.path) else {
                    throw RailyardError(.internal, "could not move the extracted source into \(snapshot.path): \(String(cString: strerror(errno)))")
                }
                try? fileManager.removeItem(at: temporary)
            }
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
        return digest
    }

    /// The folder holding the extracted files of the snapshot `digest`.
    public func directory(for digest: String) -> URL {
        root.appendingPathComponent(digest, isDirectory: true)
    }

    /// The stored archive of the snapshot `digest`.
    public func archive(for digest: String) -> URL {
        root.appendingPathComponent("\(digest).tar.gz", isDirectory: false)
    }

    /// Removes extraction folders left behind by a process that stopped mid-ingest; call at startup.
    public func removeStaleTemporaries() throws {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: root.path) else { return }
        for name in names where name.hasPrefix(Self.temporaryPrefix) {
            try fileManager.removeItem(at: root.appendingPathComponent(name))
        }
    }

    private func storeArchive(_ archive: URL, digest: String, onlyIfMissing: Bool) throws {
        let fileManager = FileManager.default
        let destination = self.archive(for: digest)
        if onlyIfMissing && fileManager.fileExists(atPath: destination.path) { return }
        let temporary = root.appendingPathComponent("\(Self.temporaryPrefix)\(UUID().uuidString).tar.gz")
        do {
            try fileManager.copyItem(at: archive, to: temporary)
            guard rename(temporary.path, destination.path) == 0 else {
                throw RailyardError(.internal, "could not store the source archive at \(destination.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fileManager.removeItem(at: temporary)
            if let error = error as? RailyardError { throw error }
            throw RailyardError(.internal, "could not store the source archive at \(destination.path): \(error)")
        }
    }

    /// The lowercase hex SHA-256 of the file at `url`.
    static func sha256(of url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw RailyardError(.internal, "could not read the uploaded archive at \(url.path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
