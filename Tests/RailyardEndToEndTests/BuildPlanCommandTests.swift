import Foundation
import Testing

extension EndToEndTests {
    /// `railyard build --plan [DIR]`: the plan as JSON, without building and without a server.
    @Suite("End to end: railyard build --plan")
    struct BuildPlanCommandTests {
        @Test("prints the detected plan as JSON, honours variable overrides, and explains bad input")
        func plan() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let app = try root.subdirectory("app")
            try "flask\n".write(toFile: app + "/requirements.txt", atomically: true, encoding: .utf8)
            try "print('hi')\n".write(toFile: app + "/main.py", atomically: true, encoding: .utf8)
            let cli = try CLIRunner(root: root, workingDirectory: root.path)

            let result = try await cli.run(["build", "--plan", app])
            try #require(result.status == 0, "\(result)")
            let plan = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(plan["provider"] as? String == "python")
            #expect((plan["install"] as? [String])?.contains { $0.contains("pip install -r requirements.txt") } == true)
            #expect(plan["start"] as? String == "python main.py")
            #expect(!FileManager.default.fileExists(atPath: app + "/.venv"), "planning must not build")

            let overridden = try await cli.run(["build", "--plan", app, "--variable", "RAILYARD_START_CMD=gunicorn main:app"])
            let custom = try JSONSerialization.jsonObject(with: Data(overridden.stdout.utf8)) as? [String: Any]
            #expect(custom?["start"] as? String == "gunicorn main:app", "\(overridden)")

            let missing = try await cli.run(["build", "--plan", root.path + "/nope"])
            #expect(missing.status != 0 && missing.stderr.contains("is not a folder"), "\(missing)")
            let empty = try await cli.run(["build", "--plan", try root.subdirectory("empty")])
            #expect(empty.status != 0 && empty.stderr.contains("no start command"), "\(empty)")
        }
    }
}
