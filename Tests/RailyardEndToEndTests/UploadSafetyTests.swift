import Foundation
import Testing

extension EndToEndTests {
    /// Issue 3, acceptance 3: hand-made hostile archives sent straight to the upload route are each
    /// rejected with a 400 that says why, and nothing lands outside the snapshot dir.
    @Suite("End to end: unsafe uploads")
    struct UploadSafetyTests {
        /// Python's tarfile builds each hostile archive; `%OUT%` is where to write it, `%ESCAPE%` a path
        /// outside the data dir that must never appear.
        static let archives: [(name: String, script: String, reason: String)] = [
            ("dot-dot entry", """
                t = tarfile.open(OUT, "w:gz"); i = tarfile.TarInfo("../%NAME%"); d = b"x"; i.size = 1
                t.addfile(i, io.BytesIO(d)); t.close()
                """, ".."),
            ("absolute path", """
                t = tarfile.open(OUT, "w:gz"); i = tarfile.TarInfo(ESCAPE); d = b"x"; i.size = 1
                t.addfile(i, io.BytesIO(d)); t.close()
                """, "absolute"),
            ("hard link to a system file", """
                t = tarfile.open(OUT, "w:gz"); i = tarfile.TarInfo("passwd"); i.type = tarfile.LNKTYPE; i.linkname = "/etc/passwd"
                t.addfile(i); t.close()
                """, "link"),
            ("symlink out, then a file through it", """
                t = tarfile.open(OUT, "w:gz"); l = tarfile.TarInfo("out"); l.type = tarfile.SYMTYPE; l.linkname = ESCAPE_DIR
                t.addfile(l); i = tarfile.TarInfo("out/%NAME%"); d = b"x"; i.size = 1; t.addfile(i, io.BytesIO(d)); t.close()
                """, "symlink"),
        ]

        @Test("each hostile archive gets a 400 naming the problem, and nothing is written outside")
        func hostileArchives() async throws {
            let root = try TemporaryDirectory()
            defer { root.remove() }
            let server = try await ServerProcess.start(dataDirectory: root.path + "/data", logDirectory: root.path)
            defer { server.killNow() }
            let home = try root.subdirectory("app")
            let cli = try CLIRunner(root: root, workingDirectory: home)
            #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "u@example.com", "--password", "correct-horse-9"]).status == 0)
            #expect(try await cli.run(["init", "--name", "demo"]).status == 0)
            #expect(try await cli.run(["service", "new", "web"]).status == 0)
            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.configPath))) as? [String: Any] ?? [:]
            let token = try #require(config["token"] as? String)
            let link = try #require(Self.link(in: config))

            let escapeDir = try root.subdirectory("escape")
            for (index, archive) in Self.archives.enumerated() {
                let name = "pwned-\(index)"
                let out = root.path + "/archive-\(index).tar.gz"
                let script = "import tarfile, io\nOUT = '\(out)'\nESCAPE = '\(escapeDir)/\(name)'\nESCAPE_DIR = '\(escapeDir)'\n"
                    + archive.script.replacingOccurrences(of: "%NAME%", with: name)
                let python = Process()
                python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                python.arguments = ["python3", "-c", script]
                try python.run()
                python.waitUntilExit()
                try #require(python.terminationStatus == 0, "could not build the \(archive.name) archive")

                let url = "\(server.baseURL)/api/v1/projects/\(link.project)/environments/\(link.environment)/services/\(link.service)/deployments"
                let (code, body) = try Self.post(url, file: out, token: token)
                #expect(code == 400, "\(archive.name): \(code) \(body)")
                #expect(body.contains("invalid_input") && body.lowercased().contains(archive.reason), "\(archive.name): \(body)")
                #expect(!FileManager.default.fileExists(atPath: "\(escapeDir)/\(name)"), "\(archive.name) wrote outside")
                #expect(!FileManager.default.fileExists(atPath: "\(root.path)/data/\(name)"), "\(archive.name) wrote into the data dir")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: escapeDir).isEmpty)
            await server.stop()
        }

        /// The linked project, environment and service ids from the CLI's config.
        static func link(in config: [String: Any]) -> (project: String, environment: String, service: String)? {
            guard let links = config["links"] as? [String: Any] else { return nil }
            for case let link as [String: Any] in links.values {
                if let project = link["projectId"] as? String, let environment = link["environmentId"] as? String,
                    let service = link["serviceId"] as? String
                {
                    return (project, environment, service)
                }
            }
            return nil
        }

        /// POSTs a file as application/gzip with curl; returns the status and body.
        static func post(_ url: String, file: String, token: String) throws -> (Int, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = [
                "-s", "-m", "30", "-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/gzip",
                "--data-binary", "@\(file)", "-w", "\n%{http_code}", url,
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
    }
}
