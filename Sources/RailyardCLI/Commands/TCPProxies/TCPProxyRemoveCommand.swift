import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard tcp-proxy remove ID-OR-PUBLIC-PORT [--service S]`.
struct TCPProxyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a TCP proxy; its public port closes at once."
    )

    @Argument(help: "The proxy's id or public port (see `railyard tcp-proxy`).")
    var proxy: String
    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let proxies = try await client.tcpProxies(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        guard let found = TCPProxyCommand.find(proxy, in: proxies) else {
            throw CLIError("\(target.label) has no TCP proxy \(proxy); see `railyard tcp-proxy`")
        }
        try await client.removeTCPProxy(
            projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id, proxyId: found.id
        )
        Output.line("Removed the TCP proxy \(TCPProxyCommand.address(found)) → port \(found.targetPort) of \(target.label)")
    }
}
