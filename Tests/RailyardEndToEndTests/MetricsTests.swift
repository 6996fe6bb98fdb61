import Foundation
import Testing

extension EndToEndTests {
    /// Issue 11's first acceptance item: `/metrics` is valid Prometheus text (parsed by the official
    /// Python client) and the seed guide's three metrics move when deployments happen.
    @Suite("End to end: Prometheus metrics")
    struct MetricsTests {
        /// The Python with prometheus-client that `scripts/test-services` prepares.
        static var python: String? {
            guard let path = ProcessInfo.processInfo.environment["RAILYARD_TEST_PYTHON"], FileManager.default.isExecutableFile(atPath: path)
            else { return nil }
            return path
        }

        /// One sample of a scrape, as prometheus-client parsed it.
        struct Sample: Decodable, Equatable {
            var name: String
            var labels: [String: String]
            var value: Double
        }

        /// Parses exposition text with prometheus-client's parser (which throws on malformed text).
        static func parse(_ text: String) throws -> [Sample] {
            let script = """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                samples = []
                for family in text_string_to_metric_families(sys.stdin.read()):
                    for sample in family.samples:
                        samples.append({"name": sample.name, "labels": sample.labels, "value": sample.value})
                print(json.dumps(samples))
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(python))
            process.arguments = ["-c", script]
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "prometheus-client refused the text: \(problem)\n\(text)")
            return try JSONDecoder().decode([Sample].self, from: data)
        }

        static func scrape(_ server: ServerProcess, token: String?) throws -> (status: Int, body: String) {
            let response = try EdgeRequest.curl((token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + [server.baseURL + "/metrics"])
            return (response.status, response.body)
        }

        @Test("/metrics parses, needs its token, and counts deployments, their durations and live apps", .enabled(if: python != nil))
        func metrics() async throws {
            let token = "metrics-token-\(UUID().uuidString.prefix(8))"
            try await ServerProcess.withServer(extraArguments: ["--metrics-token", token]) { root, server, _ in
                #expect(try Self.scrape(server, token: nil).status == 401)
                #expect(try Self.scrape(server, token: "wrong-token-wrong-token").status == 401)
                let before = try Self.parse(try Self.scrape(server, token: token).body)
                #expect(before.contains { $0.name == "process_resident_memory_bytes" && $0.value > 1_000_000 })
                #expect(before.contains { $0.name == "railyard_active_applications" && $0.labels["user_tier"] == "free" && $0.value == 0 })

                let site = try DeployPathTests.app(root, "site", ["index.html": "<h1>metrics</h1>"])
                let cli = try CLIRunner(root: root, workingDirectory: site)
                #expect(try await cli.run(["signup", "--server", server.baseURL, "--email", "m@example.com", "--password", "correct-horse-9"]).status == 0)
                #expect(try await cli.run(["init", "--name", "measured"]).status == 0)
                let up = try await cli.run(["up"], timeout: .seconds(120))
                try #require(up.status == 0, "\(up)")
                let host = try #require(DeployPathTests.url(in: up.stdout).flatMap(EdgeRequest.host(of:)))
                for _ in 0..<3 { _ = try await EdgeRequest.get(try await server.edgeURL(), host: host) }
                let broken = try DeployPathTests.app(root, "broken", [
                    "index.html": "x", "railway.json": #"{"build": {"buildCommand": "exit 3"}}"#,
                ])
                #expect(try await cli.run(["link", "--project", "measured"], in: broken).status == 0)
                #expect(try await cli.run(["service", "new", "broken"], in: broken).status == 0)
                #expect(try await cli.run(["up", "--service", "broken"], in: broken, timeout: .seconds(120)).status != 0)

                var after: [Sample] = []
                for _ in 0..<50 {
                    after = try Self.parse(try Self.scrape(server, token: token).body)
                    if after.contains(where: { $0.name == "railyard_deployments_total" && $0.labels["status"] == "FAILED" }) { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let deployments = after.filter { $0.name == "railyard_deployments_total" }
                #expect(deployments.contains { $0.labels["status"] == "SUCCESS" && $0.labels["framework"] == "staticfile" && $0.value == 1 }, "\(deployments)")
                #expect(deployments.contains { $0.labels["status"] == "FAILED" && $0.value == 1 }, "\(deployments)")
                #expect(Set(deployments.compactMap { $0.labels["project_id"] }).count == 1)
                let stages = Set(after.filter { $0.name == "railyard_deployment_duration_seconds_count" && $0.value >= 1 }.compactMap { $0.labels["stage"] })
                #expect(stages == ["build", "deploy", "total"], "\(stages)")
                #expect(after.contains { $0.name == "railyard_active_applications" && $0.labels["user_tier"] == "free" && $0.value == 1 })
                let requests = after.filter { $0.name == "railyard_http_requests_total" && $0.labels["status_class"] == "2xx" }
                #expect(requests.map(\.value) == [3], "\(requests)")
                #expect(after.contains { $0.name == "railyard_http_request_duration_seconds_count" && $0.value == 3 })

                // A custom domain's requests count for its service, and stay counted after it goes:
                // a counter never goes down.
                let custom = "shop-\(UUID().uuidString.prefix(6).lowercased()).example.com"
                let added = try await cli.run(["domain", "add", custom])
                try #require(added.status == 0, "\(added)")
                for _ in 0..<2 { _ = try await EdgeRequest.get(try await server.edgeURL(), host: custom) }
                let withCustom = try Self.parse(try Self.scrape(server, token: token).body)
                    .filter { $0.name == "railyard_http_requests_total" && $0.labels["status_class"] == "2xx" }
                #expect(withCustom.map(\.value) == [5], "\(withCustom)")
                let removed = try await cli.run(["domain", "remove", custom])
                try #require(removed.status == 0, "\(removed)")
                let afterRemoval = try Self.parse(try Self.scrape(server, token: token).body)
                    .filter { $0.name == "railyard_http_requests_total" && $0.labels["status_class"] == "2xx" }
                #expect(afterRemoval.map(\.value) == [5], "\(afterRemoval)")
            }
        }
    }
}
