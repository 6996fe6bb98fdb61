import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("railyard connect's client command lines")
struct DatabaseClientTests {
    @Test("each engine's client gets host, port, user and database; the password only in its environment")
    func commands() throws {
        let postgres = try DatabaseClient.command(.postgres, url: "postgresql://postgres:p%40ss@localhost:20000/railway")
        #expect(postgres == DatabaseClient(
            arguments: ["psql"],
            environment: ["PGHOST": "localhost", "PGPORT": "20000", "PGUSER": "postgres", "PGPASSWORD": "p@ss", "PGDATABASE": "railway"]
        ))
        let redis = try DatabaseClient.command(.redis, url: "redis://default:pw@db.example.com:20001")
        #expect(redis == DatabaseClient(
            arguments: ["redis-cli", "-h", "db.example.com", "-p", "20001", "--user", "default"], environment: ["REDISCLI_AUTH": "pw"]
        ))
        let mysql = try DatabaseClient.command(.mysql, url: "mysql://root:pw@localhost:20002/railway")
        #expect(mysql == DatabaseClient(arguments: ["mysql", "-h", "localhost", "-P", "20002", "-u", "root", "railway"], environment: ["MYSQL_PWD": "pw"]))
        for command in [postgres, redis, mysql] {
            #expect(!command.arguments.contains { $0.contains("pw") || $0.contains("p@ss") })
        }
    }

    @Test("a URL without a host and port is an error that hides the password")
    func badURL() {
        do {
            _ = try DatabaseClient.command(.postgres, url: "postgresql://postgres:secret@/railway")
            Issue.record("expected an error")
        } catch {
            let message = "\(error)"
            #expect(message.contains("has no host and port") && !message.contains("secret"), "\(message)")
        }
    }
}
