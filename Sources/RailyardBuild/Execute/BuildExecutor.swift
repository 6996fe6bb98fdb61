import Foundation
import Logging
import RailyardCore

/// Runs a `BuildPlan`'s install and build commands in a fresh copy of the source, appending their
/// output to a build log file.
public struct BuildExecutor: Sendable {
    private let logger: Logger
    private let sandbox: BuildSandbox?

    /// An executor that reports each command on `logger`, running commands inside `sandbox` when given.
    public init(logger: Logger, sandbox: BuildSandbox? = nil) {
        self.logger = logger
        self.sandbox = sandbox
    }

    /// Copies `source` into `appDirectory` (which must not exist yet), runs `plan.install` then
    /// `plan.build` there with `/bin/sh -c`, env = `environment` + PATH with `plan.paths` prepended,
    /// appending every output line (stdout and stderr, plus a `$ command` header per command) to the
    /// file `log`; throws `RailyardError(.invalidInput, "build command `X` exited with status N")`
    /// naming the failing command. With a `cache`, each of `plan.cache` found there is restored and
    /// its commands skipped, and each not found is saved once its commands succeeded. Cancelling the
    /// task stops the running command and throws `CancellationError`.
    public func build(
        plan: BuildPlan, source: URL, appDirectory: URL, environment: [String: String], log: URL, cache: BuildCache? = nil
    ) async throws {
        try Self.copy(source: source, to: appDirectory)
        let output = try BuildLog(url: log)
        let env = Self.environment(environment, paths: plan.paths, appDirectory: appDirectory)
        var reuse = BuildCacheUse(plan: plan, cache: cache, appDirectory: appDirectory, path: env["PATH"] ?? "", logger: logger)
        let skipped = await reuse.restore(output: output)
        sandbox?.handOver(appDirectory)
        let commands = plan.install + plan.build
        for (index, command) in commands.enumerated() {
            try Task.checkCancellation()
            if !skipped.contains(command) {
                try await run(command, appDirectory: appDirectory, environment: env, output: output)
            }
            await reuse.saveCompleted(after: index, of: commands, output: output)
        }
    }

    /// Runs one command of the build, failing the build when it does not exit 0.
    private func run(_ command: String, appDirectory: URL, environment env: [String: String], output: BuildLog) async throws {
        output.write("$ \(command)\n")
        logger.info("build command started", metadata: ["build.command": "\(command)", "build.directory": "\(appDirectory.path)"])
        let started = ContinuousClock.now
        let argv = sandbox?.argv(command, appDirectory) ?? ["/bin/sh", "-c", command]
        let status: ChildProcess.Status = try await ShellCommand(
            command: command, argv: argv, directory: appDirectory, environment: env
        ).run(output: output)
        let elapsed = ContinuousClock.now - started
        if Task.isCancelled {
            output.write("build cancelled\n")
            throw CancellationError()
        }
        logger.info("build command finished", metadata: [
            "build.command": "\(command)", "build.status": "\(status)", "build.duration": "\(elapsed)",
        ])
        guard status == .exited(0) else {
            let message = "build command `\(command)` \(status)"
            output.write("\(message)\n")
            throw RailyardError(.invalidInput, message)
        }
    }

    /// The build's environment: the given variables, defaults that keep tools quiet and offline-
    /// friendly where not set, and PATH with the plan's folders (made absolute) in front.
    static func environment(_ base: [String: String], paths: [String], appDirectory: URL) -> [String: String] {
        var env = base
        let defaults = [
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONUNBUFFERED": "1",
            "npm_config_update_notifier": "false",
        ]
        for (key, value) in defaults where env[key] == nil { env[key] = value }
        let inherited = base["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let prepended = paths.map { appDirectory.appendingPathComponent($0).path }
        env["PATH"] = (prepended + [inherited]).joined(separator: ":")
        return env
    }

    static func copy(source: URL, to appDirectory: URL) throws {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: appDirectory.path) else {
            throw RailyardError(.conflict, "the app folder \(appDirectory.path) already exists; builds need a fresh folder")
        }
        do {
            try fileManager.createDirectory(at: appDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fileManager.copyItem(at: source, to: appDirectory)
        } catch {
            throw RailyardError(.internal, "could not copy the source into \(appDirectory.path): \(error)")
        }
    }
}
