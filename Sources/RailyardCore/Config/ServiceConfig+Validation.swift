/// The bounds of config values, checked the same way whether they come from a config file or from
/// the settings API, so neither can store what the runtime would refuse later.
extension ServiceConfig {
    /// Builders Railway users name (`NIXPACKS` is Railway's former default and means detection here).
    public static let builders = ["RAILPACK", "NIXPACKS", "DOCKERFILE"]
    /// Most replicas a service may ask for.
    public static let maxReplicas = 20
    /// Longest health-check, overlap or draining period, in seconds.
    public static let maxSeconds = 3600
    /// Memory limits a service may ask for, in bytes.
    public static let memoryLimitRange: ClosedRange<Int64> = (32 << 20)...(1024 << 30)
    /// CPU limits a service may ask for, in CPUs.
    public static let cpuLimitRange: ClosedRange<Double> = 0.01...256
    /// Pids limits a service may ask for.
    public static let pidsLimitRange: ClosedRange<Int> = 16...4_194_304
    /// Largest command, in UTF-8 bytes.
    public static let maxCommandBytes = 16 * 1024

    /// Throws the first out-of-bounds value, naming it as `prefix` + its key path (e.g.
    /// `railway.json:deploy.numReplicas`), with a message that says what is allowed.
    public func validate(fieldPrefix prefix: String = "") throws(RailyardError) {
        try build.validate(at: "build", prefix: prefix)
        try deploy.validate(at: "deploy", prefix: prefix)
        for name in environments.keys.sorted() {
            guard let override = environments[name] else { continue }
            guard !name.isEmpty, name.utf8.count <= 63 else {
                throw .invalid(prefix + "environments", "`environments` has a name that is empty or longer than 63 characters")
            }
            try override.build.validate(at: "environments.\(name).build", prefix: prefix)
            try override.deploy.validate(at: "environments.\(name).deploy", prefix: prefix)
        }
    }
}

extension ServiceConfig.Build {
    func validate(at path: String, prefix: String) throws(RailyardError) {
        if let builder, !ServiceConfig.builders.contains(builder.uppercased()) {
            throw ConfigBound.error(path, "builder", prefix, "must be one of \(ServiceConfig.builders.joined(separator: ", "))")
        }
        try ConfigBound.command(buildCommand, path, "buildCommand", prefix)
        if let watchPatterns {
            guard watchPatterns.count <= 100, watchPatterns.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 1024 }) else {
                throw ConfigBound.error(path, "watchPatterns", prefix, "must hold at most 100 non-empty patterns of at most 1024 characters")
            }
        }
        if let dockerfilePath {
            guard !dockerfilePath.isEmpty, !dockerfilePath.hasPrefix("/"), !dockerfilePath.split(separator: "/").contains("..") else {
                throw ConfigBound.error(path, "dockerfilePath", prefix, "must be a relative path inside the source, without '..'")
            }
        }
    }
}

extension ServiceConfig.Deploy {
    func validate(at path: String, prefix: String) throws(RailyardError) {
        try ConfigBound.command(startCommand, path, "startCommand", prefix)
        for command in preDeployCommand ?? [] { try ConfigBound.command(command, path, "preDeployCommand", prefix) }
        if let healthcheckPath {
            guard healthcheckPath.hasPrefix("/"), healthcheckPath.utf8.count <= 2048,
                !healthcheckPath.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true })
            else {
                throw ConfigBound.error(path, "healthcheckPath", prefix, "must be a URL path starting with '/', like /health")
            }
        }
        try ConfigBound.range(healthcheckTimeout, 1...ServiceConfig.maxSeconds, path, "healthcheckTimeout", prefix, unit: " seconds")
        try ConfigBound.range(restartPolicyMaxRetries, 0...1000, path, "restartPolicyMaxRetries", prefix)
        try ConfigBound.range(numReplicas, 1...ServiceConfig.maxReplicas, path, "numReplicas", prefix)
        try ConfigBound.range(overlapSeconds, 0...ServiceConfig.maxSeconds, path, "overlapSeconds", prefix, unit: " seconds")
        try ConfigBound.range(drainingSeconds, 0...ServiceConfig.maxSeconds, path, "drainingSeconds", prefix, unit: " seconds")
        if let memoryLimit {
            guard let bytes = ResourceQuantity.bytes(memoryLimit), ServiceConfig.memoryLimitRange.contains(bytes) else {
                throw ConfigBound.error(
                    path, "memoryLimit", prefix, "must be a memory size from 32Mi to 1024Gi, like \"512Mi\" or \"2Gi\" (Ki/Mi/Gi or k/M/G)"
                )
            }
        }
        if let cpuLimit, !(ServiceConfig.cpuLimitRange.contains(cpuLimit)) {
            throw ConfigBound.error(path, "cpuLimit", prefix, "must be from 0.01 to 256 CPUs, like 0.5 or \"500m\"")
        }
        try ConfigBound.range(pidsLimit, ServiceConfig.pidsLimitRange, path, "pidsLimit", prefix)
        try autoscaling?.validate(at: path, prefix: prefix)
        if let cronSchedule {
            do {
                _ = try CronExpression(cronSchedule)
            } catch {
                throw ConfigBound.error(path, "cronSchedule", prefix, "is not a valid schedule (UTC): \(error.message)")
            }
        }
    }
}

/// Shared wording of the bounds.
enum ConfigBound {
    static func error(_ path: String, _ key: String, _ prefix: String, _ rule: String) -> RailyardError {
        let location = prefix.isEmpty ? "" : prefix.replacingOccurrences(of: ":", with: "") + ": "
        return .invalid(prefix + "\(path).\(key)", "\(location)`\(path).\(key)` \(rule)")
    }

    static func command(_ value: String?, _ path: String, _ key: String, _ prefix: String) throws(RailyardError) {
        guard let value else { return }
        guard value.utf8.count <= ServiceConfig.maxCommandBytes, !value.contains("\0") else {
            throw error(path, key, prefix, "must be a command of at most \(ServiceConfig.maxCommandBytes) bytes without NUL characters")
        }
    }

    static func range(
        _ value: Int?, _ bounds: ClosedRange<Int>, _ path: String, _ key: String, _ prefix: String, unit: String = ""
    ) throws(RailyardError) {
        guard let value, !bounds.contains(value) else { return }
        throw error(path, key, prefix, "must be between \(bounds.lowerBound) and \(bounds.upperBound)\(unit) (got \(value))")
    }
}
