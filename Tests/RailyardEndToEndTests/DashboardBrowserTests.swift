import Foundation
import Testing

extension EndToEndTests {
    /// Issue 10's dashboard in headless Chromium: `Tests/Browser/dashboard_test.py` drives a real
    /// server's dashboard with selenium (log in, create, deploy, live status and logs, variables).
    @Suite("End to end: dashboard in a browser")
    struct DashboardBrowserTests {
        /// The Python that has selenium: `scripts/test-services` makes a venv and exports it.
        static let python = ProcessInfo.processInfo.environment["RAILYARD_BROWSER_PYTHON"] ?? "/usr/bin/python3"
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Browser/dashboard_test.py").path

        /// Chromium, its driver and selenium are there (`scripts/test-services` installs all three).
        static var browserInstalled: Bool {
            let tools = ["/usr/bin/chromium", "/usr/bin/chromedriver"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            guard tools, FileManager.default.isExecutableFile(atPath: python) else { return false }
            let check = Process()
            check.executableURL = URL(fileURLWithPath: python)
            check.arguments = ["-c", "import selenium"]
            check.standardOutput = FileHandle.nullDevice
            check.standardError = FileHandle.nullDevice
            guard (try? check.run()) != nil else { return false }
            check.waitUntilExit()
            return check.terminationStatus == 0
        }

        @Test(
            "log in, create a project, deploy a static site: SUCCESS and a build log line arrive live; a variable shows masked",
            .enabled(if: browserInstalled, "needs chromium, chromium-driver and selenium: run scripts/test-services")
        )
        func dashboardInBrowser() async throws {
            // Usage sampled every second, so the metrics tab has figures to chart within the test.
            try await ServerProcess.withServer(environment: ["RAILYARD_USAGE_INTERVAL": "1"]) { root, server, edge in
                let outputPath = root.path + "/browser-test.log"
                _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Self.python)
                process.arguments = [Self.script, "--url", server.baseURL, "--edge", edge]
                var environment = ChildProcess.baseEnvironment()
                environment["HOME"] = root.path  // chromium's profile and caches go in the test's folder
                process.environment = environment
                process.standardOutput = output
                process.standardError = output
                try process.run()
                let exited = await ChildProcess.waitForExit(process, timeout: .seconds(240))
                if !exited { ChildProcess.signal(process, SIGKILL) }
                try? output.close()
                let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
                #expect(exited && process.terminationStatus == 0, "the browser test failed:\n\(text)")
                print(text)
            }
        }
    }
}
