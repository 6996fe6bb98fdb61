import Foundation
import RailyardCore

/// How to reach a running database as its owner: its replica's address and the credentials of its
/// variables.
public struct DatabaseEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String

    public init(host: String, port: Int, user: String, password: String, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// The endpoint from a database service's resolved variables; nil when one is missing.
    public static func from(_ variables: [String: String], engine: DatabaseEngine, host: String, port: Int) -> DatabaseEndpoint? {
        let names: (user: String, password: String, database: String?) = switch engine {
        case .postgres: ("PGUSER", "PGPASSWORD", "PGDATABASE")
        case .redis: ("REDISUSER", "REDISPASSWORD", nil)
        case .mysql: ("MYSQLUSER", "MYSQLPASSWORD", "MYSQLDATABASE")
        case .mongo: ("MONGOUSER", "MONGOPASSWORD", nil)
        }
        guard let user = variables[names.user], let password = variables[names.password] else { return nil }
        return DatabaseEndpoint(host: host, port: port, user: user, password: password, database: names.database.flatMap { variables[$0] } ?? "")
    }
}

/// The host programs' command lines that dump a running database to a file and load one back.
/// Passwords go in each tool's environment variable (or, for MongoDB, a 0600 config file the caller
/// writes), never in arguments.
public struct DatabaseDump: Sendable {
    public let engine: DatabaseEngine
    public let programs: DatabasePrograms

    public init(engine: DatabaseEngine, programs: DatabasePrograms) {
        self.engine = engine
        self.programs = programs
    }

    /// A command: its argv (absolute program first) and the variables it needs.
    public struct Command: Sendable, Equatable {
        public var arguments: [String]
        public var environment: [String: String]
    }

    /// The backup file's extension.
    public var fileExtension: String {
        switch engine {
        case .postgres: "dump"
        case .redis: "rdb"
        case .mysql: "sql"
        case .mongo: "archive"
        }
    }

    /// Whether a restore loads the file into the running server (else the file replaces the data on
    /// the volume while the server is stopped: Redis's RDB).
    public var restoresOnline: Bool { engine != .redis }

    /// Dumps the database at `endpoint` to `file`. `secretFile` is where MongoDB's tools read the
    /// password from (the caller writes it, 0600).
    public func dump(_ endpoint: DatabaseEndpoint, to file: String, secretFile: String) -> Command {
        let program = { (role: String, fallback: String) in programs[role] ?? fallback }
        switch engine {
        case .postgres:
            return Command(
                arguments: [program("dump", "pg_dump"), "--format=custom", "--host", endpoint.host, "--port", "\(endpoint.port)",
                    "--username", endpoint.user, "--dbname", endpoint.database, "--file", file],
                environment: ["PGPASSWORD": endpoint.password]
            )
        case .mysql:
            return Command(
                arguments: [program("dump", "mysqldump"), "--protocol=TCP", "--host", endpoint.host, "--port", "\(endpoint.port)",
                    "--user", endpoint.user, "--single-transaction", "--routines", "--triggers", "--events",
                    "--result-file", file, endpoint.database],
                environment: ["MYSQL_PWD": endpoint.password]
            )
        case .redis:
            // The server's own RDB, sent as to a replica: a consistent point-in-time copy.
            return Command(
                arguments: [program("client", "redis-cli"), "-h", endpoint.host, "-p", "\(endpoint.port)", "--user", endpoint.user,
                    "--rdb", file],
                environment: ["REDISCLI_AUTH": endpoint.password]
            )
        case .mongo:
            return Command(
                arguments: [program("dump", "mongodump"), "--host", endpoint.host, "--port", "\(endpoint.port)", "--username", endpoint.user,
                    "--authenticationDatabase", "admin", "--config", secretFile, "--archive=\(file)"],
                environment: [:]
            )
        }
    }

    /// Loads `file` into the running database at `endpoint`, replacing what the backup holds
    /// (PostgreSQL in one transaction: all of it or nothing). Nil for Redis (see ``restoresOnline``).
    public func restore(_ endpoint: DatabaseEndpoint, from file: String, secretFile: String) -> Command? {
        let program = { (role: String, fallback: String) in programs[role] ?? fallback }
        switch engine {
        case .postgres:
            return Command(
                arguments: [program("restore", "pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    "--host", endpoint.host, "--port", "\(endpoint.port)", "--username", endpoint.user, "--dbname", endpoint.database, file],
                environment: ["PGPASSWORD": endpoint.password]
            )
        case .mysql:
            return Command(
                arguments: [program("client", "mysql"), "--protocol=TCP", "--host", endpoint.host, "--port", "\(endpoint.port)",
                    "--user", endpoint.user, "--database", endpoint.database, "--execute", "source \(file)"],
                environment: ["MYSQL_PWD": endpoint.password]
            )
        case .redis:
            return nil
        case .mongo:
            return Command(
                arguments: [program("restore", "mongorestore"), "--host", endpoint.host, "--port", "\(endpoint.port)",
                    "--username", endpoint.user, "--authenticationDatabase", "admin", "--config", secretFile, "--drop",
                    "--archive=\(file)"],
                environment: [:]
            )
        }
    }

    /// What MongoDB's tools read the password from (`--config`).
    public static func mongoSecret(_ password: String) -> String {
        "password: \"\(password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"\n"
    }
}
