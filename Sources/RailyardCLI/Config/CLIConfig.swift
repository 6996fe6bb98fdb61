/// The CLI's saved state: which server, which token, and which folders are linked to what.
/// Stored as `config.json` by ``ConfigFile``; pure data with no I/O, so it is unit-tested directly.
public struct CLIConfig: Codable, Sendable, Equatable {
    /// The server's base URL, set by `signup` / `login`.
    public var server: String?
    /// The session or API token, set by `signup` / `login`, cleared by `logout`.
    public var token: String?
    /// Folder links keyed by absolute, normalized path.
    public var links: [String: FolderLink]

    /// An empty configuration.
    public init(server: String? = nil, token: String? = nil, links: [String: FolderLink] = [:]) {
        self.server = server
        self.token = token
        self.links = links
    }

    /// Decodes a config file; a file without `links` has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.decodeIfPresent(String.self, forKey: .server)
        token = try container.decodeIfPresent(String.self, forKey: .token)
        links = try container.decodeIfPresent([String: FolderLink].self, forKey: .links) ?? [:]
    }

    /// The link in effect for `directory`: its own, else the nearest linked ancestor's.
    public func link(for directory: String) -> (path: String, link: FolderLink)? {
        for candidate in PathNormalizer.selfAndAncestors(of: directory) {
            if let link = links[candidate] { return (candidate, link) }
        }
        return nil
    }
}

/// What a folder is linked to: a project and one of its environments, and optionally a service.
public struct FolderLink: Codable, Sendable, Equatable {
    public var projectId: String
    public var environmentId: String
    public var serviceId: String?

    /// A link to a project's environment, and optionally one of its services.
    public init(projectId: String, environmentId: String, serviceId: String? = nil) {
        self.projectId = projectId
        self.environmentId = environmentId
        self.serviceId = serviceId
    }
}
