import Foundation
import NIOCore
import NIOPosix

/// One HTTP health check: `GET <path>` to a replica on loopback, as Railway does it — healthy on a
/// 200, anything else (another status, no answer in time, a refused connection) is not. The request
/// carries `Host: healthcheck.railway.app`, the host Railway's checks use, so apps that allow-list
/// hosts can allow this one by the name their Railway docs give.
public enum HealthProbe {
    public static let host = "healthcheck.railway.app"

    /// The outcome of one check.
    public enum Outcome: Sendable, Equatable {
        case healthy
        case unhealthy(String)
    }

    /// Checks once, within `timeout`, the replica listening at `address` (its network's, or loopback).
    public static func check(address: String = "127.0.0.1", port: Int, path: String, timeout: Duration = .seconds(2)) async -> Outcome {
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: Railyard-HealthCheck\r\nConnection: close\r\n\r\n"
        do {
            return try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask { try await exchange(address: address, port: port, request: request) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .unhealthy("no answer to GET \(path) within \(timeout)")
                }
                let first = try await group.next() ?? .unhealthy("no answer")
                group.cancelAll()
                return first
            }
        } catch {
            return .unhealthy("GET \(path) failed: \(error)")
        }
    }

    private static func exchange(address: String, port: Int, request: String) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(500))
            .connect(host: address, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var head = ByteBuffer()
            for try await chunk in inbound {
                var chunk = chunk
                head.writeBuffer(&chunk)
                if let line = statusLine(head) { return outcome(of: line) }
                if head.readableBytes > 8192 { break }
            }
            return statusLine(head).map(outcome(of:)) ?? .unhealthy("the app closed the connection without an HTTP answer")
        }
    }

    /// The first line of the response once it has arrived.
    static func statusLine(_ buffer: ByteBuffer) -> String? {
        let bytes = buffer.readableBytesView
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Healthy only on `HTTP/1.x 200`.
    static func outcome(of line: String) -> Outcome {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return .unhealthy("the answer was not HTTP: \(line.prefix(80))") }
        return parts[1] == "200" ? .healthy : .unhealthy("the health check answered \(parts.dropFirst().joined(separator: " "))")
    }
}
