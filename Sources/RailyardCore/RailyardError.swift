/// An error a person can act on: a stable machine code, a sentence saying what to fix, and the
/// request field it is about. The server turns it into `{"error": {"code", "message", "field"}}`
/// and the client turns that body back into this value.
public struct RailyardError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// A stable machine-readable code; new codes can be added without breaking callers.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request is malformed or a field fails validation.
        public static let invalidInput = Code(rawValue: "invalid_input")
        /// No credentials, or credentials that are wrong or expired.
        public static let unauthorized = Code(rawValue: "unauthorized")
        /// The caller can see the thing but lacks the permission for this action.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The thing does not exist, or the caller may not know it exists.
        public static let notFound = Code(rawValue: "not_found")
        /// The request clashes with what is stored (a taken name, a duplicate member).
        public static let conflict = Code(rawValue: "conflict")
        /// The request body is larger than the route accepts.
        public static let tooLarge = Code(rawValue: "payload_too_large")
        /// Too many requests from this client; retry later.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// The server needs configuration it does not have (e.g. GitHub sign-in without a client id).
        public static let notConfigured = Code(rawValue: "not_configured")
        /// A service Railyard depends on (GitHub, the database) failed.
        public static let upstream = Code(rawValue: "upstream_failed")
        /// Something went wrong inside Railyard.
        public static let `internal` = Code(rawValue: "internal_error")
    }

    public var code: Code
    public var message: String
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        if let field { return "\(message) (field: \(field))" }
        return message
    }

    /// A validation failure on one field.
    public static func invalid(_ field: String, _ message: String) -> RailyardError {
        RailyardError(.invalidInput, message, field: field)
    }

    /// A missing thing, named so the message says what was not found.
    public static func notFound(_ what: String) -> RailyardError {
        RailyardError(.notFound, "\(what) not found")
    }
}
