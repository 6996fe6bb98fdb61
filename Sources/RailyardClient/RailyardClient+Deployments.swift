import AsyncHTTPClient
import NIOCore
import RailyardCore

extension RailyardClient {
    /// The longest a log request may wait on the server for new text, in seconds.
    public static let maxLogWait = 25

    /// `POST …/services/{serviceId}/deployments`: uploads a gzip'd tar of the source, read from the
    /// file at `archivePath` as it is sent, and returns the new QUEUED deployment.
    public func deploy(
        projectId: String, environmentId: String, serviceId: String, archivePath: String,
        timeout: TimeAmount = .minutes(10)
    ) async throws -> Deployment {
        let size = try FileChunks.size(of: archivePath)
        return try await send(
            .POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/deployments",
            body: .stream(FileChunks(path: archivePath), length: .known(size)),
            contentType: "application/gzip", timeout: timeout
        )
    }

    /// `POST …/services/{serviceId}/redeploy`: builds and deploys the service's latest source (for a git
    /// source, the deployed commit) again; with `latest`, fetches the head of its branch instead.
    public func redeploy(projectId: String, environmentId: String, serviceId: String, latest: Bool = false) async throws -> Deployment {
        try await send(
            .POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/redeploy",
            query: latest ? ["latest": "true"] : [:]
        )
    }

