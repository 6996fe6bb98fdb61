import Foundation
import JWTKit
import RailyardCore
import RailyardStore

/// Issues and verifies session tokens: HS256 JWTs keyed from the server secret, expiring after the
/// configured TTL.
struct SessionTokens: Sendable {
    /// The claims of a session token.
    struct Payload: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        /// Always "session": a token signed for another purpose never passes as a session.
        var typ: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard typ == "session" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not a session token") }
        }
    }

    private let keys: JWTKeyCollection
    let ttl: TimeInterval
    private let now: @Sendable () -> Date

    /// Session tokens signed with the secret's "jwt" key.
    init(secret: ServerSecret, ttl: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) async {
        self.keys = await JWTKeyCollection().add(hmac: HMACKey(key: secret.key(for: "jwt")), digestAlgorithm: .sha256)
        self.ttl = ttl
        self.now = now
    }

    /// A signed-in response for `user`: a fresh token and when it expires.
    func issue(for user: User) async throws -> AuthResponse {
        let issued = now()
        let expires = issued.addingTimeInterval(ttl)
        let payload = Payload(
            sub: SubjectClaim(value: user.id), exp: ExpirationClaim(value: expires),
            iat: IssuedAtClaim(value: issued), typ: "session"
        )
        let token = try await keys.sign(payload)
        return AuthResponse(token: token, expiresAt: expires.timeIntervalSince1970.rounded(.down), user: user)
    }

    /// The user id of a valid, unexpired session token; nil for anything else.
    func userId(from token: String) async -> String? {
        guard let payload = try? await keys.verify(token, as: Payload.self) else { return nil }
        return payload.sub.value
    }
}
