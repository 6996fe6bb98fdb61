import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("railyard service settings: key paths and values")
struct ServiceSettingsCommandTests {
    @Test("values take the key's type; unset clears; other keys stay")
    func apply() throws {
        let start = ServiceConfig(deploy: .init(startCommand: "./old", numReplicas: 1))
        let result = try ServiceSettingsCommand.apply(
            set: [
                "deploy.numReplicas=3", "deploy.sleepApplication=true", "build.watchPatterns=src/**, lib/**",
                "deploy.preDeployCommand=./migrate up", "deploy.healthcheckPath=/health", "build.buildCommand=make a=b",
            ],
            unset: ["deploy.startCommand"], to: start
        )
        #expect(result.deploy.numReplicas == 3)
        #expect(result.deploy.sleepApplication == true)
        #expect(result.build.watchPatterns == ["src/**", "lib/**"])
        #expect(result.deploy.preDeployCommand == ["./migrate up"])
        #expect(result.deploy.healthcheckPath == "/health")
        #expect(result.build.buildCommand == "make a=b", "only the first = splits key from value")
        #expect(result.deploy.startCommand == nil)
    }

    @Test("bad keys and values are refused locally with the server's wording", arguments: [
        ("deploy.numReplicas=two", "`deploy.numReplicas` must be a whole number"),
        ("deploy.numReplicas=99", "`deploy.numReplicas` must be between 1 and 20"),
        ("deploy.startComand=x", "did you mean `deploy.startCommand`?"),
        ("numReplicas=2", "'numReplicas' is not a settings key; use build.KEY or deploy.KEY"),
        ("=2", "--set takes KEY=VALUE"),
    ])
    func rejects(assignment: String, message: String) {
        let error = #expect(throws: CLIError.self) {
            try ServiceSettingsCommand.apply(set: [assignment], unset: [], to: ServiceConfig())
        }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }
}
