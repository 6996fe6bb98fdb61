import Foundation
import RailyardBuild
import RailyardCore
import Testing

/// The config-as-code examples users copy from docs/configuration.md must parse, and mean what the
/// page says they mean.
@Suite("docs/configuration.md examples")
struct DocsExamplesTests {
    /// The fenced blocks of `language` in the page.
    static func blocks(_ language: String) throws -> [String] {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/configuration.md")
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

    @Test("the railway.json example parses to the documented commands")
    func json() throws {
        let examples = try Self.blocks("json")
        try #require(!examples.isEmpty, "docs/configuration.md should show a railway.json")
        for example in examples {
            let config = try ServiceConfigLoader.parse(example, fileName: "railway.json")
            #expect(config.build.buildCommand == "npm run build")
            #expect(config.deploy.startCommand == "node server.js")
            #expect(try ServiceConfigLoader.warnings(example, fileName: "railway.json").isEmpty, "\(example)")
            if !config.environments.isEmpty {
                let staging = config.resolved(for: "staging")
                #expect(staging.deploy.startCommand == "node server.js --inspect")
                #expect(staging.build.buildCommand == "npm run build", "keys the override does not set stay")
            }
        }
    }

    @Test("the railway.toml example parses to the documented commands")
    func toml() throws {
        let examples = try Self.blocks("toml")
        try #require(!examples.isEmpty, "docs/configuration.md should show a railway.toml")
        for example in examples {
            let config = try ServiceConfigLoader.parse(example, fileName: "railway.toml")
            #expect(config.build.buildCommand == "npm run build")
            #expect(config.deploy.startCommand == "node server.js")
            #expect(try ServiceConfigLoader.warnings(example, fileName: "railway.toml").isEmpty, "\(example)")
            if !config.environments.isEmpty {
                let staging = config.resolved(for: "staging")
                #expect(staging.deploy.startCommand == "node server.js --inspect")
                #expect(staging.build.buildCommand == "npm run build", "keys the override does not set stay")
            }
        }
    }
}
