/// A failure the CLI reports as one line, `error: <message>`, before exiting non-zero.
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sentence shown to the user: what went wrong and what to do.
    public var message: String

    /// An error with the sentence to show.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// The folder has no link.
    public static let notLinked = CLIError(
        "this folder is not linked to a project; run `railyard link --project NAME` or `railyard init --name NAME`"
    )

    /// No token is configured.
    public static func notLoggedIn(server: String) -> CLIError {
        CLIError("not logged in to \(server); run `railyard login --server \(server)` (or set RAILYARD_TOKEN)")
    }
}
