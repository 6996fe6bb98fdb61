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
            sleepApplication: true, overlapSeconds: 30, drainingSeconds: 10, memoryLimit: "1Gi", cpuLimit: 0.25, pidsLimit: 256
        )
    )

    @Test("every key, from JSON and TOML", arguments: [
        ("railway.json", """
        {"$schema": "https://railway.com/railway.schema.json",
         "build": {"builder": "RAILPACK", "buildCommand": "make", "watchPatterns": ["src/**", "!docs/**"], "dockerfilePath": "Dockerfile.web"},
         "deploy": {"startCommand": "./serve", "preDeployCommand": ["./migrate"], "healthcheckPath": "/health",
                    "healthcheckTimeout": 120, "restartPolicyType": "ON_FAILURE", "restartPolicyMaxRetries": 5,
                    "numReplicas": 3, "cronSchedule": "*/5 * * * *", "sleepApplication": true,
                    "overlapSeconds": 30, "drainingSeconds": 10, "region": "ignored",
                    "memoryLimit": "1Gi", "cpuLimit": 0.25, "pidsLimit": 256}}
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
        memoryLimit = "1Gi"
        cpuLimit = "250m"
        pidsLimit = 256
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
        ("railway.json", #"{"deploy": {"numReplicas": 0}}"#, "railway.json: `deploy.numReplicas` must be between 1 and 20 (got 0)", "railway.json:deploy.numReplicas"),
        ("railway.json", #"{"deploy": {"healthcheckPath": "health"}}"#, "`deploy.healthcheckPath` must be a URL path starting with '/'", "railway.json:deploy.healthcheckPath"),
        ("railway.json", #"{"build": {"builder": "HEROKU"}}"#, "`build.builder` must be one of RAILPACK, NIXPACKS, DOCKERFILE", "railway.json:build.builder"),
        ("railway.toml", "[deploy]\ncronSchedule = \"every minute\"\n", "`deploy.cronSchedule` is not a valid schedule (UTC): 'every minute' has 2 field(s); a cron expression has 5", "railway.toml:deploy.cronSchedule"),
        ("railway.toml", "[deploy]\ncronSchedule = \"61 * * * *\"\n", "`deploy.cronSchedule` is not a valid schedule (UTC): minute field '61' is out of range 0–59", "railway.toml:deploy.cronSchedule"),
        ("railway.json", #"{"deploy": {"memoryLimit": "lots"}}"#, "`deploy.memoryLimit` must be a memory size from 32Mi to 1024Gi, like \"512Mi\"", "railway.json:deploy.memoryLimit"),
        ("railway.json", #"{"deploy": {"memoryLimit": "16Mi"}}"#, "`deploy.memoryLimit` must be a memory size from 32Mi to 1024Gi", "railway.json:deploy.memoryLimit"),
        ("railway.json", #"{"deploy": {"memoryLimit": 512}}"#, "`deploy.memoryLimit` must be a string", "railway.json:deploy.memoryLimit"),
        ("railway.json", #"{"deploy": {"cpuLimit": "half"}}"#, "`deploy.cpuLimit` must be a number of CPUs like 0.5, or millicores like \"500m\"", "railway.json:deploy.cpuLimit"),
        ("railway.json", #"{"deploy": {"cpuLimit": 0}}"#, "`deploy.cpuLimit` must be from 0.01 to 256 CPUs", "railway.json:deploy.cpuLimit"),
        ("railway.toml", "[deploy]\npidsLimit = 4\n", "`deploy.pidsLimit` must be between 16 and 4194304 (got 4)", "railway.toml:deploy.pidsLimit"),
        ("railway.json", #"{"environments": {"pr": {"deploy": {"drainingSeconds": -1}}}}"#, "`environments.pr.deploy.drainingSeconds` must be between 0 and 3600 seconds", "railway.json:environments.pr.deploy.drainingSeconds"),
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
        let loaded = try ServiceConfigLoader.load(DirectorySourceFiles(root: folder.url))
        #expect(loaded.config.deploy.numReplicas == 3)
        #expect(loaded.file == "railyard.toml")
        #expect(loaded.warnings.isEmpty)
    }

    @Test("environments.<name> replaces base keys one by one in that environment only", arguments: [
        ("railway.json", """
        {"build": {"buildCommand": "make"},
         "deploy": {"startCommand": "./serve", "numReplicas": 1, "healthcheckPath": "/health"},
         "environments": {
           "staging": {"deploy": {"startCommand": "./serve --debug", "numReplicas": 2}},
           "pr": {"build": {"buildCommand": "make fast"}}
         }}
        """),
        ("railyard.toml", """
        [build]
        buildCommand = "make"

        [deploy]
        startCommand = "./serve"
        numReplicas = 1
        healthcheckPath = "/health"

        [environments.staging.deploy]
        startCommand = "./serve --debug"
        numReplicas = 2

        [environments.pr.build]
        buildCommand = "make fast"
        """),
    ])
    func environmentOverrides(file: String, text: String) throws {
        let config = try ServiceConfigLoader.parse(text, fileName: file)
        #expect(config.environments.keys.sorted() == ["pr", "staging"])

        let staging = config.resolved(for: "staging")
        #expect(staging.deploy.startCommand == "./serve --debug")
        #expect(staging.deploy.numReplicas == 2)
        #expect(staging.deploy.healthcheckPath == "/health", "keys the override does not set stay")
        #expect(staging.build.buildCommand == "make")
        #expect(staging.environments.isEmpty)

        #expect(config.resolved(for: "pr").build.buildCommand == "make fast")
        #expect(config.resolved(for: "pr").deploy.startCommand == "./serve")
        let production = config.resolved(for: "production")
        #expect(production == ServiceConfig(build: config.build, deploy: config.deploy))
        #expect(try ServiceConfigLoader.warnings(text, fileName: file).isEmpty)
    }

    @Test("a wrong type inside an environment override names its full path")
    func overrideTypeError() {
        let text = #"{"environments": {"staging": {"deploy": {"numReplicas": "many"}}}}"#
        let error = #expect(throws: RailyardError.self) { try ServiceConfigLoader.parse(text, fileName: "railway.json") }
        #expect(error?.message.contains("`environments.staging.deploy.numReplicas` must be a whole number") == true, "\(error?.message ?? "")")
        #expect(error?.field == "railway.json:environments.staging.deploy.numReplicas")
    }

    @Test("unknown keys warn, naming the path and the likely meant key; Railway-only keys warn as ignored")
    func unknownKeys() throws {
        let text = """
        {"$schema": "https://railway.com/railway.schema.json",
         "build": {"buildComand": "make", "nixpacksPlan": {"phases": {}}},
         "deploy": {"startCommand": "./serve", "region": "us-west1", "sleepAplication": true, "colour": "blue"},
         "enviroments": {},
         "environments": {"staging": {"deploy": {"numReplica": 2}, "extra": {}}}}
        """
        let config = try ServiceConfigLoader.parse(text, fileName: "railway.json")
        #expect(config.deploy.startCommand == "./serve", "unknown keys never stop the known ones from applying")
        let warnings = try ServiceConfigLoader.warnings(text, fileName: "railway.json")
        #expect(warnings == [
            "railway.json: `build.buildComand` is not a setting Railyard knows; it is ignored; did you mean `build.buildCommand`?",
            "railway.json: `build.nixpacksPlan` is a Railway setting Railyard does not use; it is ignored",
            "railway.json: `deploy.colour` is not a setting Railyard knows; it is ignored",
            "railway.json: `deploy.region` is a Railway setting Railyard does not use; it is ignored",
            "railway.json: `deploy.sleepAplication` is not a setting Railyard knows; it is ignored; did you mean `deploy.sleepApplication`?",
            "railway.json: `enviroments` is not a setting Railyard knows; it is ignored; did you mean `environments`?",
            "railway.json: `environments.staging.deploy.numReplica` is not a setting Railyard knows; it is ignored; did you mean `environments.staging.deploy.numReplicas`?",
            "railway.json: `environments.staging.extra` is not a setting Railyard knows; it is ignored",
        ])
    }

    @Test("the planner applies the environment's overrides and carries the warnings")
    func plannerUsesEnvironment() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write([
            "railyard.toml": "[deploy]\nstartCommand = \"./serve\"\nstartComand = \"typo\"\n[environments.staging.deploy]\nstartCommand = \"./serve --staging\"\n",
        ])
        let toolchain = Toolchain(python: "/usr/bin/python3")
        let files = DirectorySourceFiles(root: folder.url)
        let staging = try BuildPlanner.plan(files: files, variables: [:], toolchain: toolchain, environment: "staging")
        #expect(staging.start == "./serve --staging")
        #expect(staging.config.deploy.startCommand == "./serve --staging")
        #expect(staging.warnings.count == 1)
        #expect(staging.warnings.first?.contains("did you mean `deploy.startCommand`?") == true)
        let production = try BuildPlanner.plan(files: files, variables: [:], toolchain: toolchain, environment: "production")
        #expect(production.start == "./serve")
    }
}
