import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Live events: the socket on a real server")
struct EventSocketTests {
    /// Runs a real server on free ports for `body`, with its base URL.
    private static func withServer(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("railyard-events-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (url, server) = try await LiveServer.start(directory: directory) { $0.eventsRevalidateInterval = .milliseconds(300) }
        defer { server.cancel() }
        try await body(url)
    }

    private static func post(_ url: String, _ json: String, token: String? = nil) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
    }

    private static func token(_ base: String, _ email: String) async throws -> String {
        let answer = try await post(base + "/api/v1/auth/signup", #"{"email":"\#(email)","password":"long enough pw"}"#)
        guard case .string(let token)? = answer["token"] else { throw RailyardError(.internal, "no token in \(answer)") }
        return token
    }

    /// Opens the events socket, sends `messages` one at a time, and returns the server's answers
    /// (`answers` of them, or fewer if it closed first).
    private static func exchange(_ base: String, _ messages: [String], answers: Int) async throws -> [JSONValue] {
        let received = ReceivedMessages()
        let url = base.replacingOccurrences(of: "http://", with: "ws://") + "/api/v1/events"
        try await WebSocketClient.connect(url: url, logger: Logger(label: "test")) { inbound, outbound, _ in
            for message in messages { try await outbound.write(.text(message)) }
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            while received.count < answers, let message = try await iterator.next() {
                if case .text(let text) = message { received.append(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) }
            }
        }
        return received.all
    }

    @Test("the first message must be a valid token; subscriptions are authorised like the REST routes")
    func authenticationAndAccess() async throws {
        try await Self.withServer { base in
            let alice = try await Self.token(base, "alice@example.com")
            let bob = try await Self.token(base, "bob@example.com")
            let created = try await Self.post(base + "/api/v1/projects", #"{"name":"shop"}"#, token: alice)
            guard case .string(let projectId)? = created["project"]?["id"] else { Issue.record("no project: \(created)"); return }

            let anonymous = try await Self.exchange(base, [#"{"subscribe":{"project":"\#(projectId)"}}"#], answers: 2)
            #expect(anonymous.count == 1 && anonymous.first?["code"] == "unauthorized", "\(anonymous)")
            let forged = try await Self.exchange(base, [#"{"token":"not-a-token"}"#], answers: 2)
            #expect(forged.count == 1 && forged.first?["code"] == "unauthorized", "\(forged)")

            let stranger = try await Self.exchange(base, [
                #"{"token":"\#(bob)"}"#, #"{"subscribe":{"project":"\#(projectId)"}}"#,
            ], answers: 2)
            #expect(stranger.first?["type"] == "ready")
            #expect(stranger.last?["type"] == "error" && stranger.last?["code"] == "not_found", "\(stranger)")

            // The owner's project subscription is accepted silently; the next answer is the bad log topic's.
            let owner = try await Self.exchange(base, [
                #"{"token":"\#(alice)"}"#, #"{"subscribe":{"project":"\#(projectId)"}}"#,
                #"{"subscribe":{"logs":"no-such-deployment"}}"#, #"{"hello":1"#,
            ], answers: 3)
            #expect(owner.map { $0["type"] } == ["ready", "error", "error"], "\(owner)")
            #expect(owner.dropFirst().first?["code"] == "not_found")
            #expect(owner.last?["code"] == "invalid_input")
        }
    }
}

extension EventSocketTests {
    @Test("an open socket whose token is revoked is told so and closed: nothing more reaches it")
    func revokedTokenClosesTheSocket() async throws {
        try await Self.withServer { base in
            let session = try await Self.token(base, "carol@example.com")
            let created = try await Self.post(base + "/api/v1/projects", #"{"name":"kept"}"#, token: session)
            guard case .string(let projectId)? = created["project"]?["id"] else { Issue.record("no project: \(created)"); return }
            let issued = try await Self.post(base + "/api/v1/tokens", #"{"name":"dashboard"}"#, token: session)
            guard case .string(let apiToken)? = issued["token"], case .string(let tokenId)? = issued["apiToken"]?["id"] ?? issued["id"] else {
                Issue.record("no API token: \(issued)"); return
            }
            let received = ReceivedMessages()
            let url = base.replacingOccurrences(of: "http://", with: "ws://") + "/api/v1/events"
            try await WebSocketClient.connect(url: url, logger: Logger(label: "test")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"token":"\#(apiToken)"}"#))
                try await outbound.write(.text(#"{"subscribe":{"project":"\#(projectId)"}}"#))
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                while let message = try await iterator.next() {
                    guard case .text(let text) = message else { continue }
                    let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                    received.append(value)
                    if value["type"] == "ready" {
                        var revoke = HTTPClientRequest(url: base + "/api/v1/tokens/\(tokenId)")
                        revoke.method = .DELETE
                        revoke.headers.add(name: "Authorization", value: "Bearer \(session)")
                        _ = try await HTTPClient.shared.execute(revoke, timeout: .seconds(10))
                    }
                }
            }
            let all = received.all
            #expect(all.first?["type"] == "ready" && all.last?["type"] == "error" && all.last?["code"] == "unauthorized", "\(all)")
        }
    }
}

/// Messages a socket handler collected (the handler is a `@Sendable` closure).
private final class ReceivedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [JSONValue] = []
    var count: Int { lock.withLock { messages.count } }
    var all: [JSONValue] { lock.withLock { messages } }
    func append(_ message: JSONValue) { lock.withLock { messages.append(message) } }
}
