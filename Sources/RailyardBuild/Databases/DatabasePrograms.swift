import Foundation
import RailyardCore

/// Where the host's database server programs are. A database service runs what the server finds
/// here (the sandbox shows the host's /usr read-only); one that is missing is an error naming the
/// package to install.
public struct DatabasePrograms: Sendable, Equatable {
    /// Absolute paths by role: `server`, `init` (creates a data folder), `client`, `dump`, `restore`.
    public var paths: [String: String]

    public init(paths: [String: String]) {
        self.paths = paths
    }

    public subscript(_ role: String) -> String? { paths[role] }

    /// Folders searched besides `PATH`: the server programs live in sbin on Debian.
    static let extraFolders = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The programs `engine` needs, looked up in `path` (a `PATH` value) and the usual folders, and
    /// PostgreSQL in its newest `/usr/lib/postgresql/<version>/bin`. `isExecutable` and `listFolder`
    /// are the filesystem, injected for tests.
    public static func find(
        _ engine: DatabaseEngine, path: String = ProcessInfo.processInfo.environment["PATH"] ?? "",
        isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) },
        listFolder: (String) -> [String] = { (try? FileManager.default.contentsOfDirectory(atPath: $0)) ?? [] }
    ) throws(RailyardError) -> DatabasePrograms {
        let folders = path.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") } + extraFolders
        func lookup(_ names: [String]) -> String? {
            for folder in folders {
                for name in names where isExecutable("\(folder)/\(name)") { return "\(folder)/\(name)" }
            }
            return nil
        }
        switch engine {
        case .postgres:
            let versions = listFolder("/usr/lib/postgresql").compactMap(Int.init).sorted(by: >)
            guard let bin = versions.map({ "/usr/lib/postgresql/\($0)/bin" }).first(where: { isExecutable("\($0)/postgres") && isExecutable("\($0)/initdb") })
            else { throw missing(engine, install: "Debian's postgresql-15 (apt-get install -y postgresql-15)") }
            return DatabasePrograms(paths: [
                "server": "\(bin)/postgres", "init": "\(bin)/initdb", "client": lookup(["psql"]) ?? "\(bin)/psql",
                "dump": "\(bin)/pg_dump", "restore": "\(bin)/pg_restore",
            ])
        case .redis:
            guard let server = lookup(["redis-server"]) else {
                throw missing(engine, install: "Debian's redis-server (apt-get install -y redis-server)")
            }
            return DatabasePrograms(paths: ["server": server, "client": lookup(["redis-cli"]) ?? "redis-cli"])
        case .mysql:
            guard let server = lookup(["mariadbd", "mysqld"]), let initialise = lookup(["mariadb-install-db", "mysql_install_db"]) else {
                throw missing(engine, install: "Debian's mariadb-server (apt-get install -y mariadb-server)")
            }
            return DatabasePrograms(paths: [
                "server": server, "init": initialise, "client": lookup(["mariadb", "mysql"]) ?? "mysql",
                "admin": lookup(["mariadb-admin", "mysqladmin"]) ?? "mysqladmin", "dump": lookup(["mariadb-dump", "mysqldump"]) ?? "mysqldump",
            ])
        case .mongo:
            guard let server = lookup(["mongod"]), let shell = lookup(["mongosh", "mongo"]) else {
                throw missing(
                    engine,
                    install: "mongod and mongosh from MongoDB's own apt repository (packages mongodb-org-server and mongodb-mongosh; Debian has none)"
                )
            }
            return DatabasePrograms(paths: [
                "server": server, "client": shell, "dump": lookup(["mongodump"]) ?? "mongodump", "restore": lookup(["mongorestore"]) ?? "mongorestore",
            ])
        }
    }

    private static func missing(_ engine: DatabaseEngine, install: String) -> RailyardError {
        .invalid("engine", "\(engine.displayName) is not installed on this Railyard server: install \(install), then add the database again")
    }
}
