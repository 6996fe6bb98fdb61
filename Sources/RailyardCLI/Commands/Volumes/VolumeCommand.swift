import ArgumentParser
import RailyardCore

/// `railyard volume`: the service's persistent volume in the linked environment.
struct VolumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Add, list or remove the service's volume (persistent storage, one per service).",
        subcommands: [VolumeListCommand.self, VolumeAddCommand.self, VolumeRemoveCommand.self],
        defaultSubcommand: VolumeListCommand.self
    )
}

/// `railyard volume add --mount PATH [--service S]`.
struct VolumeAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create the service's volume, mounted at --mount from the next deployment."
    )

    @Option(help: "Where replicas see the volume, e.g. /data.")
    var mount: String
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let volume = try await client.createVolume(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, mountPath: mount
        )
        if output.json {
            try Output.json(volume)
        } else {
            Output.line("Created volume \(volume.id) for \(target.label) at \(volume.mountPath); run `railyard redeploy` to mount it")
        }
    }
}

/// `railyard volume [list] [--service S]`.
struct VolumeListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the service's volume.")

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let volumes = try await client.volumes(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        if output.json {
            try Output.json(volumes)
        } else if volumes.isEmpty {
            Output.line("No volume for \(target.label); add one with `railyard volume add --mount /data`")
        } else {
            Output.line(TextTable(header: ["ID", "MOUNT"], rows: volumes.map { [$0.id, $0.mountPath] }).render())
        }
    }
}

/// `railyard volume remove ID [--service S]`.
struct VolumeRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete the service's volume and its data.")

    @Argument(help: "The volume's id (see `railyard volume`).")
    var id: String
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        try await client.deleteVolume(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, volumeId: id)
        Output.line("Deleted volume \(id) of \(target.label) and its data")
    }
}
