/// The rules for names and values a user gives, each throwing a ``RailyardError`` that names the
/// field and says what a valid value looks like. Used by the server before anything is stored.
public enum Validation {
    /// Longest project description, in characters.
    public static let maxDescriptionLength = 1_000
    /// Longest variable name.
    public static let maxVariableKeyLength = 256
    /// Largest variable value, in UTF-8 bytes (Railway's limit is 32 KiB too).
    public static let maxVariableValueBytes = 32 * 1024
    /// Most variables set or deleted in one request.
    public static let maxVariablesPerRequest = 500
    /// Shortest password, in characters.
    public static let minPasswordLength = 8
    /// Longest password, in UTF-8 bytes: bcrypt reads no further.
    public static let maxPasswordBytes = 72

    /// A DNS label: 1–63 of a–z, 0–9 and `-`, not starting or ending with `-`.
    /// Names of projects, environments and services become parts of host names, so they must be one.
    public static func dnsLabel(_ value: String, field: String) throws(RailyardError) {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else {
            throw .invalid(field, "\(field) must not be empty")
        }
        guard bytes.count <= 63 else {
            throw .invalid(field, "\(field) must be at most 63 characters (got \(bytes.count))")
        }
        let allowed = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard allowed, bytes.first != 0x2D, bytes.last != 0x2D else {
            throw .invalid(
                field,
                "\(field) '\(value)' must use only lowercase letters, digits and '-', and must not start or end with '-'"
            )
        }
    }

    /// A free-text description of bounded length.
    public static func description(_ value: String, field: String = "description") throws(RailyardError) {
        guard value.count <= maxDescriptionLength else {
            throw .invalid(field, "\(field) must be at most \(maxDescriptionLength) characters (got \(value.count))")
        }
    }

    /// A variable name as a shell would accept it: a letter or `_`, then letters, digits or `_`.
    public static func variableKey(_ key: String) throws(RailyardError) {
        let bytes = Array(key.utf8)
        guard let first = bytes.first else {
            throw .invalid("key", "variable name must not be empty")
        }
        guard bytes.count <= maxVariableKeyLength else {
            throw .invalid("key", "variable name must be at most \(maxVariableKeyLength) characters")
        }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        guard isLetter(first), bytes.allSatisfy({ isLetter($0) || isDigit($0) }) else {
            throw .invalid(
                "key",
                "variable name '\(key)' must start with a letter or '_' and use only letters, digits and '_'"
            )
        }
    }

    /// A variable value of bounded size, without NUL bytes (a process environment cannot hold them).
    public static func variableValue(_ value: String, key: String) throws(RailyardError) {
        guard value.utf8.count <= maxVariableValueBytes else {
            throw .invalid("value", "value of \(key) must be at most \(maxVariableValueBytes) bytes")
        }
        guard !value.utf8.contains(0) else {
            throw .invalid("value", "value of \(key) must not contain NUL characters")
        }
    }

    /// A plausible email address: something@something.something, no spaces, at most 254 characters.
    public static func email(_ value: String) throws(RailyardError) {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let valid = value.count <= 254 && parts.count == 2 && !parts[0].isEmpty
            && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !value.contains(where: { $0.isWhitespace })
        guard valid else {
            throw .invalid("email", "email '\(value)' is not a valid address (expected name@example.com)")
        }
    }

    /// A password bcrypt can hash in full: 8 characters to 72 bytes.
    public static func password(_ value: String) throws(RailyardError) {
        guard value.count >= minPasswordLength else {
            throw .invalid("password", "password must be at least \(minPasswordLength) characters")
        }
        guard value.utf8.count <= maxPasswordBytes else {
            throw .invalid("password", "password must be at most \(maxPasswordBytes) bytes")
        }
    }

    /// A short human label (token names, display names): 1–100 characters.
    public static func label(_ value: String, field: String) throws(RailyardError) {
        guard !value.allSatisfy(\.isWhitespace) else { throw .invalid(field, "\(field) must not be empty") }
        guard value.count <= 100 else { throw .invalid(field, "\(field) must be at most 100 characters") }
    }
}
