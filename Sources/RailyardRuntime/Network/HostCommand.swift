import Foundation

/// Runs a host tool (`ip`, `iptables`, …) to completion and returns what it printed; a failure
/// throws a `RuntimeError` naming the command and quoting its stderr.
enum HostCommand {
    /// Where system tools live; root's PATH is not relied on.
    static let directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// The full path of `tool`, or nil when it is not installed.
    static func find(_ tool: String) -> String? {
        directories.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `argv` (its first element a tool name or path) and returns its stdout.
    @discardableResult
    static func run(_ argv: [String]) throws -> String {
        let result = try launch(argv)
        guard result.status == 0 else {
            let reason = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw RuntimeError("`\(argv.joined(separator: " "))` failed (exit \(result.status))\(reason.isEmpty ? "" : ": \(reason)")")
        }
        return result.stdout
    }

    /// Whether `argv` runs and exits 0 (for checks such as `iptables -C`).
    static func succeeds(_ argv: [String]) -> Bool {
        (try? launch(argv))?.status == 0
    }

    private static func launch(_ argv: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let tool = argv.first else { throw RuntimeError("no command to run") }
        guard let path = tool.hasPrefix("/") ? tool : find(tool) else {
            throw RuntimeError("`\(tool)` is not installed (looked in \(directories.joined(separator: ", ")))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw RuntimeError("cannot start `\(argv.joined(separator: " "))`: \(error.localizedDescription)")
        }
        // Read stderr alongside stdout, so neither pipe can fill up and stall the tool.
        let stderrData = CollectedData()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) {
            stderrData.data = errors.fileHandleForReading.readDataToEndOfFile()
        }
        let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            String(decoding: stdoutData, as: UTF8.self),
            String(decoding: stderrData.data, as: UTF8.self)
        )
    }
}

/// Bytes one thread reads while another waits for it (the DispatchGroup's wait orders the two).
private final class CollectedData: @unchecked Sendable {
    var data = Data()
}
