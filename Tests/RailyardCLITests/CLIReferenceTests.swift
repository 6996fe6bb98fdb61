import ArgumentParser
import Foundation
@testable import RailyardCLI
import Testing

/// docs/cli.md is the CLI reference: every command and subcommand the binary has is there.
@Suite("docs/cli.md covers every command")
struct CLIReferenceTests {
    static var page: String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/cli.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    /// The ways the reference may write each command below the root, depth first: "railyard x y",
    /// or "railyard x [y]" for a default subcommand.
    static func paths(_ command: any ParsableCommand.Type, prefix: String, isDefault: Bool = false) -> [[String]] {
        let configuration = command.configuration
        let name = configuration.commandName ?? String(describing: command).lowercased()
        let path = prefix + " " + name
        let spellings = isDefault ? [path, prefix + " [" + name + "]"] : [path]
        return [spellings] + configuration.subcommands.flatMap { sub in
            paths(sub, prefix: path, isDefault: configuration.defaultSubcommand == sub)
        }
    }

    @Test("each command is named in the reference, subcommands included")
    func everyCommand() {
        let page = Self.page
        #expect(!page.isEmpty, "docs/cli.md is missing")
        let missing = RailyardCommandLine.commands.flatMap { Self.paths($0, prefix: "railyard") }
            .filter { spellings in !spellings.contains { page.contains($0) } }.map { $0[0] }
        #expect(missing.isEmpty, "not in docs/cli.md: \(missing)")
    }
}
