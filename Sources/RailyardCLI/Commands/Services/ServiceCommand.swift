import ArgumentParser

/// `railyard service`: shows the linked service and lists the project's services; its
/// subcommands create one and switch the link.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Show, create or switch the linked service.",
        subcommands: [
            ServiceShowCommand.self, ServiceNewCommand.self, ServiceUseCommand.self, ServiceSettingsCommand.self,
            ServiceWebhookCommand.self, ServiceLimitsCommand.self,
        ],
        defaultSubcommand: ServiceShowCommand.self
    )
}
