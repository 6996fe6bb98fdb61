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
        /// Where the callback hands the session: nil answers JSON (API clients); `dashboard` a page
        /// that gives the token to the dashboard. A fixed set, so the state cannot name a site.
        var next: String?

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

    /// A new signed state valid for ten minutes; `next` says where the callback hands the session.
    func make(next: String? = nil) async throws -> String {
        let nonce = Array(SystemRandomNumberGenerator.randomBytes(16)).hexString
        return try await keys.sign(Payload(
            exp: ExpirationClaim(value: Date().addingTimeInterval(Self.lifetime)), nonce: nonce, typ: "github-oauth", next: next
        ))
    }

    /// Whether `state` was made by ``make(next:)`` and has not expired.
    func isValid(_ state: String) async -> Bool {
        await payload(state) != nil
    }

    /// The state's claims, when it was made by ``make(next:)`` and has not expired.
    func payload(_ state: String) async -> Payload? {
        try? await keys.verify(state, as: Payload.self)
    }
}
