import Foundation

/// An HTTP GET through the edge with an explicit Host header (this machine's resolver does not
/// resolve `*.localhost`, so requests go to the edge's address). Uses the system's curl.
enum EdgeRequest {
    struct Response: CustomStringConvertible {
        var status: Int
        var body: String
        var description: String { "HTTP \(status): \(body.prefix(500))" }
    }

    /// GETs `path` for `host` from the edge at `edgeURL` (e.g. `http://127.0.0.1:8080`).
    static func get(_ edgeURL: String, host: String, path: String = "/") async throws -> Response {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-m", "10", "-H", "Host: \(host)", "-w", "\n%{http_code}", edgeURL + path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return Response(status: Int(lines.last ?? "") ?? 0, body: lines.dropLast().joined(separator: "\n"))
    }

    /// The host of a URL such as `http://web-production-shop.localhost:8080`.
    static func host(of url: String) -> String? {
        URLComponents(string: url)?.host
    }
}
