import Foundation
import JWTKit
import RailyardStore

/// The `state` of a GitHub sign-in: a short-lived token signed with the secret's "oauth-state" key,
/// so the callback can tell a redirect Railyard started from a forged one.
struct OAuthState: Sendable {
    struct Payload: JWTPayload {
        var exp: ExpirationClaim
        var nonce: String
        var typ: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard typ == "github-oauth" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "wrong purpose") }
        }
    }

    /// How long a sign-in may take between redirect and callback.
    static let lifetime: TimeInterval = 10 * 60

    private let keys: JWTKeyCollection

    init(secret: ServerSecret) async {
        self.keys = await JWTKeyCollection().add(hmac: HMACKey(key: secret.key(for: "oauth-state")), digestAlgorithm: .sha256)
    }

    /// A new signed state valid for ten minutes.
    func make() async throws -> String {
        let nonce = Array(SystemRandomNumberGenerator.randomBytes(16)).hexString
        return try await keys.sign(Payload(exp: ExpirationClaim(value: Date().addingTimeInterval(Self.lifetime)), nonce: nonce, typ: "github-oauth"))
    }

    /// Whether `state` was made by ``make()`` and has not expired.
    func isValid(_ state: String) async -> Bool {
        (try? await keys.verify(state, as: Payload.self)) != nil
    }
}
