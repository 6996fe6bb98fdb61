import Foundation
import Testing

extension EndToEndTests {
    /// The CLI reports failures as one `error:` line on stderr and a non-zero exit, and says what to do.
    @Suite("End to end: CLI errors")
    struct CLIErrorTests {
        @Test("wrong password, unlinked folder, missing service, unreachable server")
        func errors() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { server.killNow() }
            let folder = try root.subdirectory("unlinked")
            let cli = try CLIRunner(root: root, workingDirectory: folder)

            let notLoggedIn = try await cli.run(["whoami"])
            Self.expectOneLineError(notLoggedIn, containing: "railyard login")

            let signup = try await cli.run(["signup", "--server", server.baseURL, "--email", "err@example.com", "--password", "correct-horse-9"])
            try #require(signup.status == 0, "\(signup)")

            let wrongPassword = try await cli.run(["login", "--server", server.baseURL, "--email", "err@example.com", "--password", "wrong-password-1"])
            Self.expectOneLineError(wrongPassword, containing: nil)

            for command in [["status"], ["variables"], ["service"], ["environment"]] {
                let unlinked = try await cli.run(command)
                Self.expectOneLineError(unlinked, containing: "railyard link")
                #expect(unlinked.stderr.contains("railyard init"), "\(command): \(unlinked)")
            }

            let created = try await cli.run(["init", "--name", "errors"])
            try #require(created.status == 0, "\(created)")
            let noService = try await cli.run(["variables"])
            Self.expectOneLineError(noService, containing: "--service")
            #expect(noService.stderr.contains("--shared"))

            let badName = try await cli.run(["service", "new", "Not_A_Label"])
            Self.expectOneLineError(badName, containing: nil)

            let badToken = try await cli.run(["login", "--server", server.baseURL, "--token", "ry_not-a-real-token"])
            Self.expectOneLineError(badToken, containing: nil)

            let unreachable = try await cli.run(["login", "--server", "http://127.0.0.1:1", "--email", "a@b.co", "--password", "whatever-123"])
            Self.expectOneLineError(unreachable, containing: "cannot reach Railyard at http://127.0.0.1:1")
        }

        static func expectOneLineError(_ result: CLIRunner.Result, containing text: String?, sourceLocation: SourceLocation = #_sourceLocation) {
            let lines = result.stderr.split(whereSeparator: \.isNewline)
            #expect(result.status != 0, "\(result)", sourceLocation: sourceLocation)
            #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(result)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains("USAGE") && !result.stderr.contains("Usage:"), sourceLocation: sourceLocation)
            if let text {
                #expect(result.stderr.contains(text), "\(result)", sourceLocation: sourceLocation)
            }
        }
    }
}
