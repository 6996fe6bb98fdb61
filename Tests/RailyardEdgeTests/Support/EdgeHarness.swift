import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RailyardEdge

/// A running edge on 127.0.0.1, port 0, with its route table, for one test.
struct EdgeHarness {
    let routes: RouteTable
    let port: Int
    /// The HTTPS listener's port, when the configuration asked for one.
    let tlsPort: Int?
    private let task: Task<Void, Error>

    /// Runs `body` against a fresh edge, then cancels it.
    static func with<T>(
        configuration: EdgeServer.Configuration = .init(),
        _ body: (EdgeHarness) async throws -> T
    ) async throws -> T {
        let routes = RouteTable()
        var logger = Logger(label: "edge-test")
        logger.logLevel = ProcessInfo.processInfo.environment["EDGE_TEST_LOG"] != nil ? .trace : .warning
        let server = EdgeServer(host: "127.0.0.1", port: 0, routes: routes, logger: logger, configuration: configuration)
        let task = Task { try await server.run() }
        let port = try await server.waitUntilBound()
        let harness = EdgeHarness(routes: routes, port: port, tlsPort: server.tlsPort, task: task)
        do {
            let result = try await body(harness)
            task.cancel()
            _ = await task.result
            return result
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
    }

    /// A request to the edge for `host`: the URL names 127.0.0.1, the Host header names the app.
    func request(_ path: String, host: String, method: HTTPMethod = .GET) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.replaceOrAdd(name: "host", value: host)
        return request
    }

    /// Sends a request and collects the whole response.
    func send(_ request: HTTPClientRequest, limit: Int = 64 << 20) async throws -> (HTTPClientResponse, ByteBuffer) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: limit)
        return (response, body)
    }

    /// GET `path` on `host`, returning status, headers and body text.
    func get(_ path: String, host: String, headers: [(String, String)] = []) async throws -> (HTTPResponseStatus, HTTPHeaders, String) {
        var request = request(path, host: host)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let (response, body) = try await send(request)
        return (response.status, response.headers, String(buffer: body))
    }

    /// Writes `raw` bytes on a new connection and returns everything the edge sends until it
    /// closes — for requests a well-behaved client library would refuse or normalise.
    func raw(_ raw: String) async throws -> String {
        String(buffer: try await RawHTTP.exchange(raw, port: port))
    }

    /// `raw(_:)` returning the bytes, for bodies that are not text.
    func rawBytes(_ raw: String) async throws -> ByteBuffer {
        try await RawHTTP.exchange(raw, port: port)
    }
}

/// Raw TCP request/response, for malformed or deliberately odd requests.
enum RawHTTP {
    static func exchange(_ raw: String, host: String = "127.0.0.1", port: Int) async throws -> ByteBuffer {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: raw))
            var received = ByteBuffer()
            for try await var chunk in inbound {
                received.writeBuffer(&chunk)
            }
            return received
        }
    }
}

/// Splits a raw HTTP/1.x response into status line, headers (lowercased names) and body.
struct RawResponse {
    var statusLine: String
    var headers: [String: String]
    var body: String

    init(_ text: String) {
        let split = text.range(of: "\r\n\r\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        body = split.map { String(text[$0.upperBound...]) } ?? ""
        var lines = head.components(separatedBy: "\r\n")
        statusLine = lines.isEmpty ? "" : lines.removeFirst()
        headers = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
}
