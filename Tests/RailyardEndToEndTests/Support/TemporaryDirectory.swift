import Foundation

/// A fresh directory under the system temp dir (or `parent`), removed by ``remove()``.
struct TemporaryDirectory: Sendable {
    let path: String

    init(_ prefix: String = "railyard-e2e", in parent: String? = nil) throws {
        path = (parent.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory)
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A sub-directory, created.
    func subdirectory(_ name: String) throws -> String {
        let sub = path + "/" + name
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        return sub
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
