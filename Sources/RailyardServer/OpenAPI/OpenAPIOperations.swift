import RailyardCore

/// Every route of the API, as documented.
enum OpenAPIOperations {
    private typealias S = OpenAPISchemas

    static let all: [OpenAPIOperation] = system + auth + account + workspaces + projects + environments + services + variables
        + settings + deployments + cron + volumes + domains + tcpProxies + databases + projectWebhooks + usage + team + webhooks

    private static let system: [OpenAPIOperation] = [
        .init(method: "get", path: "/health", operationId: "health", summary: "Liveness check", tag: "system",
              success: (200, S.ref("Health")), authenticated: false),
        .init(method: "get", path: "/metrics", operationId: "metrics",
              summary: "Prometheus text exposition (text/plain; version=0.0.4): deployments, their durations, live applications, the edge's requests per service, the server's process figures. Needs `Authorization: Bearer <--metrics-token>` when the server has one",
              tag: "system", success: (200, ["type": "string"]), authenticated: false),
        .init(method: "get", path: "/api/v1/openapi.json", operationId: "openAPIDocument",
              summary: "This document", tag: "system", success: (200, ["type": "object"]), authenticated: false),
        .init(method: "get", path: "/", operationId: "dashboard", summary: "The dashboard's page (HTML)", tag: "dashboard",
              success: (200, nil), authenticated: false),
        .init(method: "get", path: "/assets/{file}", operationId: "dashboardAsset",
              summary: "One of the dashboard's CSS or JavaScript files", tag: "dashboard", success: (200, nil), authenticated: false),
        .init(method: "get", path: "/api/v1/events", operationId: "events",
              summary: "WebSocket of live deployment statuses and log lines (see docs/api.md); without an upgrade, 400",
              tag: "dashboard", success: (101, nil), authenticated: false),
    ]

    private static let auth: [OpenAPIOperation] = [
        .init(method: "post", path: "/api/v1/auth/signup", operationId: "signup", summary: "Create an account with email and password",
              tag: "auth", requestBody: "SignupRequest", success: (201, S.ref("AuthResponse")), authenticated: false),
        .init(method: "post", path: "/api/v1/auth/login", operationId: "login", summary: "Log in with email and password",
              tag: "auth", requestBody: "LoginRequest", success: (200, S.ref("AuthResponse")), authenticated: false),
        .init(method: "get", path: "/api/v1/auth/methods", operationId: "signInMethods",
              summary: "Which sign-ins this server offers: {\"password\": true, \"github\": bool}", tag: "auth",
              success: (200, ["type": "object", "additionalProperties": ["type": "boolean"]]), authenticated: false),
        .init(method: "get", path: "/api/v1/auth/github", operationId: "githubSignIn",
              summary: "Redirect to GitHub to sign in", tag: "auth", success: (302, nil), authenticated: false,
              query: [("next", "`dashboard`: the callback answers a page that hands the token to the dashboard, not JSON",
                       ["type": "string", "enum": ["dashboard"]])]),
        .init(method: "get", path: "/api/v1/auth/github/callback", operationId: "githubCallback",
              summary: "Finish GitHub sign-in: exchange the code, upsert the user", tag: "auth",
              success: (200, S.ref("AuthResponse")), authenticated: false,
              query: [("code", "The code GitHub sent", ["type": "string"]),
                      ("state", "The state Railyard signed when redirecting", ["type": "string"])]),
    ]

