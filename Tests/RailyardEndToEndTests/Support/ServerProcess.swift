import Foundation
import Synchronization

/// A real `railyard server` child process on a random port, read until it says where it listens.
final class ServerProcess: @unchecked Sendable {
    /// The API's base URL, from the server's `railyard API listening on …` line.
    let baseURL: String
    let dataDirectory: String
    private let process: Process
    private let output: LockedText
    private let logPath: String

    /// Why a server did not come up.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `railyard server --data DIR --port 0 --host 127.0.0.1 EXTRA…` and waits (up to
    /// `timeout`) for its listening line.
    static func start(
        dataDirectory: String, logDirectory: String, extraArguments: [String] = [], environment: [String: String] = [:],
        timeout: Duration = .seconds(90)
    ) async throws -> ServerProcess {
        let binary = try RailyardBinary.path()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "server", "--data", dataDirectory, "--port", "0", "--edge-port", "0", "--host", "127.0.0.1",
            "--auth-rate-limit", "10000/1m", "--api-rate-limit", "100000/1m",
        ] + extraArguments
        process.environment = ChildProcess.baseEnvironment().merging(environment) { $1 }
        let logPath = logDirectory + "/server-\(UUID().uuidString.prefix(6)).stderr.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()

        let output = LockedText()
        // Drain stdout for the server's whole life so it never blocks on a full pipe.
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                output.append(String(decoding: data, as: UTF8.self))
            }
        }

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let url = Self.listeningURL(in: output.text) {
                return ServerProcess(
                    baseURL: url, dataDirectory: dataDirectory, process: process, output: output, logPath: logPath
                )
            }
            if !process.isRunning || clock.now >= deadline {
                ChildProcess.signal(process, SIGKILL)
                _ = await ChildProcess.waitForExit(process, timeout: .seconds(10))
                let stdout = output.text
                let stderr = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw StartFailure(
                    description: "railyard server did not print its listening line "
                        + (process.isRunning ? "within \(timeout)" : "and exited with \(process.terminationStatus)")
                        + "\nstdout:\n\(stdout.suffix(4000))\nstderr:\n\(stderr.suffix(4000))"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private init(baseURL: String, dataDirectory: String, process: Process, output: LockedText, logPath: String) {
        self.baseURL = baseURL
        self.dataDirectory = dataDirectory
        self.process = process
        self.output = output
        self.logPath = logPath
    }

    /// The edge's `http://HOST:PORT`, once the server has said where it listens (waits up to 30 s).
    func edgeURL() async throws -> String {
        for _ in 0..<600 {
            if let url = Self.listeningURL(in: output.text, marker: "railyard edge listening on ") { return url }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailure(description: "railyard server never printed its edge listening line\n\(output.text)")
    }

    /// The text after `marker` on the first stdout line that has it, once printed (waits up to 30 s):
    /// e.g. the HTTPS edge's URL or the local CA's certificate file.
    func printed(after marker: String) async throws -> String {
        for _ in 0..<600 {
            for line in output.text.split(whereSeparator: \.isNewline) {
                guard let range = line.range(of: marker) else { continue }
                return String(line[range.upperBound...].prefix { $0 != " " })
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailure(description: "railyard server never printed '\(marker)'\n\(output.text)")
    }

    /// `http://HOST:PORT` from a `railyard API listening on http://HOST:PORT` line (or another marker).
    static func listeningURL(in output: String, marker: String = "railyard API listening on ") -> String? {
        for line in output.split(whereSeparator: \.isNewline) {
            guard let range = line.range(of: marker) else { continue }
            let url = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if url.hasPrefix("http://") { return url }
        }
        return nil
    }

    var isRunning: Bool { process.isRunning }

    /// SIGKILL, no chance to clean up; returns once the process is gone.
    func sigkill() async {
        ChildProcess.signal(process, SIGKILL)
        _ = await ChildProcess.waitForExit(process, timeout: .seconds(30))
    }

    /// SIGTERM and a graceful shutdown (SIGKILL after `timeout`); returns the exit status.
    @discardableResult
    func stop(timeout: Duration = .seconds(20)) async -> Int32 {
        ChildProcess.signal(process, SIGTERM)
        if !(await ChildProcess.waitForExit(process, timeout: timeout)) {
            await sigkill()
        }
        return process.isRunning ? -1 : process.terminationStatus
    }

    /// Synchronous last resort for `defer`: SIGKILL if still running.
    func killNow() {
        ChildProcess.signal(process, SIGKILL)
    }

    /// What the server wrote to stderr so far (for failure messages).
    func logs() -> String {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(4000).description
    }
}

/// Text appended by one thread and read by others.
final class LockedText: Sendable {
    private let storage = Mutex("")

    func append(_ more: String) {
        storage.withLock { $0 += more }
    }

    var text: String { storage.withLock { $0 } }
}

extension ServerProcess {
    /// Runs `body` with a fresh temporary folder, a server whose data dir is in it, and the server's
    /// edge URL; then stops the server and ends the replicas it started (they outlive servers by design).
    /// With `dataParent`, the data dir is a fresh folder under it instead (e.g. `/var/tmp`, outside
    /// the `/tmp` every sandbox replaces, so only the server's own hiding keeps it from the apps).
    static func withServer(
        extraArguments: [String] = [], dataParent: String? = nil, environment: [String: String] = [:],
        _ body: (TemporaryDirectory, ServerProcess, String) async throws -> Void
    ) async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let dataRoot = try dataParent.map { try TemporaryDirectory("railyard-e2e-data", in: $0) } ?? root
        defer { dataRoot.remove() }
        let server = try await start(
            dataDirectory: dataRoot.path + "/data", logDirectory: root.path, extraArguments: extraArguments, environment: environment
        )
        defer {
            server.killNow()
            ChildProcess.killMatching(root.path)
            ChildProcess.killMatching(dataRoot.path)
        }
        try await body(root, server, try await server.edgeURL())
        _ = await server.stop()
    }
}
