import Foundation

/// Helpers for the child processes the tests start.
enum ChildProcess {
    /// Waits for a process to exit without blocking a Swift concurrency thread; false on timeout.
    static func waitForExit(_ process: Process, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Sends `signal` to a process.
    static func signal(_ process: Process, _ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// The environment children run with: PATH and locale from ours, nothing Railyard-specific.
    static func baseEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        for key in ["PATH", "LANG", "LC_ALL", "TMPDIR"] {
            if let value = ProcessInfo.processInfo.environment[key] { environment[key] = value }
        }
        return environment
    }

    /// SIGKILLs every process whose command line mentions `text` (replicas a test left running).
    static func killMatching(_ text: String) {
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-KILL", "-f", text]
        try? pkill.run()
        pkill.waitUntilExit()
    }
}
