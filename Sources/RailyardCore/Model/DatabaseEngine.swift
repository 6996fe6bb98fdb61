import Foundation

/// A database Railyard runs as a service of its own (`railyard add --database …`): the real server
/// program of the host, on a volume, with Railway's variable names.
public enum DatabaseEngine: String, Codable, Sendable, CaseIterable {
    case postgres
    case redis
    case mysql
    case mongo

    /// How people call it.
    public var displayName: String {
        switch self {
        case .postgres: "PostgreSQL"
        case .redis: "Redis"
        case .mysql: "MySQL (MariaDB)"
        case .mongo: "MongoDB"
        }
    }

    /// The service name `railyard add` picks when none is given (lowercase: a DNS label), so
    /// references read `${{Postgres.DATABASE_URL}}` as on Railway (names match in any case).
    public var defaultServiceName: String { rawValue }

    /// The port the server listens on inside its replica (its own network address), as on Railway.
    public var port: Int {
        switch self {
        case .postgres: 5432
        case .redis: 6379
        case .mysql: 3306
        case .mongo: 27017
        }
    }

    /// The variable holding the private connection URL others reference.
    public var urlVariable: String {
        switch self {
        case .postgres: "DATABASE_URL"
        case .redis: "REDIS_URL"
        case .mysql: "MYSQL_URL"
        case .mongo: "MONGO_URL"
        }
    }

    /// The variable holding the URL through the TCP proxy, set once the service has one.
    public var publicURLVariable: String {
        switch self {
        case .postgres: "DATABASE_PUBLIC_URL"
        case .redis: "REDIS_PUBLIC_URL"
        case .mysql: "MYSQL_PUBLIC_URL"
        case .mongo: "MONGO_PUBLIC_URL"
        }
    }

    /// The engines, for messages: "postgres, redis, mysql or mongo".
    public static var choices: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// Parses a user's word for an engine (`postgresql`, `pg`, `mariadb`, `mongodb` too).
    public init(parsing text: String) throws(RailyardError) {
        switch text.lowercased() {
        case "postgres", "postgresql", "pg": self = .postgres
        case "redis": self = .redis
        case "mysql", "mariadb": self = .mysql
        case "mongo", "mongodb": self = .mongo
        default:
            throw .invalid("engine", "'\(text)' is not a database Railyard runs; choose \(Self.choices)")
        }
    }
}

/// `POST /api/v1/projects/{projectId}/databases`: adds a database service and deploys it.
public struct CreateDatabaseRequest: Codable, Sendable {
    /// `postgres`, `redis`, `mysql` or `mongo`.
    public var engine: String
    /// The service's name (default: the engine's, e.g. `postgres`).
    public var name: String?
    /// The environment to deploy it in first (default: the project's `production`).
    public var environmentId: String?
    /// Also expose it through a TCP proxy (for clients outside, and `railyard connect`).
    public var tcpProxy: Bool?

    public init(engine: String, name: String? = nil, environmentId: String? = nil, tcpProxy: Bool? = nil) {
        self.engine = engine
        self.name = name
        self.environmentId = environmentId
        self.tcpProxy = tcpProxy
    }
}

/// What `POST …/databases` answers: the service, its first deployment (QUEUED) and the names of
/// the variables it provides.
public struct CreatedDatabase: Codable, Sendable {
    public var service: Service
    public var deployment: Deployment
    public var variables: [String]
    /// The TCP proxy, when one was asked for.
    public var tcpProxy: ServiceTCPProxy?

    public init(service: Service, deployment: Deployment, variables: [String], tcpProxy: ServiceTCPProxy?) {
        self.service = service
        self.deployment = deployment
        self.variables = variables
        self.tcpProxy = tcpProxy
    }
}
