/// A service's configuration as code: the `build` and `deploy` sections of `railway.json`,
/// `railway.toml` or `railyard.toml`, with Railway's key names so its users' files mean the same here,
/// and per-environment overrides under `environments.<name>`.
/// Every field is optional; an absent field means "use the default or the service's settings".
public struct ServiceConfig: Codable, Sendable, Equatable {
    /// How the service is built.
    public var build: Build
    /// How the service's replicas run.
    public var deploy: Deploy
    /// Keys that replace `build` and `deploy` keys in the environment of that name.
    public var environments: [String: Override]

    /// A config with the given sections (all defaults when omitted).
    public init(build: Build = Build(), deploy: Deploy = Deploy(), environments: [String: Override] = [:]) {
        self.build = build
        self.deploy = deploy
        self.environments = environments
    }

    private enum CodingKeys: String, CodingKey {
        case build, deploy, environments
    }

    /// Decodes a config; a missing section is an empty one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        build = try container.decodeIfPresent(Build.self, forKey: .build) ?? Build()
        deploy = try container.decodeIfPresent(Deploy.self, forKey: .deploy) ?? Deploy()
        environments = try container.decodeIfPresent([String: Override].self, forKey: .environments) ?? [:]
    }

    /// Encodes the sections; `environments` only when there are overrides.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(build, forKey: .build)
        try container.encode(deploy, forKey: .deploy)
        if !environments.isEmpty { try container.encode(environments, forKey: .environments) }
    }

    /// Whether no key is set at all (the file was absent or empty).
    public var isEmpty: Bool { self == ServiceConfig() }

    /// The config in force in the environment `name`: the keys its override sets replace the base
    /// ones, key by key. The result has no overrides left.
    public func resolved(for name: String) -> ServiceConfig {
        let override = environments[name] ?? Override()
        return ServiceConfig(build: build.overridden(by: override.build), deploy: deploy.overridden(by: override.deploy))
    }

    /// These keys with every key `other` sets laid over them (config as code over API settings).
    /// Overrides are not merged: the result keeps `other`'s.
    public func overridden(by other: ServiceConfig) -> ServiceConfig {
        ServiceConfig(build: build.overridden(by: other.build), deploy: deploy.overridden(by: other.deploy), environments: other.environments)
    }

    /// The keys one environment replaces (Railway's `environments.<name>` block).
    public struct Override: Codable, Sendable, Equatable {
        /// `build` keys for this environment.
        public var build: Build
        /// `deploy` keys for this environment.
        public var deploy: Deploy

        /// An override with the given sections.
        public init(build: Build = Build(), deploy: Deploy = Deploy()) {
            self.build = build
            self.deploy = deploy
        }

        /// Decodes an override; a missing section replaces nothing.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            build = try container.decodeIfPresent(Build.self, forKey: .build) ?? Build()
            deploy = try container.decodeIfPresent(Deploy.self, forKey: .deploy) ?? Deploy()
        }

        private enum CodingKeys: String, CodingKey {
            case build, deploy
        }
    }

    /// The `build` section.
    public struct Build: Codable, Sendable, Equatable {
        /// `RAILPACK`, `NIXPACKS` or `DOCKERFILE` (Railway's names).
        public var builder: String?
        /// Replaces the detected build step.
        public var buildCommand: String?
        /// Glob patterns; a push deploys only when a changed file matches one.
        public var watchPatterns: [String]?
        /// The Dockerfile to build when `builder` is `DOCKERFILE`.
        public var dockerfilePath: String?

        /// A build section with the given keys.
        public init(builder: String? = nil, buildCommand: String? = nil, watchPatterns: [String]? = nil, dockerfilePath: String? = nil) {
            self.builder = builder
            self.buildCommand = buildCommand
            self.watchPatterns = watchPatterns
            self.dockerfilePath = dockerfilePath
        }

        /// This section with every key `other` sets replaced.
        func overridden(by other: Build) -> Build {
            Build(
                builder: other.builder ?? builder, buildCommand: other.buildCommand ?? buildCommand,
                watchPatterns: other.watchPatterns ?? watchPatterns, dockerfilePath: other.dockerfilePath ?? dockerfilePath
            )
        }
    }

    /// The `deploy` section.
    public struct Deploy: Codable, Sendable, Equatable {
        /// Replaces the detected start command.
        public var startCommand: String?
        /// Commands run once per deployment before the new replicas start (migrations). Railway
        /// accepts a string or an array of strings; both decode to an array.
        public var preDeployCommand: [String]?
        /// The path probed until it answers 200 before the deployment is marked SUCCESS.
        public var healthcheckPath: String?
        /// Seconds to wait for the health check to pass.
        public var healthcheckTimeout: Int?
        /// When a replica that exits is restarted.
        public var restartPolicyType: RestartPolicyType?
        /// How many restarts `ON_FAILURE` allows.
        public var restartPolicyMaxRetries: Int?
        /// How many replicas run.
        public var numReplicas: Int?
        /// A cron expression; the service runs as a job on this schedule instead of staying up.
        public var cronSchedule: String?
        /// Whether idle replicas are put to sleep and woken by the next request.
        public var sleepApplication: Bool?
        /// Seconds the old deployment keeps serving after the new one is up.
        public var overlapSeconds: Int?
        /// Seconds between SIGTERM and SIGKILL when a replica is stopped.
        public var drainingSeconds: Int?
        /// Each replica's memory limit as a Kubernetes quantity (`512Mi`, `1Gi`, `750M`); 512Mi when unset.
        public var memoryLimit: String?
        /// Each replica's CPU limit in CPUs (`0.5` = half of one); Kubernetes' `"500m"` is accepted too.
        public var cpuLimit: Double?
        /// The most processes and threads each replica may have at once; 512 when unset.
        public var pidsLimit: Int?
        /// Scale the replica count with CPU and memory use (see `Autoscaling`).
        public var autoscaling: Autoscaling?

        /// A deploy section with the given keys.
        public init(
            startCommand: String? = nil, preDeployCommand: [String]? = nil, healthcheckPath: String? = nil,
            healthcheckTimeout: Int? = nil, restartPolicyType: RestartPolicyType? = nil,
            restartPolicyMaxRetries: Int? = nil, numReplicas: Int? = nil, cronSchedule: String? = nil,
            sleepApplication: Bool? = nil, overlapSeconds: Int? = nil, drainingSeconds: Int? = nil,
            memoryLimit: String? = nil, cpuLimit: Double? = nil, pidsLimit: Int? = nil, autoscaling: Autoscaling? = nil
        ) {
            self.startCommand = startCommand
            self.preDeployCommand = preDeployCommand
            self.healthcheckPath = healthcheckPath
            self.healthcheckTimeout = healthcheckTimeout
            self.restartPolicyType = restartPolicyType
            self.restartPolicyMaxRetries = restartPolicyMaxRetries
            self.numReplicas = numReplicas
            self.cronSchedule = cronSchedule
            self.sleepApplication = sleepApplication
            self.overlapSeconds = overlapSeconds
            self.drainingSeconds = drainingSeconds
            self.memoryLimit = memoryLimit
            self.cpuLimit = cpuLimit
            self.pidsLimit = pidsLimit
            self.autoscaling = autoscaling
        }

        /// This section with every key `other` sets replaced.
        func overridden(by other: Deploy) -> Deploy {
            Deploy(
                startCommand: other.startCommand ?? startCommand, preDeployCommand: other.preDeployCommand ?? preDeployCommand,
                healthcheckPath: other.healthcheckPath ?? healthcheckPath,
                healthcheckTimeout: other.healthcheckTimeout ?? healthcheckTimeout,
                restartPolicyType: other.restartPolicyType ?? restartPolicyType,
                restartPolicyMaxRetries: other.restartPolicyMaxRetries ?? restartPolicyMaxRetries,
                numReplicas: other.numReplicas ?? numReplicas, cronSchedule: other.cronSchedule ?? cronSchedule,
                sleepApplication: other.sleepApplication ?? sleepApplication, overlapSeconds: other.overlapSeconds ?? overlapSeconds,
                drainingSeconds: other.drainingSeconds ?? drainingSeconds, memoryLimit: other.memoryLimit ?? memoryLimit,
                cpuLimit: other.cpuLimit ?? cpuLimit, pidsLimit: other.pidsLimit ?? pidsLimit,
                autoscaling: other.autoscaling ?? autoscaling
            )
        }

        private enum CodingKeys: String, CodingKey {
            case startCommand, preDeployCommand, healthcheckPath, healthcheckTimeout, restartPolicyType,
                restartPolicyMaxRetries, numReplicas, cronSchedule, sleepApplication, overlapSeconds, drainingSeconds,
                memoryLimit, cpuLimit, pidsLimit, autoscaling
        }

        /// Decodes a deploy section; `preDeployCommand` may be one string or a list.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            startCommand = try c.decodeIfPresent(String.self, forKey: .startCommand)
            if let single = try? c.decodeIfPresent(String.self, forKey: .preDeployCommand) {
                preDeployCommand = [single]
            } else {
                preDeployCommand = try c.decodeIfPresent([String].self, forKey: .preDeployCommand)
            }
            healthcheckPath = try c.decodeIfPresent(String.self, forKey: .healthcheckPath)
            healthcheckTimeout = try c.decodeIfPresent(Int.self, forKey: .healthcheckTimeout)
            restartPolicyType = try c.decodeIfPresent(RestartPolicyType.self, forKey: .restartPolicyType)
            restartPolicyMaxRetries = try c.decodeIfPresent(Int.self, forKey: .restartPolicyMaxRetries)
            numReplicas = try c.decodeIfPresent(Int.self, forKey: .numReplicas)
            cronSchedule = try c.decodeIfPresent(String.self, forKey: .cronSchedule)
            sleepApplication = try c.decodeIfPresent(Bool.self, forKey: .sleepApplication)
            overlapSeconds = try c.decodeIfPresent(Int.self, forKey: .overlapSeconds)
            drainingSeconds = try c.decodeIfPresent(Int.self, forKey: .drainingSeconds)
            memoryLimit = try c.decodeIfPresent(String.self, forKey: .memoryLimit)
            if let millis = try? c.decodeIfPresent(String.self, forKey: .cpuLimit) {
                guard let cpus = ResourceQuantity.cpus(millis) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .cpuLimit, in: c, debugDescription: "cpuLimit must be a number of CPUs like 0.5, or millicores like \"500m\""
                    )
                }
                cpuLimit = cpus
            } else {
                cpuLimit = try c.decodeIfPresent(Double.self, forKey: .cpuLimit)
            }
            pidsLimit = try c.decodeIfPresent(Int.self, forKey: .pidsLimit)
            autoscaling = try c.decodeIfPresent(Autoscaling.self, forKey: .autoscaling)
        }
    }

    /// When a replica that exits is restarted (Railway's `restartPolicyType`).
    public enum RestartPolicyType: String, Codable, Sendable, CaseIterable {
        case onFailure = "ON_FAILURE"
        case always = "ALWAYS"
        case never = "NEVER"
    }
}
