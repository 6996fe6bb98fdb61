import ArgumentParser
import RailyardCore

/// `railyard environment duplicate FROM NAME`.
struct EnvironmentDuplicateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicate", abstract: "Copy an environment with its variables and link this folder to the copy."
    )

    @Argument(help: "The environment to copy.")
    var from: String
    @Argument(help: "The new environment's name.")
    var name: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await EnvironmentCommand.create(name: name, duplicateFrom: from, json: output.json)
    }
}
