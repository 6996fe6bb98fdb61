import RailyardCore

/// What a ``RailyardClient`` call throws: the server's ``RailyardError`` with the HTTP status it came
/// with, or a client-side failure (server unreachable, unreadable answer) with no status.
public struct RailyardClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status the server answered with; nil when no answer arrived.
    public var status: Int?
    /// The error as the server (or the client, for local failures) describes it.
    public var error: RailyardError

    /// Wraps an error with the status it arrived with.
    public init(status: Int?, error: RailyardError) {
        self.status = status
        self.error = error
    }

    /// The error's stable code.
    public var code: RailyardError.Code { error.code }
    /// The sentence a person can act on.
    public var message: String { error.message }
    public var description: String { error.description }

    /// The server could not be reached at all.
    public static let unreachableCode = RailyardError.Code(rawValue: "unreachable")
    /// The server answered with something that is not the expected JSON.
    public static let badResponseCode = RailyardError.Code(rawValue: "bad_response")

    /// The server at `baseURL` did not answer.
    static func unreachable(_ baseURL: String, _ underlying: any Error) -> RailyardClientError {
        RailyardClientError(
            status: nil,
            error: RailyardError(
                unreachableCode,
                "cannot reach Railyard at \(baseURL): \(underlying); check the URL and that `railyard server` is running"
            )
        )
    }
}
