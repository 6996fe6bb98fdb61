import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard tcp-proxy add TARGET-PORT [--service S] [--json]`.
struct TCPProxyAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Expose a port the service listens on (like 5432) on a public port of the server."
    )

    @Argument(help: "The port the service's replicas listen on, like 5432.")
    var targetPort: Int
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let added = try await client.addTCPProxy(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, targetPort: targetPort
        )
        if output.json {
            try Output.json(added)
            return
        }
        Output.line("\(target.label) port \(added.targetPort) is reachable at \(TCPProxyCommand.address(added))")
        Output.line("Its releases see RAILYARD_TCP_PROXY_DOMAIN and RAILYARD_TCP_PROXY_PORT from the next deploy (`railyard redeploy`).")
    }
}
