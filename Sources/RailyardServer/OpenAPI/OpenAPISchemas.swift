import RailyardCore

/// JSON Schemas of the API's messages (the Core types as they travel).
enum OpenAPISchemas {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ name: String) -> JSONValue { ["type": "array", "items": ref(name)] }

    private static let string: JSONValue = ["type": "string"]
    private static let optionalString: JSONValue = ["type": ["string", "null"]]
    private static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    private static let boolean: JSONValue = ["type": "boolean"]
    private static let optionalInteger: JSONValue = ["type": ["integer", "null"]]
    private static let optionalDateTime: JSONValue = ["type": ["string", "null"], "format": "date-time"]

    private static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) })]
    }

    static let all: [String: JSONValue] = [
        "Health": object(["status": string], required: ["status"]),
        "ErrorBody": object(["error": ref("Error")], required: ["error"]),
        "Error": object(
            ["code": ["type": "string", "enum": ["invalid_input", "unauthorized", "forbidden", "not_found", "conflict",
                                                  "payload_too_large", "rate_limited", "not_configured", "upstream_failed", "internal_error"]],
             "message": string, "field": string],
            required: ["code", "message"]
        ),
        "Role": ["type": "string", "enum": .array(Role.allCases.map { .string($0.rawValue) })],
        "User": object(
            ["id": string, "email": optionalString, "name": optionalString, "githubId": optionalString,
             "githubLogin": optionalString, "avatarURL": optionalString, "createdAt": dateTime],
            required: ["id", "createdAt"]
        ),
        "APIToken": object(
            ["id": string, "name": string, "prefix": string, "createdAt": dateTime,
             "lastUsedAt": ["type": ["string", "null"], "format": "date-time"]],
            required: ["id", "name", "prefix", "createdAt"]
        ),
        "Workspace": object(
            ["id": string, "name": string, "tier": string, "personalOwnerId": optionalString, "createdAt": dateTime],
            required: ["id", "name", "tier", "createdAt"]
        ),
        "WorkspaceMembership": object(["workspace": ref("Workspace"), "role": ref("Role")], required: ["workspace", "role"]),
        "Member": object(["user": ref("User"), "role": ref("Role"), "joinedAt": dateTime], required: ["user", "role", "joinedAt"]),
        "Project": object(
            ["id": string, "workspaceId": string, "name": string, "description": string,
             "createdAt": dateTime, "updatedAt": dateTime],
            required: ["id", "workspaceId", "name", "description", "createdAt", "updatedAt"]
        ),
        "Environment": object(
            ["id": string, "projectId": string, "name": string, "createdAt": dateTime],
            required: ["id", "projectId", "name", "createdAt"]
        ),
        "ServiceSource": object(
            ["repo": optionalString, "branch": optionalString, "rootDirectory": optionalString,
             "database": ["type": ["string", "null"], "enum": .array(DatabaseEngine.allCases.map { .string($0.rawValue) } + [.null])]],
            required: []
        ),
        "Service": object(
            ["id": string, "projectId": string, "name": string, "source": ref("ServiceSource"),
             "createdAt": dateTime, "updatedAt": dateTime],
            required: ["id", "projectId", "name", "source", "createdAt", "updatedAt"]
        ),
        "ProjectDetail": object(
            ["project": ref("Project"), "environments": array("Environment"), "services": array("Service")],
            required: ["project", "environments", "services"]
        ),
        "Variable": object(["key": string, "value": string, "masked": boolean], required: ["key", "value", "masked"]),
        "VariableList": object(["variables": array("Variable"), "usedBy": ["type": "array", "items": string]], required: ["variables"]),
        "SignupRequest": object(
            ["email": string, "password": ["type": "string", "minLength": 8], "name": optionalString],
            required: ["email", "password"]
        ),
        "LoginRequest": object(["email": string, "password": string], required: ["email", "password"]),
        "AuthResponse": object(
            ["token": string, "expiresAt": ["type": "number", "description": "Seconds since 1970"], "user": ref("User")],
            required: ["token", "expiresAt", "user"]
        ),
        "Me": object(["user": ref("User"), "workspaces": array("WorkspaceMembership")], required: ["user", "workspaces"]),
        "CreateTokenRequest": object(["name": string], required: ["name"]),
        "CreatedToken": object(["token": string, "apiToken": ref("APIToken")], required: ["token", "apiToken"]),
        "AddMemberRequest": object(["email": string, "role": ref("Role")], required: ["email", "role"]),
        "CreateProjectRequest": object(
            ["name": string, "description": optionalString, "workspaceId": optionalString], required: ["name"]
        ),
        "UpdateProjectRequest": object(["name": optionalString, "description": optionalString], required: []),
        "CreateEnvironmentRequest": object(
            ["name": string, "duplicateFrom": ["type": ["string", "null"], "description": "Id or name of an environment to copy variables from"]],
            required: ["name"]
        ),
        "CreateServiceRequest": object(["name": string, "source": ref("ServiceSource")], required: ["name"]),
        "UpdateServiceRequest": object(["name": optionalString, "source": ref("ServiceSource")], required: []),
        "DeploymentStatus": ["type": "string", "enum": .array(DeploymentStatus.allCases.map { .string($0.rawValue) })],
        "Deployment": object(
            ["id": string, "serviceId": string, "environmentId": string, "status": ref("DeploymentStatus"),
             "createdAt": dateTime, "updatedAt": dateTime,
             "buildStartedAt": optionalDateTime, "buildFinishedAt": optionalDateTime,
             "deployStartedAt": optionalDateTime, "finishedAt": optionalDateTime,
             "failureReason": optionalString, "sourceDigest": optionalString, "provider": optionalString, "url": optionalString,
             "commitSha": optionalString, "commitMessage": optionalString, "commitAuthor": optionalString,
             "config": ref("ServiceConfig")],
            required: ["id", "serviceId", "environmentId", "status", "createdAt", "updatedAt"]
        ),
        "AccessRecord": object(
            ["time": dateTime, "host": string, "method": string, "path": string, "status": ["type": "integer"],
             "durationMs": ["type": "number"], "bytes": ["type": "integer"], "requestId": string],
            required: ["time", "host", "method", "path", "status", "durationMs", "bytes", "requestId"]
        ),
        "HTTPStats": object(
            ["requests": ["type": "integer"], "statusClasses": ["type": "object", "additionalProperties": ["type": "integer"]],
             "latencyBuckets": ["type": "array", "items": ["type": "integer"],
                                "description": "Requests per bucket; bounds in ms: 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, then slower"],
             "durationSumMs": ["type": "number"], "bytes": ["type": "integer"]],
            required: ["requests", "statusClasses", "latencyBuckets", "durationSumMs", "bytes"]
        ),
        "CronRun": object(
            ["id": string, "serviceId": string, "environmentId": string, "deploymentId": string, "scheduledAt": dateTime,
             "startedAt": optionalDateTime, "endedAt": optionalDateTime, "exitCode": optionalInteger,
             "status": ["type": "string", "enum": .array(CronRunStatus.allCases.map { .string($0.rawValue) })],
             "detail": optionalString],
            required: ["id", "serviceId", "environmentId", "deploymentId", "scheduledAt", "status"]
        ),
        "LogChunk": object(
            ["text": string, "nextOffset": ["type": "integer"], "complete": boolean], required: ["text", "nextOffset", "complete"]
        ),
        "ServiceDomain": object(
            ["id": string, "serviceId": string, "environmentId": string, "host": string,
             "kind": ["type": "string", "enum": ["generated", "custom"]], "createdAt": dateTime,
             "certificate": ["oneOf": [ref("DomainCertificate"), ["type": "null"]]]],
            required: ["id", "serviceId", "environmentId", "host", "kind", "createdAt"]
        ),
        "DomainCertificate": object(
            ["names": ["type": "array", "items": string], "issuer": string, "notValidAfter": dateTime],
            required: ["names", "issuer", "notValidAfter"]
        ),
        "CreateDomainRequest": object(
            ["domain": string, "certificate": optionalString, "privateKey": optionalString], required: ["domain"]
        ),
        "SetDomainCertificateRequest": object(["certificate": string, "privateKey": string], required: ["certificate", "privateKey"]),
        "WebhookSettings": object(
            ["url": string, "secret": string, "contentType": string, "events": ["type": "array", "items": string]],
            required: ["url", "secret", "contentType", "events"]
        ),
        "WebhookResult": object(
            ["deployed": boolean, "reason": optionalString, "deploymentId": optionalString, "commitSha": optionalString],
            required: ["deployed"]
        ),
        "GitHubPushPayload": [
            "type": "object",
            "description": "GitHub's push event payload; these are the fields Railyard reads",
            "properties": [
                "ref": string, "after": string, "deleted": boolean,
                "head_commit": ["type": ["object", "null"]],
                "commits": ["type": "array", "items": ["type": "object", "properties": [
                    "id": string, "added": ["type": "array", "items": string],
                    "modified": ["type": "array", "items": string], "removed": ["type": "array", "items": string],
                ]]],
            ],
            "required": ["ref"],
        ],
        "ServiceConfig": object(
            ["build": ref("BuildSettings"), "deploy": ref("DeploySettings"),
             "environments": ["type": "object", "additionalProperties": ["type": "object"],
                              "description": "Per-environment build/deploy keys (config files only; refused by the settings API)"]],
            required: []
        ),
        "BuildSettings": object(
            ["builder": ["type": ["string", "null"], "enum": .array(ServiceConfig.builders.map { .string($0) } + [.null])],
             "buildCommand": optionalString, "watchPatterns": ["type": ["array", "null"], "items": string],
             "dockerfilePath": optionalString],
            required: []
        ),
        "DeploySettings": object(
            ["startCommand": optionalString, "preDeployCommand": ["type": ["array", "null"], "items": string],
             "healthcheckPath": optionalString, "healthcheckTimeout": optionalInteger,
             "restartPolicyType": ["type": ["string", "null"], "enum": .array(ServiceConfig.RestartPolicyType.allCases.map { .string($0.rawValue) } + [.null])],
             "restartPolicyMaxRetries": optionalInteger, "numReplicas": optionalInteger, "cronSchedule": optionalString,
             "sleepApplication": ["type": ["boolean", "null"]], "overlapSeconds": optionalInteger, "drainingSeconds": optionalInteger,
             "memoryLimit": optionalString, "cpuLimit": ["type": ["number", "string", "null"]], "pidsLimit": optionalInteger],
            required: []
        ),
        "ServiceIsolation": object(
            ["sandbox": optionalString, "uid": optionalInteger, "network": ["type": "string", "enum": ["private", "host"]],
             "enforcement": optionalString,
             "limits": object(["memoryBytes": ["type": "integer"], "cpu": ["type": "number"], "pids": ["type": "integer"]],
                              required: ["memoryBytes", "cpu", "pids"]),
             "deploymentId": optionalString],
            required: ["network", "limits"]
        ),
        "Volume": object(
            ["id": string, "serviceId": string, "environmentId": string, "mountPath": string, "createdAt": dateTime],
            required: ["id", "serviceId", "environmentId", "mountPath", "createdAt"]
        ),
        "CreateVolumeRequest": object(["mountPath": string], required: ["mountPath"]),
        "TCPProxy": object(
            ["id": string, "serviceId": string, "environmentId": string, "targetPort": ["type": "integer"],
             "publicPort": ["type": "integer"], "domain": string, "createdAt": dateTime],
            required: ["id", "serviceId", "environmentId", "targetPort", "publicPort", "domain", "createdAt"]
        ),
        "CreateDatabaseRequest": object(
            ["engine": ["type": "string", "enum": .array(DatabaseEngine.allCases.map { .string($0.rawValue) })],
             "name": optionalString, "environmentId": optionalString, "tcpProxy": ["type": ["boolean", "null"]]],
            required: ["engine"]
        ),
        "CreatedDatabase": object(
            ["service": ref("Service"), "deployment": ref("Deployment"), "variables": ["type": "array", "items": string],
             "tcpProxy": ["oneOf": [ref("TCPProxy"), ["type": "null"]]]],
            required: ["service", "deployment", "variables"]
        ),
        "DatabaseBackup": object(
            ["id": string, "serviceId": string, "environmentId": string,
             "engine": ["type": "string", "enum": .array(DatabaseEngine.allCases.map { .string($0.rawValue) })],
             "status": ["type": "string", "enum": ["RUNNING", "SUCCESS", "FAILED"]], "trigger": ["type": "string", "enum": ["manual", "schedule"]],
             "sizeBytes": optionalInteger, "detail": optionalString, "createdAt": dateTime, "finishedAt": optionalDateTime],
            required: ["id", "serviceId", "environmentId", "engine", "status", "trigger", "createdAt"]
        ),
        "DatabaseBackupPolicy": object(
            ["schedule": optionalString, "retain": ["type": "integer", "minimum": 1, "maximum": .number(Double(DatabaseBackupPolicy.maxRetain))]],
            required: ["retain"]
        ),
        "UpdateBackupPolicyRequest": object(["schedule": optionalString, "retain": optionalInteger], required: []),
        "RestoreBackupRequest": object(["backupId": string], required: ["backupId"]),
        "RestoredBackup": object(
            ["backup": ref("DatabaseBackup"), "deployment": ["oneOf": [ref("Deployment"), ["type": "null"]]]], required: ["backup"]
        ),
        "ProjectWebhook": object(
            ["id": string, "projectId": string, "url": string, "format": ["type": "string", "enum": ["json", "slack", "discord"]],
             "createdAt": dateTime, "secret": optionalString],
            required: ["id", "projectId", "url", "format", "createdAt"]
        ),
        "CreateProjectWebhookRequest": object(["url": string, "format": optionalString], required: ["url"]),
        "WebhookDelivery": object(
            ["id": string, "event": string, "attempt": ["type": "integer"], "status": optionalInteger, "error": optionalString, "at": dateTime],
            required: ["id", "event", "attempt", "at"]
        ),
        "UsagePoint": object(
            ["at": dateTime, "cpuMillicores": ["type": "integer"], "memoryBytes": ["type": "integer"], "memoryLimitBytes": ["type": "integer"],
             "networkRxBytes": ["type": "integer"], "networkTxBytes": ["type": "integer"], "diskBytes": ["type": "integer"], "replicas": ["type": "integer"]],
            required: ["at", "cpuMillicores", "memoryBytes", "memoryLimitBytes", "networkRxBytes", "networkTxBytes", "diskBytes", "replicas"]
        ),
        "UsageReport": object(
            ["resolutionSeconds": ["type": "integer"], "points": array("UsagePoint"),
             "replicas": ["type": "object", "additionalProperties": array("UsagePoint")]],
            required: ["resolutionSeconds", "points", "replicas"]
        ),
        "AuditEvent": object(
            ["id": string, "workspaceId": string, "actorId": string, "actorEmail": string, "action": string, "target": string, "ip": string,
             "status": ["type": "integer"], "at": dateTime],
            required: ["id", "workspaceId", "actorId", "actorEmail", "action", "target", "ip", "status", "at"]
        ),
        "WorkspaceInvitation": object(
            ["id": string, "workspaceId": string, "email": string, "role": ref("Role"), "invitedBy": string, "createdAt": dateTime,
             "expiresAt": dateTime, "token": optionalString],
            required: ["id", "workspaceId", "email", "role", "invitedBy", "createdAt", "expiresAt"]
        ),
        "CreateInvitationRequest": object(["email": string, "role": ref("Role")], required: ["email", "role"]),
        "AcceptInvitationRequest": object(["token": string], required: ["token"]),
        "LogSearchResult": object(
            ["matches": ["type": "array", "items": object(
                ["deploymentId": string, "deploymentCreatedAt": dateTime, "line": ["type": "integer"], "text": string, "at": optionalDateTime],
                required: ["deploymentId", "deploymentCreatedAt", "line", "text"]
            )], "truncated": ["type": "boolean"]],
            required: ["matches", "truncated"]
        ),
        "CreateTCPProxyRequest": object(["targetPort": ["type": "integer", "minimum": 1, "maximum": 65535]], required: ["targetPort"]),
        "ScaleRequest": object(["replicas": ["type": "integer", "minimum": 1, "maximum": .number(Double(ServiceConfig.maxReplicas))]], required: ["replicas"]),
        "RollbackRequest": object(["deploymentId": optionalString], required: []),
        "UpdateVariablesRequest": object(
            ["set": ["type": "object", "additionalProperties": string],
             "delete": ["type": "array", "items": string]],
            required: []
        ),
    ]
}
