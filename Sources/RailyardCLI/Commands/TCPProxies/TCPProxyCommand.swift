import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard tcp-proxy`: public TCP ports that forward to a service's internal ports.
struct TCPProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp-proxy",
        abstract: "Show, add or remove the public TCP ports that reach a service's internal ports.",
        subcommands: [TCPProxyListCommand.self, TCPProxyAddCommand.self, TCPProxyRemoveCommand.self],
        defaultSubcommand: TCPProxyListCommand.self
    )

    /// `host:port`, as a client connects.
    static func address(_ proxy: ServiceTCPProxy) -> String {
        let host = proxy.domain ?? "localhost"
        return host.contains(":") ? "[\(host)]:\(proxy.publicPort)" : "\(host):\(proxy.publicPort)"
    }

    /// The proxy named by id or by public port.
    static func find(_ name: String, in proxies: [ServiceTCPProxy]) -> ServiceTCPProxy? {
        proxies.first { $0.id == name || "\($0.publicPort)" == name }
    }
}

/// `railyard tcp-proxy [list] [--service S] [--json]`.
struct TCPProxyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the service's TCP proxies.")

    @Option(help: "The service's name or id (default: the linked service, else the only one).")
    var service: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, target) = try await DeployTarget.resolve(serviceFlag: service)
        let proxies = try await client.tcpProxies(projectId: target.projectId, environmentId: target.environment.id, serviceId: target.service.id)
        if output.json {
            try Output.json(proxies)
            return
        }
        guard !proxies.isEmpty else {
            Output.line("\(target.label) has no TCP proxy; add one with `railyard tcp-proxy add <port>`")
            return
        }
        let rows = proxies.map { [TCPProxyCommand.address($0), "\($0.targetPort)", $0.id] }
        Output.line(TextTable(header: ["ADDRESS", "TARGET PORT", "ID"], rows: rows).render())
    }
}
