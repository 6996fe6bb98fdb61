import RailyardCore

/// The environment `railyard run` gives its command: the current one, then Railyard's names for
/// where it runs (`RAILYARD_PROJECT_NAME`, … and their `RAILWAY_*` aliases), then the environment's
/// shared variables, then the service's own; a later source wins over an earlier one.
public struct RunEnvironment: Sendable, Equatable {
    /// The merged environment.
    public var variables: [String: String]
    /// Keys whose values came back masked (the caller may not reveal them) and were left out.
    public var masked: [String]

    /// Merges the sources, leaving out masked values.
    public static func merge(
        current: [String: String], context: [String: String] = [:], shared: [Variable], service: [Variable]
    ) -> RunEnvironment {
        var variables = current
        variables.merge(context) { _, new in new }
        var masked: Set<String> = []
        for variable in shared + service {
            if variable.masked {
                masked.insert(variable.key)
            } else {
                variables[variable.key] = variable.value
                masked.remove(variable.key)
            }
        }
        return RunEnvironment(variables: variables, masked: masked.sorted())
    }

    /// `RAILYARD_PROJECT_ID`, `…_NAME`, the environment's and the service's, each also as `RAILWAY_*`.
    public static func context(
        project: Project, environment: RailyardCore.Environment, service: Service?
    ) -> [String: String] {
        var names: [String: String] = [
            "PROJECT_ID": project.id, "PROJECT_NAME": project.name,
            "ENVIRONMENT_ID": environment.id, "ENVIRONMENT_NAME": environment.name,
        ]
        if let service {
            names["SERVICE_ID"] = service.id
            names["SERVICE_NAME"] = service.name
        }
        var result: [String: String] = [:]
        for (suffix, value) in names {
            result["RAILYARD_" + suffix] = value
            result["RAILWAY_" + suffix] = value
        }
        return result
    }
}
