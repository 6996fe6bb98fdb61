import Foundation
import RailyardCore

/// Where the control plane's state lives: a SQLite file (the embedded default) or a PostgreSQL database.
public enum StoreLocation: Sendable, Equatable {
    /// The SQLite file name inside the data dir.
    public static let sqliteFileName = "railyard.db"

    case sqlite(path: String)
    case postgres(url: String)

    /// The location for a `--database-url` (nil → SQLite in the data dir).
    public static func resolve(databaseURL: String?, dataDirectory: URL) throws -> StoreLocation {
        guard let databaseURL, !databaseURL.isEmpty else {
            return .sqlite(path: dataDirectory.appendingPathComponent(sqliteFileName).path)
        }
        if databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") {
            _ = try PostgresURL(databaseURL)
            return .postgres(url: databaseURL)
        }
        if databaseURL.hasPrefix("sqlite://") {
            return .sqlite(path: String(databaseURL.dropFirst("sqlite://".count)))
        }
        throw RailyardError.invalid(
            "database-url",
            "--database-url must start with postgres:// or postgresql:// (or sqlite:// for a file); leave it out to use SQLite in the data dir"
        )
    }

    /// A description safe to log: the password of a PostgreSQL URL is hidden.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return (try? PostgresURL(url).redacted) ?? "postgres://…"
        }
    }
}

/// A parsed `postgres://user:password@host:port/database?sslmode=…` URL.
struct PostgresURL: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var requireTLS: Bool

    init(_ url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw RailyardError.invalid(
                "database-url",
                "--database-url is not a valid PostgreSQL URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            )
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.drop(while: { $0 == "/" })
        self.database = path.isEmpty ? nil : String(path)
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(sslmode)
    }

    var redacted: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database ?? "")"
    }
}
