import Foundation
import RailyardCore

/// Everything the control plane keeps. The server never writes SQL itself: it calls this.
///
/// One implementation, ``SQLStore``, runs on SQLite and on PostgreSQL. Methods that change several
/// rows do so in one transaction: a failed call leaves nothing half-written. Validation of names and
/// values is the caller's (the server's) job; the store enforces uniqueness and reports clashes as
/// ``RailyardError/Code/conflict``.
public protocol Store: Sendable {
    // MARK: Users and credentials

    /// Creates a user with a password hash (or none) and their personal workspace, owned by them.
    func createUser(email: String, name: String?, passwordHash: String?) async throws -> User
    /// Creates or updates the user with this GitHub id; a new user gets a personal workspace.
    func upsertGitHubUser(githubId: String, login: String, email: String?, name: String?, avatarURL: String?) async throws -> User
    func user(id: String) async throws -> User?
    func user(email: String) async throws -> User?
    /// The stored bcrypt hash of a user's password, if they have one.
    func passwordHash(userId: String) async throws -> String?

    /// Stores an API token's hash (never the token) for a user.
    func createAPIToken(userId: String, name: String, tokenHash: String, prefix: String) async throws -> APIToken
    /// The user's tokens that are not revoked, newest first.
    func apiTokens(userId: String) async throws -> [APIToken]
    /// Revokes one of the user's tokens; false when the user has no such token.
    func revokeAPIToken(id: String, userId: String) async throws -> Bool
    /// The user owning a live token with this hash, marking the token used.
    func user(apiTokenHash: String) async throws -> User?

    // MARK: Workspaces

    func workspace(id: String) async throws -> Workspace?
    /// The workspaces a user belongs to, with their role in each, personal first.
    func memberships(userId: String) async throws -> [WorkspaceMembership]
    /// A user's role in a workspace; nil when they are not a member.
    func role(userId: String, workspaceId: String) async throws -> Role?
    func members(workspaceId: String) async throws -> [Member]
    /// Adds a user to a workspace; a conflict if they already belong.
    func addMember(workspaceId: String, userId: String, role: Role) async throws -> Member

    // MARK: Projects, environments, services

    /// Creates a project with its `production` environment, atomically.
    func createProject(workspaceId: String, name: String, description: String) async throws -> ProjectDetail
    func project(id: String) async throws -> Project?
    func projectDetail(id: String) async throws -> ProjectDetail?
    /// Projects of the given workspaces, by name.
    func projects(workspaceIds: [String]) async throws -> [Project]
    func updateProject(id: String, name: String?, description: String?) async throws -> Project
    /// Deletes a project and everything in it.
    func deleteProject(id: String) async throws

    func environments(projectId: String) async throws -> [Environment]
    /// Creates an environment; with `duplicating`, copies that environment's service and shared
    /// variables in the same transaction.
    func createEnvironment(projectId: String, name: String, duplicating sourceId: String?) async throws -> Environment
    /// Deletes an environment and its variables; refuses to delete a project's last environment.
    func deleteEnvironment(projectId: String, id: String) async throws

    func services(projectId: String) async throws -> [Service]
    func service(id: String) async throws -> Service?
    func createService(projectId: String, name: String, source: ServiceSource) async throws -> Service
    func updateService(id: String, name: String?, source: ServiceSource?) async throws -> Service
    /// Deletes a service and its variables in every environment.
    func deleteService(id: String) async throws

    // MARK: Variables (sealed at rest)

    /// Decrypted variables of a service in an environment, or the environment's shared variables
    /// when `serviceId` is nil.
    func variables(environmentId: String, serviceId: String?) async throws -> [String: String]
    /// Sets and deletes variables in one transaction and returns the result.
    func updateVariables(
        environmentId: String, serviceId: String?, set: [String: String], delete: [String]
    ) async throws -> [String: String]

    // MARK: Deployments, domains, replicas

    /// Calls `observer` with every deployment created or moved, once the write committed (on the
    /// writer's task: it must return quickly).
    func observeDeployments(_ observer: @escaping @Sendable (Deployment) -> Void)
    /// Stores a new deployment (status QUEUED).
    func createDeployment(_ deployment: Deployment) async throws
    /// Persists a deployment's move from `previous` status; a conflict when it is no longer in `previous`
    /// (someone else moved it), so two writers can never both win.
    func saveDeployment(_ deployment: Deployment, from previous: DeploymentStatus) async throws
    func deployment(id: String) async throws -> Deployment?
    /// A service's deployments in an environment, newest first.
    func deployments(serviceId: String, environmentId: String, limit: Int) async throws -> [Deployment]
    /// The next page of `deployments(serviceId:environmentId:limit:)`: those after `before` in its
    /// order (newest first), or the first page for nil.
    func deployments(serviceId: String, environmentId: String, limit: Int, before: Deployment?) async throws -> [Deployment]
    /// Every deployment (id, service, environment, status, times) for log retention.
    func allDeploymentsForRetention() async throws -> [Deployment]
    /// Every deployment in one of `statuses` (start-up recovery).
    func deployments(statuses: [DeploymentStatus]) async throws -> [Deployment]

