import Foundation
import Testing

extension EndToEndTests {
    /// Issue 5's third acceptance item: SIGKILL the server while apps run and while a deployment is
    /// mid-way; after a restart every app answers from the same replicas (adopted, not restarted),
    /// none is duplicated, and the interrupted deployment ends in a terminal status.
    @Suite("End to end: a SIGKILLed server re-adopts its replicas")
    struct ServerRestartTests {
        @Test("after a SIGKILL, running replicas keep serving and are adopted; an interrupted deployment ends FAILED")
        func sigkill() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            defer { ChildProcess.killMatching(root.path) }
            let first = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { first.killNow() }
            let web = try DeployPathTests.app(root, "web", [
                "main.py": SupervisorTests.app(word: "web"),
                "railway.json": #"{"deploy": {"numReplicas": 2}}"#,
            ])
            let cli = try CLIRunner(root: root, workingDirectory: web)
            #expect(try await cli.run(["signup", "--server", first.baseURL, "--email", "kill@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "survivors"]).status == 0)
            let up = try await cli.run(["up"], timeout: .seconds(120))
            try #require(up.status == 0, "\(up)\n\(first.logs())")
            let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
            let edge = try await first.edgeURL()
            var before: Set<String> = []
            for _ in 0..<6 { before.insert(try await EdgeRequest.get(edge, host: host).body) }
            #expect(before.count == 2, "\(before)")
            let pidsBefore = Set(ProcessScan.pythonPids(withEnvironment: "RAILYARD_PROJECT_NAME=survivors"))
            #expect(pidsBefore.count == 2)

            // A second service whose build is still running when the server dies.
            let slow = try DeployPathTests.app(root, "slow", [
                "main.py": SupervisorTests.app(word: "slow"),
                "railway.json": #"{"build": {"buildCommand": "sleep 30"}}"#,
            ])
            #expect(try await cli.run(["link", "--project", "survivors"], in: slow).status == 0)
            #expect(try await cli.run(["service", "new", "slow"], in: slow).status == 0)
            let detached = try await cli.run(["up", "--service", "slow", "--detach"], in: slow)
            try #require(detached.status == 0, "\(detached)")
            // Killed once the build is at its `sleep 30`: earlier, a python of its install step
            // (the venv) could be running, and would be counted among the replicas below.
            var building = ""
            for _ in 0..<150 {
                building = try await cli.run(["logs", "--service", "slow", "--build"], in: slow).stdout
                if building.contains("$ sleep 30") { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(building.contains("$ sleep 30"), "\(building)")
            #expect(try await cli.run(["status"], in: slow).stdout.contains("BUILDING"))

            await first.sigkill()
            // The replicas outlive the control plane: still running, still answering on their ports.
            #expect(Set(ProcessScan.pythonPids(withEnvironment: "RAILYARD_PROJECT_NAME=survivors")) == pidsBefore)

            let second = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { second.killNow() }
            let newEdge = try await second.edgeURL()
            var after: Set<String> = []
            for _ in 0..<100 where after.count < 2 {
                let response = try await EdgeRequest.get(newEdge, host: host)
                if response.status == 200 { after.insert(response.body) } else { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(after == before, "the same two replicas answer: adopted, not restarted\n\(second.logs())")
            #expect(Set(ProcessScan.pythonPids(withEnvironment: "RAILYARD_PROJECT_NAME=survivors")) == pidsBefore, "no replica was duplicated or restarted")

            #expect(try await cli.run(["login", "--server", second.baseURL, "--email", "kill@example.com", "--password", "correct-horse-9"]).status == 0)
            let status = try await cli.run(["status"], in: slow).stdout
            #expect(status.contains("FAILED"), "the interrupted deployment ended: \(status)")
            let logs = try await cli.run(["logs", "--service", "slow", "--build"], in: slow)
            #expect((logs.stdout + logs.stderr).contains("interrupted by a server restart") || (logs.stdout + logs.stderr).contains("Deployment interrupted"), "\(logs)")

            // The adopted replicas are supervised: one that dies is replaced.
            for pid in ProcessScan.pythonPids(withEnvironment: "RAILYARD_PROJECT_NAME=survivors").prefix(1) { kill(pid, SIGKILL) }
            var replaced = false
            for _ in 0..<100 {
                var ids: Set<String> = []
                for _ in 0..<4 { ids.insert(try await EdgeRequest.get(newEdge, host: host).body) }
                if ids.count == 2, !ids.isSubset(of: before) {
                    replaced = true
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(replaced, "an adopted replica that died was restarted\n\(second.logs())")
            _ = await second.stop()
        }
    }
}
