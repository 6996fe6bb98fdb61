import Foundation
import RailyardBuild
import RailyardCore
import Testing

/// The config-as-code examples users copy from docs/configuration.md must parse, and mean what the
/// page says they mean.
@Suite("docs/configuration.md examples")
struct DocsExamplesTests {
    /// The fenced blocks of `language` in a page of docs/ (default: the configuration reference).
    static func blocks(_ language: String, page name: String = "configuration.md") throws -> [String] {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/\(name)")
        let text = try String(contentsOf: page, encoding: .utf8)
        var result: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = current {
                if line == "```" {
                    result.append(open.joined(separator: "\n"))
                    current = nil
                } else {
                    current = open + [line]
                }
            } else if line == "```\(language)" {
                current = []
            }
        }
        return result
    }

    @Test("the railway.json and railway.toml examples parse to the documented commands", arguments: [
        ("json", "railway.json"), ("toml", "railway.toml"),
    ])
    func examples(language: String, fileName: String) throws {
        let examples = try Self.blocks(language)
        try #require(!examples.isEmpty, "docs/configuration.md should show a \(fileName)")
        for example in examples {
            let config = try ServiceConfigLoader.parse(example, fileName: fileName)
            #expect(config.build.buildCommand == "npm run build")
            #expect(config.deploy.startCommand == "node server.js")
            #expect(try ServiceConfigLoader.warnings(example, fileName: fileName).isEmpty, "\(example)")
            if !config.environments.isEmpty {
                let staging = config.resolved(for: "staging")
                #expect(staging.deploy.startCommand == "node server.js --inspect")
                #expect(staging.build.buildCommand == "npm run build", "keys the override does not set stay")
            }
        }
    }

    @Test("every railway.json in getting-started.md is valid config as code, without ignored keys")
    func gettingStarted() throws {
        let examples = try Self.blocks("json", page: "getting-started.md")
        try #require(examples.count >= 2, "getting-started.md shows a railway.json for the plan and one for the supervisor")
        for example in examples {
            _ = try ServiceConfigLoader.parse(example, fileName: "railway.json")
            #expect(try ServiceConfigLoader.warnings(example, fileName: "railway.json").isEmpty, "\(example)")
        }
        let supervised = try #require(examples.compactMap { try? ServiceConfigLoader.parse($0, fileName: "railway.json") }
            .first { $0.deploy.numReplicas != nil })
        #expect(supervised.deploy.numReplicas == 2)
        #expect(supervised.deploy.healthcheckPath == "/health")
        #expect(supervised.deploy.preDeployCommand == ["python manage.py migrate"])
    }
}
