import ArgumentParser
import RailyardCore

/// `railyard environment new NAME [--duplicate FROM]`.
struct EnvironmentNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create an environment and link this folder to it."
    )

    @Argument(help: "The new environment's name.")
    var name: String
    @Option(help: "An environment whose variables to copy.")
    var duplicate: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await EnvironmentCommand.create(name: name, duplicateFrom: duplicate, json: output.json)
    }
}
