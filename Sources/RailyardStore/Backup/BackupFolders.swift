import Foundation

/// The folders of the data dir a backup carries besides the database and the key.
enum BackupFolders {
    /// `tls/`: the local CA (developers trust it) and custom domains' certificates and keys.
    static let kept = ["tls"]

    /// Whether a relative path lies inside a kept folder and cannot climb out of the data dir.
    static func isKept(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, let first = parts.first, kept.contains(String(first)) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Every regular file under the kept folders of `dataDirectory` (symlinks and anything else are
    /// left out), by relative path.
    static func read(from dataDirectory: URL) throws -> [BackupFileEntry] {
        var entries: [BackupFileEntry] = []
        let manager = FileManager.default
        for folder in kept {
            let root = dataDirectory.appendingPathComponent(folder, isDirectory: true)
            guard let walker = manager.enumerator(atPath: root.path) else { continue }
            for case let relative as String in walker.allObjects {
                let path = root.appendingPathComponent(relative).path
                let attributes = try manager.attributesOfItem(atPath: path)
                guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                let mode = (attributes[.posixPermissions] as? Int) ?? 0o600
                entries.append(BackupFileEntry(path: "\(folder)/\(relative)", mode: mode & 0o777, data: data.base64EncodedString()))
            }
        }
        return entries.sorted { $0.path < $1.path }
    }
}
