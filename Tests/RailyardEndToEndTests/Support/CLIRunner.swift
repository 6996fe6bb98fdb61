import Foundation

/// Runs the real `railyard` CLI as a subprocess with its own config dir and working folder.
struct CLIRunner: Sendable {
    /// What one CLI run produced.
    struct Result: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    let configHome: String
    let home: String
    let workingDirectory: String
    let scratch: String

    /// A runner whose config lives under `root/config`, home under `root/home`, output files in `root/out`.
    init(root: TemporaryDirectory, workingDirectory: String) throws {
        configHome = try root.subdirectory("config")
        home = try root.subdirectory("home")
        scratch = try root.subdirectory("out")
        self.workingDirectory = workingDirectory
    }

    /// The CLI's config file.
    var configPath: String { configHome + "/railyard/config.json" }

    /// Runs `railyard ARGS…` to completion (at most `timeout`), with `input` (else nothing) on stdin.
    func run(_ arguments: [String], in directory: String? = nil, timeout: Duration = .seconds(60), input: String? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try RailyardBinary.path())
        process.arguments = arguments
        var environment = ChildProcess.baseEnvironment()
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = configHome
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? workingDirectory)
        let id = UUID().uuidString.prefix(8)
        let outPath = "\(scratch)/\(id).out"
        let errPath = "\(scratch)/\(id).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        if let input {
            let inPath = "\(scratch)/\(id).in"
            _ = FileManager.default.createFile(atPath: inPath, contents: Data(input.utf8))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        if !(await ChildProcess.waitForExit(process, timeout: timeout)) {
            ChildProcess.signal(process, SIGKILL)
            _ = await ChildProcess.waitForExit(process, timeout: .seconds(10))
        }
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        )
    }
}
