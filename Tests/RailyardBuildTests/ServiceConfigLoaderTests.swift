import Foundation
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Service config as code")
struct ServiceConfigLoaderTests {
    static let full = ServiceConfig(
        build: .init(builder: "RAILPACK", buildCommand: "make", watchPatterns: ["src/**", "!docs/**"], dockerfilePath: "Dockerfile.web"),
        deploy: .init(
            startCommand: "./serve", preDeployCommand: ["./migrate"], healthcheckPath: "/health", healthcheckTimeout: 120,
            restartPolicyType: .onFailure, restartPolicyMaxRetries: 5, numReplicas: 3, cronSchedule: "*/5 * * * *",
            sleepApplication: true, overlapSeconds: 30, drainingSeconds: 10
        )
    )

    @Test("every key, from JSON and TOML", arguments: [
        ("railway.json", """
        {"$schema": "https://railway.com/railway.schema.json",
         "build": {"builder": "RAILPACK", "buildCommand": "make", "watchPatterns": ["src/**", "!docs/**"], "dockerfilePath": "Dockerfile.web"},
         "deploy": {"startCommand": "./serve", "preDeployCommand": ["./migrate"], "healthcheckPath": "/health",
                    "healthcheckTimeout": 120, "restartPolicyType": "ON_FAILURE", "restartPolicyMaxRetries": 5,
                    "numReplicas": 3, "cronSchedule": "*/5 * * * *", "sleepApplication": true,
                    "overlapSeconds": 30, "drainingSeconds": 10, "region": "ignored"}}
        """),
        ("railway.toml", """
        [build]
        builder = "RAILPACK"
        buildCommand = "make"
        watchPatterns = ["src/**", "!docs/**"]
        dockerfilePath = "Dockerfile.web"

        [deploy]
        startCommand = "./serve"
        preDeployCommand = "./migrate"
        healthcheckPath = "/health"
        healthcheckTimeout = 120
        restartPolicyType = "ON_FAILURE"
        restartPolicyMaxRetries = 5
        numReplicas = 3
        cronSchedule = "*/5 * * * *"
        sleepApplication = true
        overlapSeconds = 30
        drainingSeconds = 10
        """),
    ])
    func parses(file: String, text: String) throws {
        #expect(try ServiceConfigLoader.parse(text, fileName: file) == Self.full)
    }

    @Test("empty and partial files give defaults for what is missing")
    func defaults() throws {
        #expect(try ServiceConfigLoader.parse("", fileName: "railway.toml") == ServiceConfig())
        #expect(try ServiceConfigLoader.parse("{}", fileName: "railway.json").isEmpty)
        let partial = try ServiceConfigLoader.parse(#"{"deploy":{"numReplicas":2}}"#, fileName: "railway.json")
        #expect(partial == ServiceConfig(deploy: .init(numReplicas: 2)))
    }

    @Test("malformed files and wrong types name the file and the key", arguments: [
        ("railway.json", #"{"deploy": {"numReplicas": "two"}}"#, "railway.json: `deploy.numReplicas` must be a whole number", "railway.json:deploy.numReplicas"),
        ("railway.json", #"{"build": {"watchPatterns": ["a", 3]}}"#, "railway.json: `build.watchPatterns[1]` must be a string", "railway.json:build.watchPatterns[1]"),
        ("railway.json", #"{"deploy": "fast"}"#, "railway.json: `deploy` must be a table of settings", "railway.json:deploy"),
        ("railway.json", #"{"deploy": {"restartPolicyType": "SOMETIMES"}}"#, "`deploy.restartPolicyType` must be one of ON_FAILURE, ALWAYS, NEVER", "railway.json:deploy.restartPolicyType"),
        ("railway.json", #"{"deploy": {"sleepApplication": "yes"}}"#, "`deploy.sleepApplication` must be true or false", "railway.json:deploy.sleepApplication"),
        ("railway.json", #"{"deploy": {"#, "railway.json is not valid JSON", "railway.json"),
        ("railway.json", #"["deploy"]"#, "railway.json must hold a table of settings", "railway.json"),
        ("railway.toml", "[deploy]\nhealthcheckTimeout = \"soon\"\n", "railway.toml: `deploy.healthcheckTimeout` must be a whole number", "railway.toml:deploy.healthcheckTimeout"),
        ("railyard.toml", "[deploy\nstartCommand = 1", "railyard.toml is not valid TOML", "railyard.toml"),
    ])
    func rejects(file: String, text: String, message: String, field: String) {
        let error = #expect(throws: RailyardError.self) { try ServiceConfigLoader.parse(text, fileName: file) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.field == field)
    }

    @Test("railyard.toml wins over railway.toml and railway.json")
    func precedence() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write([
            "railway.json": #"{"deploy":{"numReplicas":1}}"#,
            "railway.toml": "[deploy]\nnumReplicas = 2\n",
            "railyard.toml": "[deploy]\nnumReplicas = 3\n",
        ])
        let (config, file) = try ServiceConfigLoader.load(DirectorySourceFiles(root: folder.url))
        #expect(config.deploy.numReplicas == 3)
        #expect(file == "railyard.toml")
    }
}
