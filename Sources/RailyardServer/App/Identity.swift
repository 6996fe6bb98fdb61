import RailyardCore

/// Who a request is from, and how they proved it.
public struct Identity: Sendable {
    /// How the caller authenticated.
    public enum Method: Sendable, Equatable {
        /// A session JWT from sign-up, login or GitHub.
        case session
        /// A long-lived API token, named by its displayed prefix.
        case apiToken(prefix: String)
    }

    /// The signed-in user.
    public var user: User
    /// The credential they used.
    public var method: Method

    /// An identity for `user` proven by `method`.
    public init(user: User, method: Method) {
        self.user = user
        self.method = method
    }
}
