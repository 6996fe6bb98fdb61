#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOHTTP1
import RailyardEdge
import Testing

@Suite("Proxying to an app server that is not NIO", .timeLimit(.minutes(2)))
struct InteropTests {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(
        "python3 -m http.server (HTTP/1.0, one connection per request) behind the edge",
        .enabled(if: python != nil, "needs a python3 interpreter")
    )
    func pythonHTTPServer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "hello from python".write(to: folder.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)

        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: the child inherits the test thread's blocked-signal mask, so SIGTERM waits.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        try await EdgeHarness.with { edge in
            edge.routes.set(.upstreams([Upstream(host: "127.0.0.1", port: port)]), for: "py.localhost")
            // The app needs a moment to start; the edge answers 502 until it listens.
            var answer: (HTTPResponseStatus, HTTPHeaders, String) = (.badGateway, [:], "")
            for _ in 0..<100 {
                answer = try await edge.get("/hello.txt", host: "py.localhost")
                if answer.0 != .badGateway { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(answer.0 == .ok)
            #expect(answer.2 == "hello from python")
            for _ in 0..<3 {
                #expect(try await edge.get("/hello.txt", host: "py.localhost").2 == "hello from python")
            }
            #expect(try await edge.get("/missing", host: "py.localhost").0 == .notFound)
        }
    }
}
