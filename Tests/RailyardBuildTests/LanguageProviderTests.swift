import Foundation
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Go, Ruby, PHP, Swift and Dockerfile providers")
struct LanguageProviderTests {
    static let toolchain = Toolchain(python: "/usr/bin/python3")
    static let bundle = RubyProvider.install
    static let composer = PHPProvider.install

    /// A fixture folder, the variables, and the plan expected for it.
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var files: [String: String]
        var variables: [String: String] = [:]
        var expected: BuildPlan
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "go without go.sum", files: ["go.mod": "module a\n\ngo 1.22\n", "main.go": "package main"],
             expected: BuildPlan(provider: "go", build: ["go build -o out ."], start: "./out")),
        Case(label: "go with go.sum downloads modules", files: ["go.mod": "module a\n", "go.sum": "x", "main.go": ""],
             expected: BuildPlan(provider: "go", install: ["go mod download"], build: ["go build -o out ."], start: "./out")),
        Case(label: "go before staticfile", files: ["go.mod": "module a\n", "index.html": "hi"],
             expected: BuildPlan(provider: "go", build: ["go build -o out ."], start: "./out")),
        Case(label: "go before python and node", files: ["go.mod": "module a\n", "requirements.txt": "", "package.json": "{}"],
             expected: BuildPlan(provider: "go", build: ["go build -o out ."], start: "./out")),
        Case(label: "ruby with config.ru", files: ["Gemfile": "gem 'rack'\n", "config.ru": "run App"],
             expected: BuildPlan(provider: "ruby", install: bundle, start: RubyProvider.rack)),
        Case(label: "rails, which has a config.ru too", files: ["Gemfile": "gem 'rails'\n", "config.ru": "", "config/application.rb": ""],
             expected: BuildPlan(provider: "ruby", install: bundle, start: RubyProvider.rails)),
        Case(label: "ruby started by a Procfile", files: ["Gemfile": "", "Procfile": "web: ruby app.rb -p $PORT"],
             expected: BuildPlan(provider: "ruby", install: bundle, start: "ruby app.rb -p $PORT")),
        Case(label: "php with only index.php", files: ["index.php": "<?php echo 1;"],
             expected: BuildPlan(provider: "php", start: "php -S 0.0.0.0:$PORT -t .")),
        Case(label: "php serving public/", files: ["composer.json": #"{"require":{"php":">=8.1","ext-json":"*"}}"#, "public/index.php": ""],
             expected: BuildPlan(provider: "php", start: "php -S 0.0.0.0:$PORT -t public")),
        Case(label: "php with composer dependencies", files: ["composer.json": #"{"require":{"slim/slim":"^4"},"require-dev":{"phpunit/phpunit":"*"}}"#, "index.php": ""],
             expected: BuildPlan(provider: "php", install: [composer], start: "php -S 0.0.0.0:$PORT -t .")),
        Case(label: "php before node, as Railpack (Laravel has a package.json)", files: ["composer.json": "{}", "package.json": #"{"scripts":{"start":"x"}}"#],
             expected: BuildPlan(provider: "php", start: "php -S 0.0.0.0:$PORT -t .")),
        Case(label: "swift executable product", files: ["Package.swift": """
            // swift-tools-version:6.0
            let package = Package(name: "a", products: [.library(name: "Lib", targets: ["Lib"]), .executable(name: "server", targets: ["Server"])],
                targets: [.executableTarget(name: "Server"), .target(name: "Lib")])
            """],
             expected: BuildPlan(provider: "swift", build: ["swift build -c release"], start: ".build/release/server")),
        Case(label: "swift executable target only", files: ["Package.swift": "let p = Package(name: \"a\", targets: [\n  .executableTarget(\n    name: \"Hello\",\n    path: \"Sources\")])\n"],
             expected: BuildPlan(provider: "swift", build: ["swift build -c release"], start: ".build/release/Hello")),
        Case(label: "swift with Package.resolved caches its fetched dependencies", files: ["Package.swift": ".executableTarget(name: \"App\")", "Package.resolved": "{}"],
             expected: BuildPlan(provider: "swift", build: ["swift build -c release"], start: ".build/release/App", cache: [BuildCacheEntry(
                name: "swift", directories: [".build/checkouts", ".build/repositories", ".build/workspace-state.json"],
                keyFiles: ["Package.swift", "Package.resolved"], commands: [], toolchain: ["swift"]
             )])),
        Case(label: "swift before node", files: ["Package.swift": ".executableTarget(name: \"App\")", "package.json": #"{"scripts":{"start":"x"}}"#],
             expected: BuildPlan(provider: "swift", build: ["swift build -c release"], start: ".build/release/App")),
        Case(label: "a non-Dockerfile builder ignores the Dockerfile", files: ["Dockerfile": "FROM scratch", "go.mod": "module a", "railway.json": #"{"build":{"builder":"RAILPACK"}}"#],
             expected: BuildPlan(provider: "go", build: ["go build -o out ."], start: "./out", config: ServiceConfig(build: .init(builder: "RAILPACK")), configFile: "railway.json")),
    ]

    @Test("detection and plans", arguments: cases)
    func plans(_ testCase: Case) throws {
        let plan = try Self.plan(testCase.files, variables: testCase.variables, toolchain: Self.toolchain)
        #expect(plan == testCase.expected)
    }

    @Test("apps that cannot be planned say what to do", arguments: [
        ("a Dockerfile beside package.json", ["Dockerfile": "FROM node", "package.json": #"{"scripts":{"start":"x"}}"#], "this app has a Dockerfile, but Dockerfile builds need the container driver, which this Railyard server does not have yet; remove the Dockerfile or set `build.builder` to \"RAILPACK\""),
        ("a Dockerfile beside go.mod", ["Dockerfile": "FROM golang", "go.mod": "module a"], "Dockerfile builds need the container driver"),
        ("ruby without config.ru or rails", ["Gemfile": ""], "no start command for this Ruby app: add a config.ru"),
        ("swift without an executable", ["Package.swift": ".library(name: \"L\", targets: [\"L\"])"], "no start command for this Swift package"),
        ("a malformed composer.json", ["composer.json": "{nope"], "composer.json is not a valid JSON object"),
    ])
    func rejects(label: String, files: [String: String], message: String) throws {
        let error = #expect(throws: RailyardError.self) {
            try Self.plan(files, variables: [:], toolchain: Self.toolchain)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("a missing toolchain fails fast, naming what to install", arguments: [
        ("go", ["go.mod": "module a"], "this is a Go app but `go` is not installed on the Railyard server; install golang-go"),
        ("ruby", ["Gemfile": "", "config.ru": ""], "this is a Ruby app but `ruby` is not installed on the Railyard server; install ruby and ruby-bundler"),
        ("bundle", ["Gemfile": "", "config.ru": ""], "this is a Ruby app but `bundle` is not installed"),
        ("php", ["index.php": ""], "this is a PHP app but `php` is not installed on the Railyard server; install php-cli"),
        ("composer", ["composer.json": #"{"require":{"slim/slim":"^4"}}"#], "this is a PHP app but `composer` is not installed on the Railyard server; install composer"),
        ("swift", ["Package.swift": ".executable(name: \"a\""], "this is a Swift app but `swift` is not installed on the Railyard server"),
        ("node", ["package.json": "{}", "index.js": ""], "this is a Node app but `node` is not installed on the Railyard server; install nodejs"),
        ("yarn", ["package.json": #"{"dependencies":{"a":"1"}}"#, "yarn.lock": "", "index.js": ""], "`yarn` is not installed on the Railyard server; install yarn (`npm install -g yarn` or `corepack enable`), or delete yarn.lock to install with npm"),
        ("pnpm", ["package.json": #"{"packageManager":"pnpm@9.0.0"}"#, "index.js": ""], "this is a Node app but `pnpm` is not installed"),
    ])
    func missingToolchain(tool: String, files: [String: String], message: String) throws {
        let toolchain = Toolchain(python: "/usr/bin/python3", executables: Toolchain.tracked.subtracting([tool]))
        let error = #expect(throws: RailyardError.self) {
            try Self.plan(files, variables: [:], toolchain: toolchain)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("composer is only needed when there is something to install")
    func phpWithoutComposer() throws {
        let toolchain = Toolchain(python: "/usr/bin/python3", executables: ["php"])
        let plan = try Self.plan(["composer.json": #"{"require":{"php":"^8"}}"#, "index.php": ""], variables: [:], toolchain: toolchain)
        #expect(plan.install.isEmpty)
    }

    @Test("the machine's tools are found on PATH")
    func detectsTools() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(["go": "#!/bin/sh\n", "php": "not executable", "cargo": "#!/bin/sh\n"], executable: ["go", "cargo"])
        let toolchain = Toolchain.detect(path: "/nonexistent:\(folder.url.path)")
        #expect(toolchain.executables == ["go"])
        #expect(toolchain.directories == [folder.url.path], "a tool outside the standard folders puts its folder on builds' PATH")
        #expect(toolchain.searchPath == "/usr/local/bin:/usr/bin:/bin:\(folder.url.path)")
        #expect(Toolchain.detect(path: "/usr/bin:/bin").directories.isEmpty)
    }

    static func plan(_ files: [String: String], variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(files)
        return try BuildPlanner.plan(files: DirectorySourceFiles(root: folder.url), variables: variables, toolchain: toolchain)
    }
}
