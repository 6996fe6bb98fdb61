import Foundation
import RailyardCore

/// Variable references (`${{Service.NAME}}`, `${{shared.NAME}}`, `${{NAME}}`), resolved when a
/// release is made: a bad one fails the deployment before it builds, and what runs is untouched.
extension Deployer {
    /// Replaces the references in `release`'s variables with their values.
    func resolveReferences(in release: inout ReleaseEnvironment) async throws {
        guard release.shared.values.contains(where: VariableReferences.hasReference)
            || release.own.values.contains(where: VariableReferences.hasReference)
        else { return }
        var services: [String: VariableReferences.Scope] = [:]
        for other in try await store.services(projectId: release.project.id) {
            if other.id == release.service.id {
                services[other.name] = .init(own: release.own, injected: release.injected(port: nil, replicaId: nil))
                continue
            }
            let generated = try await store.domains(serviceId: other.id, environmentId: release.environment.id).generated
            var injected: [String: String] = [:]
            for (key, value) in [
                ("PRIVATE_DOMAIN", "\(other.name).railyard.internal"), ("SERVICE_NAME", other.name), ("SERVICE_ID", other.id),
                ("PUBLIC_DOMAIN", generated?.host ?? ""),
            ] {
                injected["RAILYARD_\(key)"] = value
                injected["RAILWAY_\(key)"] = value
            }
            services[other.name] = .init(
                own: try await store.variables(environmentId: release.environment.id, serviceId: other.id), injected: injected
            )
        }
        release.resolved = try VariableReferences.resolve(service: release.service.name, services: services, shared: release.shared)
    }

    /// What the service's next release would see of its variables (shared ones overridden by its
    /// own), with references replaced: for `railyard run` and `railyard connect`.
    func resolvedVariables(project: Project, environment: RailyardCore.Environment, service: Service) async throws -> [String: String] {
        var release = ReleaseEnvironment(
            project: project, environment: environment, service: service, deploymentId: "",
            publicHost: try await store.domains(serviceId: service.id, environmentId: environment.id).generated?.host ?? "",
            shared: try await store.variables(environmentId: environment.id, serviceId: nil),
            own: try await store.variables(environmentId: environment.id, serviceId: service.id),
            volume: try await store.volumes(serviceId: service.id, environmentId: environment.id).first,
            tcpProxy: try await tcpProxy(serviceId: service.id, environmentId: environment.id)
        )
        try await resolveReferences(in: &release)
        return release.userVariables
    }
}
