import Crypto
import Foundation
import RailyardCore

/// Seals variable values with AES-256-GCM under a key derived from the server secret.
///
/// The row's identity (environment, scope, key) is bound in as associated data, so a sealed value
/// copied onto another row does not open. Stored form: `v1:` + base64(nonce ‖ ciphertext ‖ tag).
struct VariableSealer: Sendable {
    private let key: SymmetricKey

    init(secret: ServerSecret) {
        self.key = secret.key(for: "variables")
    }

    func seal(_ value: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(value.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw RailyardError(.internal, "sealing produced no output") }
        return "v1:" + combined.base64EncodedString()
    }

    func open(_ sealed: String, context: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw RailyardError(.internal, "a stored variable is not in a known sealed format")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw RailyardError(
                .internal,
                "a stored variable cannot be opened with this server's secret key; was secret.key or RAILYARD_SECRET_KEY changed?"
            )
        }
    }

    /// The associated data for a variable row.
    static func context(environmentId: String, serviceId: String?, key: String) -> String {
        "\(environmentId)/\(serviceId ?? "shared")/\(key)"
    }
}
