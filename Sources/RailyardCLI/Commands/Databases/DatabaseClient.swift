import Foundation
import RailyardCore

/// The command line of a database's own client (psql, redis-cli, mysql, mongosh) for a connection
/// URL. The password travels in the client's environment variable, never in its arguments, where
/// other users of the machine could read it.
struct DatabaseClient: Equatable {
    var arguments: [String]
    var environment: [String: String]

    /// The client of `engine` connected to `url` (`scheme://user:password@host:port/database`).
    static func command(_ engine: DatabaseEngine, url: String) throws -> DatabaseClient {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty, let port = parts.port else {
            throw CLIError("the database's URL '\(Self.masked(url))' has no host and port; check its variables with `railyard variables --reveal`")
        }
        let user = parts.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ""
        let password = parts.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? ""
        let database = String(parts.path.drop(while: { $0 == "/" }))
        switch engine {
        case .postgres:
            var environment = ["PGHOST": host, "PGPORT": "\(port)", "PGUSER": user, "PGPASSWORD": password]
            if !database.isEmpty { environment["PGDATABASE"] = database }
            return DatabaseClient(arguments: ["psql"], environment: environment)
        case .redis:
            var arguments = ["redis-cli", "-h", host, "-p", "\(port)"]
            if !user.isEmpty { arguments += ["--user", user] }
            return DatabaseClient(arguments: arguments, environment: password.isEmpty ? [:] : ["REDISCLI_AUTH": password])
        case .mysql:
            var arguments = ["mysql", "-h", host, "-P", "\(port)", "-u", user]
            if !database.isEmpty { arguments.append(database) }
            return DatabaseClient(arguments: arguments, environment: password.isEmpty ? [:] : ["MYSQL_PWD": password])
        case .mongo:
            // mongosh reads no password variable; the URL is its one way in.
            return DatabaseClient(arguments: ["mongosh", url], environment: [:])
        }
    }

    /// The Debian package that provides a client, for the error when it is missing.
    static func package(of engine: DatabaseEngine) -> String {
        switch engine {
        case .postgres: "postgresql-client"
        case .redis: "redis-tools"
        case .mysql: "mariadb-client"
        case .mongo: "mongodb-mongosh (from MongoDB's repository)"
        }
    }

    /// A URL with its password replaced, for messages.
    static func masked(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "****"
        return parts.string ?? url
    }
}