    /// A service's domains in an environment.
    func domains(serviceId: String, environmentId: String) async throws -> [ServiceDomain]
    /// Every domain (to build the edge's route table at start).
    func allDomains() async throws -> [ServiceDomain]
    /// The service's generated domain, creating it from the first free candidate host when it has none.
    func ensureGeneratedDomain(serviceId: String, environmentId: String, candidates: [String]) async throws -> ServiceDomain
    /// Adds a custom domain (a host already validated and normalised) to a service in an environment;
    /// a conflict when any service has the host, naming it only when it is in the same workspace.
    func createCustomDomain(serviceId: String, environmentId: String, host: String) async throws -> ServiceDomain
    /// Forgets a domain; true when it existed.
    func deleteDomain(id: String) async throws -> Bool

    /// The build and deploy settings made through the API for a service in an environment (empty
    /// when none were made). Config as code is laid over them at each deployment.
    func serviceSettings(serviceId: String, environmentId: String) async throws -> ServiceConfig
    /// Replaces a service's settings in an environment.
    func saveServiceSettings(_ settings: ServiceConfig, serviceId: String, environmentId: String) async throws
    /// Records the config a deployment went out with (settings and config as code combined).
    func saveDeploymentConfig(_ config: ServiceConfig, deploymentId: String) async throws
    /// The config a deployment went out with, or nil when it never got that far.
    func deploymentConfig(deploymentId: String) async throws -> ServiceConfig?

    /// Creates the service's volume in an environment; a conflict when it already has one.
    func createVolume(serviceId: String, environmentId: String, mountPath: String) async throws -> Volume
    /// The service's volumes in an environment (at most one).
    func volumes(serviceId: String, environmentId: String) async throws -> [Volume]
    /// Forgets a volume; true when it existed.
    func deleteVolume(id: String) async throws -> Bool

    /// Exposes a service's `targetPort` in an environment on the lowest public port of `publicPorts`
    /// no proxy holds; a conflict when the service already exposes that port or the range is used up.
    func createTCPProxy(serviceId: String, environmentId: String, targetPort: Int, publicPorts: ClosedRange<Int>) async throws -> ServiceTCPProxy
    /// The service's TCP proxies in an environment, by public port.
    func tcpProxies(serviceId: String, environmentId: String) async throws -> [ServiceTCPProxy]
    /// Every TCP proxy (to listen on their ports at start).
    func allTCPProxies() async throws -> [ServiceTCPProxy]
    /// Forgets a TCP proxy; true when it existed.
    func deleteTCPProxy(id: String) async throws -> Bool

    /// The number allocated to `owner` among the `kind`'s, allocating the next one (from 1) on first
    /// use. Numbers are never reused, even after the owner is gone.
    func allocatedNumber(_ kind: Allocation, owner: String) async throws -> Int

    /// Records a running replica's process, so a restarted server can find it.
    func recordReplica(_ replica: ReplicaRecord) async throws
    func replicas(deploymentId: String) async throws -> [ReplicaRecord]
    func removeReplicas(deploymentId: String) async throws
    /// Forgets one replica (it ended, or was stopped).
    func removeReplica(id: String) async throws

    // MARK: Cron runs

    /// Records a cron run (or a skipped due time), with the pid of its process while it runs, and
    /// forgets the service's oldest ended runs in the environment beyond `keep`; returns the ids it
    /// forgot (their logs are the caller's to delete).
    func recordCronRun(_ run: CronRun, pid: Int32?, keep: Int) async throws -> [String]
    /// Saves how a run ended (status, end, exit code, detail) and forgets its pid.
    func finishCronRun(_ run: CronRun) async throws
    func cronRun(id: String) async throws -> CronRun?
    /// A service's cron runs in an environment, newest due time first.
    func cronRuns(serviceId: String, environmentId: String, limit: Int) async throws -> [CronRun]
    /// Every run still marked running, with its process's pid (start-up recovery).
    func runningCronRuns() async throws -> [(run: CronRun, pid: Int32?)]

    // MARK: Audit log and invitations