    private static let account: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/me", operationId: "me", summary: "The caller and their workspaces",
              tag: "account", success: (200, S.ref("Me"))),
        .init(method: "get", path: "/api/v1/tokens", operationId: "listTokens", summary: "The caller's API tokens",
              tag: "account", success: (200, S.array("APIToken"))),
        .init(method: "post", path: "/api/v1/tokens", operationId: "createToken",
              summary: "Create an API token (its secret is shown once)", tag: "account",
              requestBody: "CreateTokenRequest", success: (201, S.ref("CreatedToken"))),
        .init(method: "delete", path: "/api/v1/tokens/{tokenId}", operationId: "revokeToken",
              summary: "Revoke one of the caller's API tokens", tag: "account", success: (204, nil)),
    ]

    private static let workspaces: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/workspaces", operationId: "listWorkspaces",
              summary: "The caller's workspaces and roles", tag: "workspaces", success: (200, S.array("WorkspaceMembership"))),
        .init(method: "get", path: "/api/v1/workspaces/{workspaceId}", operationId: "getWorkspace",
              summary: "One workspace", tag: "workspaces", success: (200, S.ref("Workspace")), permission: .workspaceRead),
        .init(method: "get", path: "/api/v1/workspaces/{workspaceId}/members", operationId: "listMembers",
              summary: "A workspace's members", tag: "workspaces", success: (200, S.array("Member")), permission: .workspaceRead),
        .init(method: "post", path: "/api/v1/workspaces/{workspaceId}/members", operationId: "addMember",
              summary: "Add an existing user to a workspace", tag: "workspaces", requestBody: "AddMemberRequest",
              success: (201, S.ref("Member")), permission: .workspaceManageMembers),
    ]

    private static let projects: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects", operationId: "listProjects",
              summary: "Projects the caller can read", tag: "projects", success: (200, S.array("Project")),
              permission: .projectRead, query: [("workspaceId", "Only this workspace's projects", ["type": "string"])]),
        .init(method: "post", path: "/api/v1/projects", operationId: "createProject",
              summary: "Create a project with its production environment", tag: "projects",
              requestBody: "CreateProjectRequest", success: (201, S.ref("ProjectDetail")), permission: .projectCreate),
        .init(method: "get", path: "/api/v1/projects/{projectId}", operationId: "getProject",
              summary: "A project with its environments and services", tag: "projects",
              success: (200, S.ref("ProjectDetail")), permission: .projectRead),
        .init(method: "patch", path: "/api/v1/projects/{projectId}", operationId: "updateProject",
              summary: "Rename or describe a project", tag: "projects", requestBody: "UpdateProjectRequest",
              success: (200, S.ref("Project")), permission: .projectUpdate),
        .init(method: "delete", path: "/api/v1/projects/{projectId}", operationId: "deleteProject",
              summary: "Delete a project and everything in it", tag: "projects", success: (204, nil), permission: .projectDelete),
    ]

    private static let environments: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects/{projectId}/environments", operationId: "listEnvironments",
              summary: "A project's environments", tag: "environments", success: (200, S.array("Environment")),
              permission: .projectRead),
        .init(method: "post", path: "/api/v1/projects/{projectId}/environments", operationId: "createEnvironment",
              summary: "Create an environment, empty or duplicating another's variables", tag: "environments",
              requestBody: "CreateEnvironmentRequest", success: (201, S.ref("Environment")), permission: .projectUpdate),
        .init(method: "delete", path: "/api/v1/projects/{projectId}/environments/{environmentId}",
              operationId: "deleteEnvironment", summary: "Delete an environment and its variables", tag: "environments",
              success: (204, nil), permission: .projectUpdate),
    ]

    private static let services: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects/{projectId}/services", operationId: "listServices",
              summary: "A project's services", tag: "services", success: (200, S.array("Service")), permission: .projectRead),
        .init(method: "post", path: "/api/v1/projects/{projectId}/services", operationId: "createService",
              summary: "Create a service", tag: "services", requestBody: "CreateServiceRequest",
              success: (201, S.ref("Service")), permission: .projectUpdate),
        .init(method: "get", path: "/api/v1/projects/{projectId}/services/{serviceId}", operationId: "getService",
              summary: "One service", tag: "services", success: (200, S.ref("Service")), permission: .projectRead),
        .init(method: "patch", path: "/api/v1/projects/{projectId}/services/{serviceId}", operationId: "updateService",
              summary: "Rename a service or change its source", tag: "services", requestBody: "UpdateServiceRequest",
              success: (200, S.ref("Service")), permission: .projectUpdate),
        .init(method: "delete", path: "/api/v1/projects/{projectId}/services/{serviceId}", operationId: "deleteService",
              summary: "Delete a service and its variables", tag: "services", success: (204, nil), permission: .projectUpdate),
    ]

    private static let reveal: [(name: String, description: String, schema: JSONValue)] = [
        ("reveal", "true to show values (needs variables.reveal)", ["type": "boolean"]),
    ]

    private static let variables: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects/{projectId}/environments/{environmentId}/variables",
              operationId: "listSharedVariables", summary: "An environment's shared variables, masked unless revealed",
              tag: "variables", success: (200, S.ref("VariableList")), permission: .variablesRead, query: reveal),
        .init(method: "patch", path: "/api/v1/projects/{projectId}/environments/{environmentId}/variables",
              operationId: "updateSharedVariables", summary: "Set and delete shared variables atomically",
              tag: "variables", requestBody: "UpdateVariablesRequest", success: (200, S.ref("VariableList")),
              permission: .variablesWrite),
        .init(method: "get",
              path: "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/variables",
              operationId: "listServiceVariables",
              summary: "A service's variables in an environment, masked unless revealed; with resolved=true (and reveal) every variable its next release sees, shared ones too, references replaced",
              tag: "variables", success: (200, S.ref("VariableList")), permission: .variablesRead,
              query: reveal + [("resolved", "true (with reveal) to replace references, as a release sees them", ["type": "boolean"])]),
        .init(method: "patch",
              path: "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/variables",
              operationId: "updateServiceVariables", summary: "Set and delete a service's variables atomically",
              tag: "variables", requestBody: "UpdateVariablesRequest", success: (200, S.ref("VariableList")),
              permission: .variablesWrite),
    ]

    private static let volumes: [OpenAPIOperation] = {
        let path = "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/volumes"
        return [
            .init(method: "get", path: path, operationId: "listVolumes", summary: "The service's volume in the environment (at most one)",
                  tag: "volumes", success: (200, S.array("Volume")), permission: .projectRead),
            .init(method: "post", path: path, operationId: "createVolume",
                  summary: "Create the service's volume, mounted at mountPath from the next deployment", tag: "volumes",
                  requestBody: "CreateVolumeRequest", success: (201, S.ref("Volume")), permission: .projectUpdate),
            .init(method: "delete", path: "\(path)/{volumeId}", operationId: "deleteVolume",
                  summary: "Delete a volume and its data", tag: "volumes", success: (204, nil), permission: .projectUpdate),
        ]
    }()

    private static let domains: [OpenAPIOperation] = {
        let path = "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/domains"
        return [
            .init(method: "get", path: path, operationId: "listDomains",
                  summary: "The host names that route to the service: its generated domain and custom domains", tag: "domains",
                  success: (200, S.array("ServiceDomain")), permission: .projectRead),
            .init(method: "post", path: path, operationId: "addDomain",
                  summary: "Add a custom domain, optionally with its PEM certificate and key; it answers as the service's generated domain does (409 when any service has it)",
                  tag: "domains", requestBody: "CreateDomainRequest", success: (201, S.ref("ServiceDomain")), permission: .projectUpdate),
            .init(method: "delete", path: "\(path)/{domainId}", operationId: "removeDomain",
                  summary: "Remove a custom domain (409 for the generated one)", tag: "domains", success: (204, nil),
                  permission: .projectUpdate),
            .init(method: "put", path: "\(path)/{domainId}/certificate", operationId: "setDomainCertificate",
                  summary: "Give a custom domain the PEM certificate chain and key HTTPS presents for it (400 naming what to fix)",
                  tag: "domains", requestBody: "SetDomainCertificateRequest", success: (200, S.ref("ServiceDomain")),
                  permission: .projectUpdate),
            .init(method: "delete", path: "\(path)/{domainId}/certificate", operationId: "removeDomainCertificate",
                  summary: "Remove a custom domain's certificate; HTTPS then presents the default one", tag: "domains",
                  success: (204, nil), permission: .projectUpdate),
        ]
    }()

    private static let tcpProxies: [OpenAPIOperation] = {
        let path = "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/tcp-proxies"
        return [
            .init(method: "get", path: path, operationId: "listTCPProxies",
                  summary: "The public TCP ports that forward to the service's internal ports", tag: "tcp-proxies",
                  success: (200, S.array("TCPProxy")), permission: .projectRead),
            .init(method: "post", path: path, operationId: "addTCPProxy",
                  summary: "Expose an internal port of the service on the lowest free public port (409 when none is free or it cannot be opened)",
                  tag: "tcp-proxies", requestBody: "CreateTCPProxyRequest", success: (201, S.ref("TCPProxy")), permission: .projectUpdate),
            .init(method: "delete", path: "\(path)/{proxyId}", operationId: "removeTCPProxy",
                  summary: "Remove a TCP proxy: its public port closes at once", tag: "tcp-proxies", success: (204, nil),
                  permission: .projectUpdate),
        ]
    }()

    private static let databases: [OpenAPIOperation] = {
        let path = "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}"
        return [
            .init(method: "post", path: "/api/v1/projects/{projectId}/databases", operationId: "addDatabase",
                  summary: "Add a database service (postgres, redis, mysql or mongo) with a volume, generated credentials and Railway's variables, and deploy it (400 naming the package when the server program is not installed)",
                  tag: "databases", requestBody: "CreateDatabaseRequest", success: (201, S.ref("CreatedDatabase")), permission: .projectUpdate),
            .init(method: "get", path: "\(path)/backups", operationId: "listBackups",
                  summary: "A database service's backups in the environment, newest first", tag: "databases",
                  success: (200, S.array("DatabaseBackup")), permission: .projectRead),
            .init(method: "post", path: "\(path)/backups", operationId: "createBackup",
                  summary: "Back the running database up now; answers the backup RUNNING, which ends SUCCESS or FAILED (409 when it is not running or a backup already runs)",
                  tag: "databases", success: (201, S.ref("DatabaseBackup")), permission: .projectUpdate),
            .init(method: "post", path: "\(path)/backups/restore", operationId: "restoreBackup",
                  summary: "Restore a successful backup of this or another database service of the same engine in the project into this one (PostgreSQL in one transaction; Redis is stopped, given the RDB and deployed again)",
                  tag: "databases", requestBody: "RestoreBackupRequest", success: (200, S.ref("RestoredBackup")), permission: .projectUpdate),
            .init(method: "get", path: "\(path)/backups/{backupId}", operationId: "getBackup",
                  summary: "One backup", tag: "databases", success: (200, S.ref("DatabaseBackup")), permission: .projectRead),
            .init(method: "delete", path: "\(path)/backups/{backupId}", operationId: "deleteBackup",
                  summary: "Delete a backup and its file (409 while it runs)", tag: "databases", success: (204, nil), permission: .projectUpdate),
            .init(method: "get", path: "\(path)/backup-policy", operationId: "getBackupPolicy",
                  summary: "The database's backup schedule (cron, UTC) and how many backups are kept", tag: "databases",
                  success: (200, S.ref("DatabaseBackupPolicy")), permission: .projectRead),
            .init(method: "put", path: "\(path)/backup-policy", operationId: "updateBackupPolicy",
                  summary: "Set the schedule (\"\" for none) and/or the retention count; older backups beyond it are deleted at once",
                  tag: "databases", requestBody: "UpdateBackupPolicyRequest", success: (200, S.ref("DatabaseBackupPolicy")),
                  permission: .projectUpdate),
        ]
    }()

    private static let projectWebhooks: [OpenAPIOperation] = {
        let path = "/api/v1/projects/{projectId}/webhooks"
        return [
            .init(method: "get", path: path, operationId: "listProjectWebhooks",
                  summary: "Where the project's deploy events and alerts are POSTed", tag: "notifications",
                  success: (200, S.array("ProjectWebhook")), permission: .projectRead),
            .init(method: "post", path: path, operationId: "addProjectWebhook",
                  summary: "Add a receiver (json, slack or discord body); the answer holds its signing secret, shown only here",
                  tag: "notifications", requestBody: "CreateProjectWebhookRequest", success: (201, S.ref("ProjectWebhook")),
                  permission: .projectUpdate),
            .init(method: "delete", path: "\(path)/{webhookId}", operationId: "removeProjectWebhook",
                  summary: "Remove a receiver", tag: "notifications", success: (204, nil), permission: .projectUpdate),
            .init(method: "get", path: "\(path)/{webhookId}/deliveries", operationId: "listWebhookDeliveries",
                  summary: "The newest delivery attempts to a receiver (kept in memory since the server started), newest first",
                  tag: "notifications", success: (200, S.array("WebhookDelivery")), permission: .projectRead),
        ]
    }()

    private static let usage: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/metrics",
              operationId: "serviceMetrics",
              summary: "The service's CPU, memory, network and disk figures since `since` (1m–8d, default 1h): every 5 s for the last hour, per minute for two days, per 10 minutes for 8 days; summed over replicas and per replica",
              tag: "metrics", success: (200, S.ref("UsageReport")), permission: .projectRead,
              query: [("since", "how far back: 30m, 6h, 7d", ["type": "string"])]),
        .init(method: "get", path: "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/logs/search",
              operationId: "searchLogs",
              summary: "Lines of the service's runtime logs containing q (any case), from deployments alive between since and until ago, newest deployment first",
              tag: "deployments", success: (200, S.ref("LogSearchResult")), permission: .projectRead,
              query: [("q", "the text", ["type": "string"]), ("since", "how far back: 1h, 7d (default 1d)", ["type": "string"]),
                      ("until", "up to how long ago (default now)", ["type": "string"]), ("limit", "at most this many lines (1–1000, default 200)", ["type": "integer"])]),
    ]

    private static let team: [OpenAPIOperation] = {
        let path = "/api/v1/workspaces/{workspaceId}"
        return [
            .init(method: "get", path: "\(path)/audit", operationId: "auditLog",
                  summary: "Who changed what in the workspace, newest first (?limit=1..1000, default 100)", tag: "workspaces",
                  success: (200, S.array("AuditEvent")), permission: .workspaceAuditRead,
                  query: [("limit", "how many events", ["type": "integer"])]),
            .init(method: "get", path: "\(path)/invitations", operationId: "listInvitations",
                  summary: "Pending invitations", tag: "workspaces", success: (200, S.array("WorkspaceInvitation")),
                  permission: .workspaceManageMembers),
            .init(method: "post", path: "\(path)/invitations", operationId: "invite",
                  summary: "Invite an email address with a role; the answer holds the token they accept with (no mail is sent)",
                  tag: "workspaces", requestBody: "CreateInvitationRequest", success: (201, S.ref("WorkspaceInvitation")),
                  permission: .workspaceManageMembers),
            .init(method: "delete", path: "\(path)/invitations/{invitationId}", operationId: "revokeInvitation",
                  summary: "Revoke a pending invitation", tag: "workspaces", success: (204, nil), permission: .workspaceManageMembers),
            .init(method: "post", path: "/api/v1/invitations/accept", operationId: "acceptInvitation",
                  summary: "Join the workspace an invitation names, as the signed-in user with its email", tag: "workspaces",
                  requestBody: "AcceptInvitationRequest", success: (201, S.ref("Member"))),
        ]
    }()

    private static let settings: [OpenAPIOperation] = {
        let path = "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/settings"
        return [
            .init(method: "get", path: path, operationId: "getServiceSettings",
                  summary: "A service's build and deploy settings in an environment (config as code is laid over them)",
                  tag: "settings", success: (200, S.ref("ServiceConfig")), permission: .projectRead),
            .init(method: "put", path: path, operationId: "replaceServiceSettings",
                  summary: "Replace every setting; keys left out are cleared", tag: "settings", requestBody: "ServiceConfig",
                  success: (200, S.ref("ServiceConfig")), permission: .projectUpdate),
            .init(method: "patch", path: path, operationId: "updateServiceSettings",
                  summary: "Set the keys the body names and keep the others", tag: "settings", requestBody: "ServiceConfig",
                  success: (200, S.ref("ServiceConfig")), permission: .projectUpdate),
            .init(method: "get", path: path.replacingOccurrences(of: "/settings", with: "/isolation"), operationId: "getServiceIsolation",
                  summary: "The sandbox, user, network and resource limits the service's replicas run under in the environment",
                  tag: "settings", success: (200, S.ref("ServiceIsolation")), permission: .projectRead),
        ]
    }()

    private static let deployments: [OpenAPIOperation] = {
        let service = "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}"
        return [
            .init(method: "post", path: "\(service)/deployments", operationId: "deploy",
                  summary: "Upload the app's folder as a gzip'd tar and deploy it; an empty body deploys a git-sourced service's branch head",
                  tag: "deployments",
                  success: (201, S.ref("Deployment")), permission: .serviceDeploy, binaryBody: "application/gzip"),
            .init(method: "get", path: "\(service)/deployments", operationId: "listDeployments",
                  summary: "A service's deployments in an environment, newest first", tag: "deployments",
                  success: (200, S.array("Deployment")), permission: .projectRead,
                  query: [("limit", "How many (1–100, default 20)", ["type": "integer"]),
                          ("before", "The last deployment id of the previous page: the next, older page", ["type": "string"])]),
            .init(method: "post", path: "\(service)/redeploy", operationId: "redeploy",
                  summary: "Build and deploy the latest source (a git source's deployed commit) again", tag: "deployments",
                  success: (201, S.ref("Deployment")), permission: .serviceDeploy,
                  query: [("latest", "true to fetch and deploy the head of a git source's branch instead", ["type": "boolean"])]),
            .init(method: "post", path: "\(service)/scale", operationId: "scale",
                  summary: "Set the replica count (stored as deploy.numReplicas) and apply it to the live release", tag: "deployments",
                  requestBody: "ScaleRequest", success: (200, S.ref("ServiceConfig")), permission: .serviceDeploy),
            .init(method: "post", path: "\(service)/restart", operationId: "restart",
                  summary: "Start every replica of the live release again, without building", tag: "deployments",
                  success: (204, nil), permission: .serviceDeploy),
            .init(method: "post", path: "\(service)/rollback", operationId: "rollback",
                  summary: "Deploy an earlier release again (default: the one before the current)", tag: "deployments",
                  requestBody: "RollbackRequest", success: (201, S.ref("Deployment")), permission: .serviceDeploy),
            .init(method: "get", path: "\(service)/http-logs", operationId: "httpLogs",
                  summary: "The service's HTTP access log through the edge (its generated and custom domains), oldest first",
                  tag: "deployments", success: (200, S.array("AccessRecord")), permission: .projectRead,
                  query: [("status", "An exact status (404) or a class (5xx)", ["type": "string"]),
                          ("path", "A path prefix", ["type": "string"]),
                          ("limit", "The newest N matching requests (1–5000, default 100)", ["type": "integer"])]),
            .init(method: "get", path: "\(service)/http-stats", operationId: "httpStats",
                  summary: "The service's requests through the edge since the server started: status classes and a latency histogram",
                  tag: "deployments", success: (200, S.ref("HTTPStats")), permission: .projectRead),
            .init(method: "post", path: "\(service)/down", operationId: "down",
                  summary: "Stop and remove the running deployment", tag: "deployments",
                  success: (204, nil), permission: .serviceDeploy),
            .init(method: "get", path: "/api/v1/projects/{projectId}/deployments/{deploymentId}", operationId: "getDeployment",
                  summary: "One deployment", tag: "deployments", success: (200, S.ref("Deployment")), permission: .projectRead),
            .init(method: "get", path: "/api/v1/projects/{projectId}/deployments/{deploymentId}/logs", operationId: "deploymentLogs",
                  summary: "A deployment's build or runtime log from a byte offset; waits up to `wait` seconds for new text",
                  tag: "deployments", success: (200, S.ref("LogChunk")), permission: .projectRead,
                  query: [("stream", "build (default) or runtime", ["type": "string", "enum": ["build", "runtime"]]),
                          ("offset", "Byte offset to read from", ["type": "integer"]),
                          ("wait", "Seconds to wait for new text (max 25)", ["type": "number"])]),
        ]
    }()

    private static let cron: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects/{projectId}/environments/{environmentId}/services/{serviceId}/cron-runs",
              operationId: "listCronRuns",
              summary: "A cron service's runs in an environment, newest due time first: each run's start, end, exit code and status, and skipped due times",
              tag: "cron", success: (200, S.array("CronRun")), permission: .projectRead,
              query: [("limit", "How many (1–100, default 20)", ["type": "integer"])]),
        .init(method: "get", path: "/api/v1/projects/{projectId}/cron-runs/{runId}/logs", operationId: "cronRunLogs",
              summary: "A cron run's output from a byte offset; waits up to `wait` seconds for new text while it runs",
              tag: "cron", success: (200, S.ref("LogChunk")), permission: .projectRead,
              query: [("offset", "Byte offset to read from", ["type": "integer"]),
                      ("wait", "Seconds to wait for new text (max 25)", ["type": "number"])]),
    ]

    private static let webhooks: [OpenAPIOperation] = [
        .init(method: "get", path: "/api/v1/projects/{projectId}/services/{serviceId}/webhook", operationId: "getWebhook",
              summary: "The URL and secret of the service's GitHub push webhook", tag: "webhooks",
              success: (200, S.ref("WebhookSettings")), permission: .projectUpdate),
        .init(method: "post", path: "/api/v1/webhooks/github/{serviceId}", operationId: "githubPush",
              summary: "A GitHub webhook delivery, signed in X-Hub-Signature-256 (401 when not); a push to the service's branch deploys it (202)",
              tag: "webhooks", requestBody: "GitHubPushPayload", success: (200, S.ref("WebhookResult")), authenticated: false),
    ]
}
