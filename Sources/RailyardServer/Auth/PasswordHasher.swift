import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing and checking, run on NIO's thread pool so a slow hash never blocks an event loop.
struct PasswordHasher: Sendable {
    /// The bcrypt cost of new hashes.
    let cost: UInt8

    /// A hash of a dummy password, checked when an email is unknown so that answering "no such user"
    /// takes as long as "wrong password".
    private let decoyHash: String

    init(cost: Int) {
        self.cost = UInt8(clamping: min(max(cost, 4), 31))
        self.decoyHash = Bcrypt.hash("railyard-decoy-password", cost: self.cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash, spends the same time and says no.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && matches
    }
}
