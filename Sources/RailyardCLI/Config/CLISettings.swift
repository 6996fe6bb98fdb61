import Foundation

/// The server and token a command uses, after `RAILYARD_SERVER` / `RAILYARD_TOKEN` and the
/// config file have been weighed.
public struct CLISettings: Sendable, Equatable {
    /// Where the server is when nothing says otherwise.
    public static let defaultServer = "http://localhost:7070"
    /// Overrides the configured server.
    public static let serverVariable = "RAILYARD_SERVER"
    /// Overrides the configured token.
    public static let tokenVariable = "RAILYARD_TOKEN"

    public var server: String
    public var token: String?

    /// The settings in effect: a `--server` flag first, then the environment, then the config file.
    public static func resolve(
        config: CLIConfig, environment: [String: String], serverFlag: String? = nil
    ) -> CLISettings {
        let server = [serverFlag, environment[serverVariable], config.server]
            .compactMap { $0 }
            .first { !$0.isEmpty } ?? defaultServer
        let token = [environment[tokenVariable], config.token]
            .compactMap { $0 }
            .first { !$0.isEmpty }
        return CLISettings(server: normalizeServer(server), token: token)
    }

    /// A server URL without trailing slashes, with `http://` added when no scheme is given.
    public static func normalizeServer(_ value: String) -> String {
        var url = value.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        if !url.contains("://") { url = "http://" + url }
        return url
    }
}
