import Dispatch
import Foundation
import RailyardCore

/// One `/bin/sh -c` command run to completion in a folder, its output going to a build log.
/// Cancelling the task sends SIGTERM to the command's whole process group, then SIGKILL after
/// `killGrace`; when the command ends, anything it left running in its group is killed.
struct ShellCommand: Sendable {
    var command: String
    /// What actually runs: `/bin/sh -c command`, or that wrapped in a sandbox.
    var argv: [String]
    var directory: URL
    var environment: [String: String]
    var killGrace: Duration = .seconds(5)

    /// Runs the command with stdin from /dev/null and stdout and stderr into `output`.
    func run(output: BuildLog) async throws -> ChildProcess.Status {
        let child = try ChildProcess.spawn(
            executable: argv[0], arguments: argv, environment: environment,
            directory: directory.path, outputFD: output.handle.fileDescriptor
        )
        defer { child.signalGroup(SIGKILL) }
        let grace = killGrace
        return await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            child.signalGroup(SIGTERM)
            let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { child.signalGroup(SIGKILL) }
        }
    }
}
