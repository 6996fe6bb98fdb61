import Hummingbird
import Logging
import RailyardCore

/// Variables of an environment: shared ones, and each service's own. Values are masked unless the
/// caller asks to reveal and holds `variables.reveal`; they are never logged.
struct VariableController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        let shared = "projects/:projectId/environments/:environmentId/variables"
        let service = "projects/:projectId/environments/:environmentId/services/:serviceId/variables"
        group.get(RouterPath(shared), use: list)
        group.patch(RouterPath(shared), use: update)
        group.get(RouterPath(service), use: list)
        group.patch(RouterPath(service), use: update)
    }

    /// The environment and optional service a variables route is about, after checking `permission`.
    private func scope(
        _ permission: Permission, context: RailyardRequestContext
    ) async throws -> (project: Project, environment: RailyardCore.Environment, service: Service?) {
        let access = dependencies.access
        let project = try await access.project(try context.parameters.require("projectId"), permission, context: context)
        let environment = try await access.environment(try context.parameters.require("environmentId"), of: project)
        let service = try await context.parameters.get("serviceId").asyncMap { try await access.service($0, of: project) }
        return (project, environment, service)
    }

    @Sendable func list(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<VariableList> {
        let (project, environment, service) = try await scope(.variablesRead, context: context)
        let reveal = request.query("reveal").map { $0 == "true" || $0 == "1" } ?? false
        if reveal {
            try await dependencies.access.authorize(
                .variablesReveal, workspaceId: project.workspaceId, what: "project \(project.id)", context: context
            )
            context.logger.info(
                "variables revealed",
                metadata: ["project.id": "\(project.id)", "environment.id": "\(environment.id)", "service.id": "\(service?.id ?? "shared")"]
            )
        }
        if request.query("resolved").map({ $0 == "true" || $0 == "1" }) == true {
            guard reveal, let service else {
                throw RailyardError.invalid("resolved", "resolved=true lists what a service's releases see: ask for a service's variables with reveal=true")
            }
            let values = try await dependencies.deployer.resolvedVariables(project: project, environment: environment, service: service)
            return JSONResponse(Self.list(values, reveal: true))
        }
        let values = try await dependencies.store.variables(environmentId: environment.id, serviceId: service?.id)
        return JSONResponse(Self.list(values, reveal: reveal))
    }

    @Sendable func update(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<VariableList> {
        let (project, environment, service) = try await scope(.variablesWrite, context: context)
        let body = try await request.decodeJSON(as: UpdateVariablesRequest.self, context: context)
        let set = body.set ?? [:]
        let delete = body.delete ?? []
        try Self.validate(set: set, delete: delete)
        let values = try await dependencies.store.updateVariables(
            environmentId: environment.id, serviceId: service?.id, set: set, delete: delete
        )
        context.logger.info(
            "variables updated",
            metadata: [
                "environment.id": "\(environment.id)", "service.id": "\(service?.id ?? "shared")",
                "variables.set": "\(set.keys.sorted().joined(separator: ","))", "variables.deleted": "\(delete.count)",
            ]
        )
        var list = Self.list(values, reveal: false)
        // The change is stored: a failure to work out who refers to it only leaves the hint out.
        list.usedBy = try? await users(of: Set(set.keys).union(delete), owner: service, project: project, environment: environment)
        return JSONResponse(list)
    }

    /// The services of the environment whose variables refer to one of `keys` of `owner` (nil: shared).
    private func users(
        of keys: Set<String>, owner: Service?, project: Project, environment: RailyardCore.Environment
    ) async throws -> [String] {
        var services: [String: [String: String]] = [:]
        for service in try await dependencies.store.services(projectId: project.id) {
            services[service.name] = try await dependencies.store.variables(environmentId: environment.id, serviceId: service.id)
        }
        return VariableReferences.users(of: keys, owner: owner?.name, services: services)
    }

    /// Checks every key and value before anything is stored, so a bad one rejects the whole change.
    static func validate(set: [String: String], delete: [String]) throws(RailyardError) {
        guard set.count + delete.count <= Validation.maxVariablesPerRequest else {
            throw .invalid(
                "set", "at most \(Validation.maxVariablesPerRequest) variables can be set or deleted in one request"
            )
        }
        for key in set.keys.sorted() {
            try Validation.variableKey(key)
            try Validation.variableValue(set[key]!, key: key)
        }
        for key in delete {
            try Validation.variableKey(key)
            if set[key] != nil {
                throw .invalid("delete", "\(key) is both set and deleted in this request; choose one")
            }
        }
    }

    /// Variables sorted by key, masked unless revealed.
    static func list(_ values: [String: String], reveal: Bool) -> VariableList {
        VariableList(variables: values.keys.sorted().map { key in
            Variable(key: key, value: reveal ? values[key]! : Variable.mask, masked: !reveal)
        })
    }
}
