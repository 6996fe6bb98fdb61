import Crypto
import Foundation
import RailyardCore

/// The server's one secret, from which every key it uses is derived (variable sealing, session
/// tokens, OAuth state): `RAILYARD_SECRET_KEY` if set, else `secret.key` in the data dir, created
/// on first start with mode 0600.
public struct ServerSecret: Sendable {
    /// Name of the key file inside the data dir.
    public static let fileName = "secret.key"
    /// The environment variable that overrides the key file.
    public static let environmentVariable = "RAILYARD_SECRET_KEY"

    let material: SymmetricKey

    /// A secret from raw key material (tests, or a key already read).
    public init(material: SymmetricKey) {
        self.material = material
    }

    /// Reads the secret from the environment or the data dir, creating the key file if neither has one.
    public static func load(
        dataDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServerSecret {
        if let existing = try existing(dataDirectory: dataDirectory, environment: environment) { return existing }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        do {
            try writeKeyFile(key, in: dataDirectory)
        } catch is KeyFileExists {
            // Two servers starting at once: use the key the other one wrote.
            return try load(dataDirectory: dataDirectory, environment: environment)
        }
        return ServerSecret(material: key)
    }

    /// The secret the environment or the data dir already has, or nil when neither has one; never
    /// creates a key (a backup must not invent one).
    static func existing(dataDirectory: URL, environment: [String: String]) throws -> ServerSecret? {
        if let value = environment[environmentVariable], !value.isEmpty {
            guard value.utf8.count >= 32 else {
                throw RailyardError(
                    .notConfigured,
                    "\(environmentVariable) must be at least 32 characters; generate one with `openssl rand -base64 32`"
                )
            }
            return ServerSecret(material: SymmetricKey(data: Data(value.utf8)))
        }
        let path = dataDirectory.appendingPathComponent(fileName).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count >= 32 else {
            throw RailyardError(
                .notConfigured,
                "\(path) is not a valid key file (expected 32+ base64 bytes); restore it from a backup — without it sealed variables cannot be read"
            )
        }
        return ServerSecret(material: SymmetricKey(data: data))
    }

    /// The key file already exists (another start wrote it first).
    struct KeyFileExists: Error {}

    /// Writes `material` as `name` in `directory` (default the key file): base64, mode 0600 from
    /// the start (never world-readable, even for a moment), `O_EXCL` so that two writers cannot each
    /// write a different key, and synced before it returns.
    static func writeKeyFile(_ material: SymmetricKey, in directory: URL, name: String = fileName) throws {
        let path = directory.appendingPathComponent(name).path
        let encoded = material.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw KeyFileExists() }
            throw RailyardError(.internal, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = encoded.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == encoded.utf8.count, fsync(fd) == 0 else {
            throw RailyardError(.internal, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A 256-bit key for one purpose (e.g. "variables", "jwt"), derived with HKDF-SHA256 so that no two
    /// uses share a key.
    public func key(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material,
            salt: Data("railyard".utf8),
            info: Data(purpose.utf8),
            outputByteCount: 32
        )
    }

    /// The derived key's bytes, for libraries that take raw bytes (JWT HMAC).
    public func keyBytes(for purpose: String) -> [UInt8] {
        key(for: purpose).withUnsafeBytes { Array($0) }
    }
}
