import Crypto
import Foundation
import RailyardStore

/// The per-service secret of GitHub push webhooks and the check of `X-Hub-Signature-256`.
///
/// A service's secret is not stored: it is HMAC-SHA256(the server key for `github-webhook`, service
/// id), hex. It is fixed for the service's life, differs between services and servers, and cannot be
/// guessed without the server's secret key.
struct WebhookSignature: Sendable {
    /// The header GitHub sends the signature in.
    static let header = "X-Hub-Signature-256"
    private let key: SymmetricKey

    /// Secrets derived from `secret`'s `github-webhook` key.
    init(secret: ServerSecret) {
        self.key = secret.key(for: "github-webhook")
    }

    /// Secrets derived from `key` directly (tests).
    init(key: SymmetricKey) {
        self.key = key
    }

    /// The webhook secret of service `serviceId`: 64 lowercase hex characters.
    func secret(serviceId: String) -> String {
        Array(HMAC<SHA256>.authenticationCode(for: Data(serviceId.utf8), using: key)).hexString
    }

    /// Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`, compared in
    /// constant time. A missing or malformed header is not valid.
    static func isValid(_ header: String?, body: Data, secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), let given = [UInt8](hex: header.dropFirst("sha256=".count)), given.count == 32
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    /// The `sha256=<hex>` header for `body` signed with `secret`, as GitHub computes it.
    static func sign(_ body: Data, secret: String) -> String {
        "sha256=" + Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))).hexString
    }
}
