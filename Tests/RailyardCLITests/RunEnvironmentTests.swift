import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("railyard run's environment")
struct RunEnvironmentTests {
    @Test("the service's variables win over shared ones, which win over the current environment")
    func precedence() {
        let merged = RunEnvironment.merge(
            current: ["PATH": "/bin", "PORT": "1", "HOME": "/h"],
            context: ["RAILYARD_SERVICE_NAME": "web"],
            shared: [
                Variable(key: "PORT", value: "2", masked: false),
                Variable(key: "REGION", value: "eu", masked: false),
                Variable(key: "LOG_LEVEL", value: "info", masked: false),
            ],
            service: [
                Variable(key: "PORT", value: "3", masked: false),
                Variable(key: "LOG_LEVEL", value: "debug", masked: false),
            ]
        )
        #expect(merged.variables == [
            "PATH": "/bin", "HOME": "/h", "PORT": "3", "REGION": "eu", "LOG_LEVEL": "debug",
            "RAILYARD_SERVICE_NAME": "web",
        ])
        #expect(merged.masked.isEmpty)
    }

    @Test("masked values are never injected; a revealed service value still wins")
    func masked() {
        let merged = RunEnvironment.merge(
            current: ["TOKEN": "local"],
            shared: [Variable(key: "TOKEN", value: Variable.mask, masked: true), Variable(key: "A", value: Variable.mask, masked: true)],
            service: [Variable(key: "TOKEN", value: "svc", masked: false)]
        )
        #expect(merged.variables == ["TOKEN": "svc"])
        #expect(merged.masked == ["A"])
    }

    @Test("Railyard's names come under both prefixes, and user variables override them")
    func context() {
        let now = Date(timeIntervalSince1970: 0)
        let names = RunEnvironment.context(
            project: Project(id: "p1", workspaceId: "w", name: "shop", description: "", createdAt: now, updatedAt: now),
            environment: RailyardCore.Environment(id: "e1", projectId: "p1", name: "production", createdAt: now),
            service: Service(id: "s1", projectId: "p1", name: "web", source: .upload, createdAt: now, updatedAt: now)
        )
        #expect(names["RAILYARD_PROJECT_NAME"] == "shop" && names["RAILWAY_PROJECT_NAME"] == "shop")
        #expect(names["RAILWAY_ENVIRONMENT_NAME"] == "production" && names["RAILYARD_SERVICE_ID"] == "s1")
        let merged = RunEnvironment.merge(
            current: [:], context: names, shared: [], service: [Variable(key: "RAILWAY_SERVICE_NAME", value: "custom", masked: false)]
        )
        #expect(merged.variables["RAILWAY_SERVICE_NAME"] == "custom")
    }

    @Test("programs are found in the PATH of the new environment")
    func resolve() throws {
        #expect(try ProcessReplacement.resolve("sh", searchPath: "/nonexistent:/bin:/usr/bin").hasSuffix("/sh"))
        #expect(try ProcessReplacement.resolve("./local", searchPath: "") == "./local")
        let error = #expect(throws: CLIError.self) { try ProcessReplacement.resolve("no-such-program-xyz", searchPath: "/bin") }
        #expect(error?.message.contains("not found in PATH") == true)
    }
}