    func recordAuditEvent(_ event: AuditEvent) async throws
    /// A workspace's audit events, newest first.
    func auditEvents(workspaceId: String, limit: Int) async throws -> [AuditEvent]
    /// Stores an invitation with its token's hash.
    func createInvitation(_ invitation: WorkspaceInvitation, tokenHash: String) async throws
    /// A workspace's pending invitations, oldest first.
    func invitations(workspaceId: String) async throws -> [WorkspaceInvitation]
    /// The pending invitation with this token hash.
    func invitation(tokenHash: String) async throws -> WorkspaceInvitation?
    /// Forgets an invitation; false when the workspace has none with that id.
    func deleteInvitation(id: String, workspaceId: String) async throws -> Bool
    /// Makes `userId` a member with the invitation's role and forgets the invitation, in one transaction.
    func acceptInvitation(_ invitation: WorkspaceInvitation, userId: String) async throws -> Member

    // MARK: Log marks

    /// Notes how long deployments' runtime logs were at `at`.
    func recordLogMarks(_ marks: [(deploymentId: String, offset: Int64)], at: Date) async throws
    /// A deployment's marks, by offset.
    func logMarks(deploymentId: String) async throws -> [(offset: Int64, at: Date)]
    /// Forgets a deployment's marks (its log was deleted).
    func deleteLogMarks(deploymentId: String) async throws

    // MARK: Usage figures

    /// Stores raw samples (one resolution, usually 5 s).
    func recordUsage(_ samples: [UsageSample]) async throws
    /// Rolls the samples of `source` resolution in [from, to) up into `target`-second samples (average
    /// CPU, peak memory, summed network bytes, largest disk), replacing any made before for that span.
    func rollUpUsage(source: Int, target: Int, from: Date, to: Date) async throws
    /// A service's samples of one resolution from `since` on, oldest first.
    func usage(serviceId: String, environmentId: String, resolution: Int, since: Date) async throws -> [UsageSample]
    /// Forgets samples of `resolution` older than `before`.
    func pruneUsage(resolution: Int, before: Date) async throws

    // MARK: Project webhooks

    func createProjectWebhook(projectId: String, url: String, format: ProjectWebhook.Format) async throws -> ProjectWebhook
    /// A project's webhooks, oldest first.
    func projectWebhooks(projectId: String) async throws -> [ProjectWebhook]
    /// Forgets a project's webhook; false when it has none with that id.
    func deleteProjectWebhook(id: String, projectId: String) async throws -> Bool
    /// One webhook by id, whatever its project.
    func projectWebhook(id: String) async throws -> ProjectWebhook?
    /// Keeps a delivery that is being retried, so a restart can carry on with it.
    func enqueueWebhookDelivery(_ delivery: PendingWebhookDelivery) async throws
    /// Every delivery still being retried, oldest first.
    func pendingWebhookDeliveries() async throws -> [PendingWebhookDelivery]
    /// Moves a pending delivery on to its next attempt.
    func advanceWebhookDelivery(id: String, nextAttempt: Int) async throws
    /// Forgets a pending delivery (delivered, refused, or given up).
    func finishWebhookDelivery(id: String) async throws
    /// Records one attempt and keeps only the webhook's newest `keep`.
    func recordWebhookAttempt(_ attempt: WebhookDelivery, webhookId: String, keep: Int) async throws
    /// A webhook's recorded attempts, newest first.
    func webhookAttempts(webhookId: String) async throws -> [WebhookDelivery]

    // MARK: Database backups

    func createDatabaseBackup(_ backup: DatabaseBackup) async throws
    /// Saves how a backup ended: status, size, detail, end.
    func finishDatabaseBackup(_ backup: DatabaseBackup) async throws
    func databaseBackup(id: String) async throws -> DatabaseBackup?
    /// A database service's backups in an environment, newest first.
    func databaseBackups(serviceId: String, environmentId: String) async throws -> [DatabaseBackup]
    /// Every backup in one status (start-up recovery finds the ones a restart interrupted).
    func databaseBackups(status: DatabaseBackup.Status) async throws -> [DatabaseBackup]
    /// Forgets a backup; false when there was none (its file is the caller's to delete).
    func deleteDatabaseBackup(id: String) async throws -> Bool
    /// The service's backup schedule and retention in an environment, if ever set.
    func backupPolicy(serviceId: String, environmentId: String) async throws -> DatabaseBackupPolicy?
    func saveBackupPolicy(_ policy: DatabaseBackupPolicy, serviceId: String, environmentId: String) async throws
    /// Every policy with a schedule.
    func scheduledBackupPolicies() async throws -> [(serviceId: String, environmentId: String, policy: DatabaseBackupPolicy)]
}

/// What `Store.allocatedNumber` hands out numbers for.
public enum Allocation: String, Sendable {
    /// A service's user: uid = the isolation's base + the number.
    case serviceUser = "service-user"
    /// A project-environment's private network: its subnet.
    case network
}
