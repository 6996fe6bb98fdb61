import Foundation

/// A fresh folder under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(_ label: String = "railyard-build-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// Writes `files` (path → contents) under `folder` (default: the root); paths in `executable` get mode 0755.
    @discardableResult
    func write(_ files: [String: String], executable: Set<String> = [], in folder: String = "") throws -> URL {
        let base = folder.isEmpty ? url : url.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        for (path, contents) in files {
            let file = base.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: file)
            if executable.contains(path) {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
            }
        }
        return base
    }

    /// Every path under the folder, relative, sorted (symlinks not followed).
    func listing() -> [String] {
        Self.listing(of: url)
    }

    static func listing(of url: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: url.path) else { return [] }
        return (enumerator.allObjects as? [String] ?? []).sorted()
    }
}