    /// `POST …/services/{serviceId}/deployments` without a body: deploys the head of a git-sourced
    /// service's branch.
    public func deployWithoutUpload(projectId: String, environmentId: String, serviceId: String) async throws -> Deployment {
        try await send(.POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/deployments")
    }

    /// `POST …/services/{serviceId}/down`: stops and removes the service's running deployment.
    public func down(projectId: String, environmentId: String, serviceId: String) async throws {
        try await sendExpectingNoContent(.POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/down")
    }

    /// `GET …/services/{serviceId}/volumes`.
    public func volumes(projectId: String, environmentId: String, serviceId: String) async throws -> [Volume] {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/volumes")
    }

    /// `POST …/services/{serviceId}/volumes`.
    public func createVolume(projectId: String, environmentId: String, serviceId: String, mountPath: String) async throws -> Volume {
        try await send(
            .POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/volumes", body: CreateVolumeRequest(mountPath: mountPath)
        )
    }

    /// `DELETE …/services/{serviceId}/volumes/{volumeId}`.
    public func deleteVolume(projectId: String, environmentId: String, serviceId: String, volumeId: String) async throws {
        try await sendExpectingNoContent(
            .DELETE, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/volumes/\(Self.segment(volumeId))"
        )
    }

    /// `POST …/services/{serviceId}/scale`: sets the replica count; answers the service's settings.
    public func scale(projectId: String, environmentId: String, serviceId: String, replicas: Int) async throws -> ServiceConfig {
        try await send(.POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/scale", body: ScaleRequest(replicas: replicas))
    }

    /// `POST …/services/{serviceId}/restart`: starts the live release's replicas again.
    public func restart(projectId: String, environmentId: String, serviceId: String) async throws {
        try await sendExpectingNoContent(.POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/restart")
    }

    /// `POST …/services/{serviceId}/rollback`: deploys an earlier release again.
    public func rollback(projectId: String, environmentId: String, serviceId: String, to deploymentId: String?) async throws -> Deployment {
        try await send(
            .POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/rollback",
            body: RollbackRequest(deploymentId: deploymentId)
        )
    }

    /// `GET …/services/{serviceId}/deployments`: the service's deployments in one environment, newest first.
    public func deployments(projectId: String, environmentId: String, serviceId: String) async throws -> [Deployment] {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/deployments")
    }

    /// `GET /api/v1/projects/{projectId}/deployments/{deploymentId}`.
    public func deployment(projectId: String, id: String) async throws -> Deployment {
        try await send(.GET, Self.deploymentPath(projectId, id))
    }

    /// `GET …/deployments/{deploymentId}/logs`: the log text past `offset`, waiting up to `wait`
    /// seconds (at most ``maxLogWait``) for some to appear.
    public func deploymentLogs(
        projectId: String, deploymentId: String, stream: LogStream, offset: Int64 = 0, wait: Int = 0
    ) async throws -> LogChunk {
        let wait = min(max(wait, 0), Self.maxLogWait)
        return try await send(
            .GET, Self.deploymentPath(projectId, deploymentId) + "/logs",
            query: ["stream": stream.rawValue, "offset": String(offset), "wait": String(wait)],
            timeout: .seconds(Int64(wait) + 30)
        )
    }

    /// `GET …/services/{serviceId}/domains`: the host names the service answers at in one environment.
    public func domains(projectId: String, environmentId: String, serviceId: String) async throws -> [ServiceDomain] {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/domains")
    }

    /// `POST …/services/{serviceId}/domains`: adds a custom domain to the service in one environment,
    /// with its PEM certificate chain and key when given.
    public func addDomain(
        projectId: String, environmentId: String, serviceId: String, domain: String, certificate: String? = nil, privateKey: String? = nil
    ) async throws -> ServiceDomain {
        try await send(
            .POST, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/domains",
            body: CreateDomainRequest(domain: domain, certificate: certificate, privateKey: privateKey)
        )
    }

    /// `PUT …/domains/{domainId}/certificate`: the PEM certificate chain and key HTTPS presents for a custom domain.
    public func setDomainCertificate(
        projectId: String, environmentId: String, serviceId: String, domainId: String, certificate: String, privateKey: String
    ) async throws -> ServiceDomain {
        try await send(
            .PUT, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/domains/\(Self.segment(domainId))/certificate",
            body: SetDomainCertificateRequest(certificate: certificate, privateKey: privateKey)
        )
    }

    /// `DELETE …/domains/{domainId}/certificate`: HTTPS presents the default certificate for the domain again.
    public func removeDomainCertificate(projectId: String, environmentId: String, serviceId: String, domainId: String) async throws {
        try await sendExpectingNoContent(
            .DELETE, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/domains/\(Self.segment(domainId))/certificate"
        )
    }

    /// `DELETE …/services/{serviceId}/domains/{domainId}`: removes a custom domain.
    public func removeDomain(projectId: String, environmentId: String, serviceId: String, domainId: String) async throws {
        try await sendExpectingNoContent(
            .DELETE, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/domains/\(Self.segment(domainId))"
        )
    }

    static func serviceInEnvironmentPath(_ projectId: String, _ environmentId: String, _ serviceId: String) -> String {
        environmentPath(projectId, environmentId) + "/services/\(segment(serviceId))"
    }

    static func deploymentPath(_ projectId: String, _ deploymentId: String) -> String {
        projectPath(projectId) + "/deployments/\(segment(deploymentId))"
    }
}

extension RailyardClient {
    /// `GET …/services/{serviceId}/http-logs`: the newest `limit` requests through the edge that
    /// match `status` (404 or 5xx) and `path` (a prefix), oldest first.
    public func httpLogs(
        projectId: String, environmentId: String, serviceId: String, status: String? = nil, path: String? = nil, limit: Int = 100
    ) async throws -> [AccessRecord] {
        var query = ["limit": String(limit)]
        query["status"] = status
        query["path"] = path
        return try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/http-logs", query: query)
    }

    /// `GET …/services/{serviceId}/http-stats`: requests by status class and a latency histogram.
    public func httpStats(projectId: String, environmentId: String, serviceId: String) async throws -> HTTPStats {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/http-stats")
    }
}

extension RailyardClient {
    /// `GET …/services/{serviceId}/metrics?since=…`: the service's usage figures.
    public func serviceMetrics(projectId: String, environmentId: String, serviceId: String, since: String) async throws -> UsageReport {
        try await send(.GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/metrics", query: ["since": since])
    }
}

extension RailyardClient {
    /// `GET …/services/{serviceId}/logs/search?q=…&since=…`.
    public func searchLogs(projectId: String, environmentId: String, serviceId: String, query: String, since: String) async throws -> LogSearchResult {
        try await send(
            .GET, Self.serviceInEnvironmentPath(projectId, environmentId, serviceId) + "/logs/search", query: ["q": query, "since": since]
        )
    }
}
