import Foundation
import RailyardCore

/// Runs a trusted host program (a database's dump tool) to completion, outside any sandbox, its
/// output appended to a log. Cancelling the task stops it (its whole process group).
public enum HostTool {
    /// Runs `arguments` (an absolute program path first) with exactly `environment` in `directory`;
    /// nil when it exited 0, else how it ended.
    public static func run(_ arguments: [String], environment: [String: String], directory: URL, log: URL) async throws -> String? {
        let output = try BuildLog(url: log)
        let command = ShellCommand(command: arguments.joined(separator: " "), argv: arguments, directory: directory, environment: environment)
        let status = try await command.run(output: output)
        return status == .exited(0) ? nil : status.description
    }
}
