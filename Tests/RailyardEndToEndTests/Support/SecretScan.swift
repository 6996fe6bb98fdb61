import Foundation

/// Searches files' raw bytes for a secret, to prove it is not stored in plain text.
enum SecretScan {
    /// Every regular file under `directory` (recursively, hidden files and SQLite -wal/-shm included).
    static func files(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// The files under `directory` whose bytes contain `secret`.
    static func filesContaining(_ secret: String, under directory: String) throws -> [String] {
        try files(under: directory).filter { try contains(secret, inFile: $0) }
    }

    /// Whether a file's bytes contain `secret`'s UTF-8 bytes.
    static func contains(_ secret: String, inFile path: String) throws -> Bool {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.range(of: Data(secret.utf8)) != nil
    }

    /// A random string of letters and digits.
    static func randomValue(length: Int = 24) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
