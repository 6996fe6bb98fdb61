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
        try curl(["-H", "Host: \(host)", edgeURL + path])
    }

    /// Sends an empty-bodied `method` request for `path` to `host` through the edge.
    static func send(_ edgeURL: String, host: String, method: String, path: String) async throws -> Response {
        try curl(["-X", method, "-H", "Host: \(host)", edgeURL + path])
    }

    /// POSTs `body` to `url` with `headers` (name → value).
    static func post(_ url: String, body: Data, headers: [String: String]) async throws -> Response {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-post-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try curl(headers.sorted { $0.key < $1.key }.flatMap { ["-H", "\($0.key): \($0.value)"] } + ["--data-binary", "@\(file.path)", url])
    }

    /// Runs curl with `arguments`, reading the status code it prints after the body.
    static func curl(_ arguments: [String]) throws -> Response {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-m", "10", "-w", "\n%{http_code}"] + arguments
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
