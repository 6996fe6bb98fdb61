import Foundation
import Logging
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Build executor")
struct BuildExecutorTests {
    let executor = BuildExecutor(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })

    @Test("a python app without requirements builds into a fresh copy with a venv")
    func pythonApp() async throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let source = try sandbox.write(["main.py": "print('hi')\n", "tools/run": "#!/bin/sh\n"], executable: ["tools/run"], in: "source")
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("entry.py").path, withDestinationPath: "main.py")
        let plan = try BuildPlanner.plan(directory: source, variables: [:])
        let app = sandbox.url.appendingPathComponent("builds/d1/app")
        let log = sandbox.url.appendingPathComponent("builds/d1/build.log")

        try await executor.build(plan: plan, source: source, appDirectory: app, environment: ["PATH": "/usr/bin:/bin"], log: log)

        #expect(FileManager.default.isExecutableFile(atPath: app.appendingPathComponent(".venv/bin/python").path))
        #expect(FileManager.default.isExecutableFile(atPath: app.appendingPathComponent("tools/run").path))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: app.appendingPathComponent("entry.py").path) == "main.py")
        #expect(!FileManager.default.fileExists(atPath: source.appendingPathComponent(".venv").path))
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("$ \(Toolchain.detect().python) -m venv --without-pip .venv"))
    }

    @Test("a failing command stops the build, is named in the error, and its output is in the log")
    func failingBuild() async throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let source = try sandbox.write(["bin/greet": "#!/bin/sh\necho hello from \"$1\"\n"], executable: ["bin/greet"], in: "source")
        let failing = "greet build; echo to-stderr >&2; exit 3"
        let plan = BuildPlan(provider: "custom", install: ["echo \"install saw $GREETING\""], build: [failing, "echo never-runs"], start: "true", paths: ["bin"])
        let log = sandbox.url.appendingPathComponent("build.log")
        try Data("earlier line\n".utf8).write(to: log)

        let error = await #expect(throws: RailyardError.self) {
            try await executor.build(
                plan: plan, source: source, appDirectory: sandbox.url.appendingPathComponent("app"),
                environment: ["GREETING": "hi", "PATH": "/usr/bin:/bin"], log: log
            )
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == "build command `\(failing)` exited with status 3")
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.hasPrefix("earlier line\n$ echo \"install saw $GREETING\"\ninstall saw hi\n$ \(failing)\nhello from build\nto-stderr\n"))
        #expect(text.contains("exited with status 3"))
        #expect(!text.contains("never-runs\n"))
    }

    @Test("cancelling the task stops the running command")
    func cancellation() async throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let source = try sandbox.write(["start.sh": ""], in: "source")
        let plan = BuildPlan(provider: "shell", build: ["sleep 30"], start: "sh start.sh")
        let started = ContinuousClock.now
        let build = Task {
            try await executor.build(plan: plan, source: source, appDirectory: sandbox.url.appendingPathComponent("app"), environment: [:], log: sandbox.url.appendingPathComponent("log"))
        }
        let log = sandbox.url.appendingPathComponent("log")
        while (try? String(contentsOf: log, encoding: .utf8))?.contains("$ sleep 30") != true {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))
        build.cancel()
        await #expect(throws: CancellationError.self) { try await build.value }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a command that leaves a background process does not hold the build, and the process is stopped")
    func stragglers() async throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let source = try sandbox.write(["start.sh": ""], in: "source")
        let app = sandbox.url.appendingPathComponent("app")
        let plan = BuildPlan(provider: "shell", build: ["sleep 30 & echo $! > straggler.pid"], start: "sh start.sh")
        let started = ContinuousClock.now
        try await executor.build(plan: plan, source: source, appDirectory: app, environment: [:], log: sandbox.url.appendingPathComponent("log"))
        #expect(ContinuousClock.now - started < .seconds(10))
        let pid = try #require(Int32(String(contentsOf: app.appendingPathComponent("straggler.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var alive = true
        for _ in 0..<50 where alive {
            alive = kill(pid, 0) == 0 && !((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
            if alive { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(!alive)
    }

    @Test("the app folder must not exist yet")
    func existingAppFolder() async throws {
        let sandbox = try TemporaryDirectory()
        defer { sandbox.remove() }
        let source = try sandbox.write(["index.html": "hi"], in: "source")
        let error = await #expect(throws: RailyardError.self) {
            try await executor.build(plan: BuildPlan(provider: "staticfile", staticRoot: "."), source: source, appDirectory: source, environment: [:], log: sandbox.url.appendingPathComponent("log"))
        }
        #expect(error?.code == .conflict)
    }

    @Test("PATH gets the plan's folders in front, made absolute")
    func environment() {
        let env = BuildExecutor.environment(["PATH": "/usr/bin", "HOME": "/home/app"], paths: [".venv/bin", "node_modules/.bin"], appDirectory: URL(fileURLWithPath: "/data/app"))
        #expect(env["PATH"] == "/data/app/.venv/bin:/data/app/node_modules/.bin:/usr/bin")
        #expect(env["HOME"] == "/home/app")
        #expect(env["PIP_DISABLE_PIP_VERSION_CHECK"] == "1")
    }
}
