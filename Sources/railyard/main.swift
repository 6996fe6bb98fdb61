import ArgumentParser
import RailyardCLI
import RailyardServer

/// The `railyard` executable: `railyard server …` runs the control plane, every other verb is the CLI.
struct Railyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "railyard",
        abstract: "Railyard: a self-hosted platform for deploying apps.",
        subcommands: [ServerCommand.self] + RailyardCommandLine.commands
    )
}

await RailyardCommandLine.main(Railyard.self)
