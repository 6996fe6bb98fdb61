import Crypto
import Foundation

/// Makes and hashes API tokens: `ry_` + 32 random bytes in base64url; only the SHA-256 hex hash and
/// the first 8 characters are stored.
enum APITokenSecret {
    /// What every API token starts with, so the server (and secret scanners) can tell them apart.
    static let marker = "ry_"

    /// A new random token.
    static func generate() -> String {
        let encoded = Data(SystemRandomNumberGenerator.randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return marker + encoded
    }

    /// The hash stored in place of the token.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).hexString
    }

    /// The part shown in token lists.
    static func prefix(_ token: String) -> String {
        String(token.prefix(8))
    }
}

extension SystemRandomNumberGenerator {
    /// `count` bytes from the system's secure random source.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
