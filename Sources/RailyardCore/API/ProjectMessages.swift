/// `POST /api/v1/projects`: a new project, in the caller's personal workspace unless one is named.
public struct CreateProjectRequest: Codable, Sendable {
    public var name: String
    public var description: String?
    public var workspaceId: String?
    public init(name: String, description: String? = nil, workspaceId: String? = nil) {
        self.name = name
        self.description = description
        self.workspaceId = workspaceId
    }
}

/// `PATCH /api/v1/projects/{projectId}`: fields left nil stay as they are.
public struct UpdateProjectRequest: Codable, Sendable {
    public var name: String?
    public var description: String?
    public init(name: String? = nil, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// `POST /api/v1/projects/{projectId}/environments`: a new environment, empty or a copy of
/// another one's variables.
public struct CreateEnvironmentRequest: Codable, Sendable {
    public var name: String
    /// The id or name of an environment of the same project whose variables are copied.
    public var duplicateFrom: String?
    public init(name: String, duplicateFrom: String? = nil) {
        self.name = name
        self.duplicateFrom = duplicateFrom
    }
}

/// `POST /api/v1/projects/{projectId}/services`.
public struct CreateServiceRequest: Codable, Sendable {
    public var name: String
    public var source: ServiceSource?
    public init(name: String, source: ServiceSource? = nil) {
        self.name = name
        self.source = source
    }
}

/// `PATCH /api/v1/projects/{projectId}/services/{serviceId}`: fields left nil stay as they are.
public struct UpdateServiceRequest: Codable, Sendable {
    public var name: String?
    public var source: ServiceSource?
    public init(name: String? = nil, source: ServiceSource? = nil) {
        self.name = name
        self.source = source
    }
}

/// `PATCH …/variables`: set and delete in one atomic change.
public struct UpdateVariablesRequest: Codable, Sendable {
    public var set: [String: String]?
    public var delete: [String]?
    public init(set: [String: String]? = nil, delete: [String]? = nil) {
        self.set = set
        self.delete = delete
    }
}

/// A list of variables, sorted by key; values masked unless `?reveal=true` was asked.
public struct VariableList: Codable, Sendable {
    public var variables: [Variable]
    /// After a change: the services whose variables refer to a changed one (`${{…}}`), by name; they
    /// see the change once they deploy again.
    public var usedBy: [String]?
    public init(variables: [Variable], usedBy: [String]? = nil) {
        self.variables = variables
        self.usedBy = usedBy
    }
}

/// `POST …/services/{serviceId}/scale`: how many replicas the service runs in the environment.
public struct ScaleRequest: Codable, Sendable {
    public var replicas: Int

    public init(replicas: Int) {
        self.replicas = replicas
    }
}

/// `POST …/services/{serviceId}/rollback`: the deployment whose release to run again (default:
/// the one before the current).
public struct RollbackRequest: Codable, Sendable {
    public var deploymentId: String?

    public init(deploymentId: String? = nil) {
        self.deploymentId = deploymentId
    }
}
