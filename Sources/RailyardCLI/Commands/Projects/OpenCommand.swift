import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard open`: the linked project's page in the dashboard (its service's, with `--service` or
/// when the folder is linked to one), in a browser when there is one, else printed.
struct OpenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Open the linked project (or service) in the dashboard."
    )

    @Option(help: "A service of the linked project, by name or id: its page instead of the linked one's.")
    var service: String?

    @Flag(name: .customLong("print"), help: "Print the address instead of opening a browser.")
    var printOnly = false

    func run() async throws {
        let context = try CommandContext.load()
        let client = try context.client()
        let (detail, environment) = try await context.linkedEnvironment(client)
        let link = try context.requireLink().link
        let serviceId = try service.map { try detail.service($0).id } ?? link.serviceId
        let url = Self.address(server: client.baseURL, projectId: detail.project.id, environmentId: environment.id, serviceId: serviceId)
        if printOnly || !Self.openInBrowser(url) {
            Output.line(url)
        } else {
            Output.line("Opened \(url)")
        }
    }

    /// The dashboard's address for a project in an environment, or for one of its services.
    static func address(server: String, projectId: String, environmentId: String, serviceId: String?) -> String {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let serviceId else { return "\(base)/#/projects/\(projectId)?env=\(environmentId)" }
        return "\(base)/#/projects/\(projectId)/environments/\(environmentId)/services/\(serviceId)"
    }

    /// Hands `url` to the desktop's opener (`xdg-open`, `open` on macOS) when a display is there;
    /// false when there is none or it failed, so the address gets printed instead.
    static func openInBrowser(_ url: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
        let opener = "/usr/bin/open"
        #else
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return false }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/xdg-open" }
        guard let opener = path.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return false }
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }
}
