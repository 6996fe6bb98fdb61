import Crypto
import Foundation
import RailyardCore

extension SourceArchiveStore {
    /// Stores files Railyard generated (a database service's start script) as a snapshot, addressed
    /// by the SHA-256 of their names and contents; idempotent. There is no archive for such a
    /// snapshot: it is made again from its template when needed. `files` maps a plain file name
    /// (no folders) to its text.
    public func ingest(generated files: [String: String]) throws -> String {
        var hasher = SHA256()
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw RailyardError(.internal, "a generated source file must have a plain name, not '\(name)'")
            }
            hasher.update(data: Data("\(name)\u{0}\(text.utf8.count)\u{0}".utf8))
            hasher.update(data: Data(text.utf8))
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let fileManager = FileManager.default
        let snapshot = directory(for: digest)
        if fileManager.fileExists(atPath: snapshot.path) { return digest }
        let temporary = root.appendingPathComponent("\(Self.temporaryPrefix)\(digest.prefix(16))-\(UUID().uuidString)")
        do {
            try fileManager.createDirectory(at: temporary, withIntermediateDirectories: true)
            for (name, text) in files {
                try Data(text.utf8).write(to: temporary.appendingPathComponent(name))
            }
            if rename(temporary.path, snapshot.path) != 0 {
                guard fileManager.fileExists(atPath: snapshot.path) else {
                    throw RailyardError(.internal, "could not move the generated source into \(snapshot.path): \(String(cString: strerror(errno)))")
                }
                try? fileManager.removeItem(at: temporary)
            }
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
        return digest
    }
}
