import Foundation
import RailyardCore
@testable import RailyardServer
import Synchronization
import Testing

@Suite("Live events: following a log file")
struct LogFollowerTests {
    @Test("sends what is there, then new whole lines as they are written, then the rest once the log closes")
    func follows() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("follow-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: file) }
        LogFile.append("first", to: file)
        let state = FollowState()
        let follower = LogFollower(
            file: file, deploymentId: "d1", stream: .runtime, isOpen: { state.open.withLock { $0 } }, interval: .milliseconds(10)
        )
        let task = Task {
            await follower.run { text in
                state.sent.withLock { $0.append(try! JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) }
            }
        }
        func lines() -> [String] {
            state.sent.withLock { $0.flatMap { message -> [String] in
                guard case .array(let lines)? = message["lines"] else { return [] }
                return lines.compactMap { if case .string(let line) = $0 { line } else { nil } }
            } }
        }
        func waitFor(_ condition: () -> Bool) async throws {
            for _ in 0..<300 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await waitFor { lines() == ["first"] }
        #expect(lines() == ["first"])

        // A partial line waits for its newline while the log is open.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("second\nthi".utf8))
        try await waitFor { lines().count == 2 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(lines() == ["first", "second"])

        try handle.write(contentsOf: Data("rd".utf8))
        try handle.close()
        state.open.withLock { $0 = false }
        await task.value
        #expect(lines() == ["first", "second", "third"])
        let last = try #require(state.sent.withLock { $0.last })
        #expect(last["complete"] == .bool(true) && last["kind"] == "runtime" && last["deploymentId"] == "d1")
        #expect(state.sent.withLock { $0.dropLast().allSatisfy { $0["complete"] == .bool(false) } })
    }
}

/// What the follower was told and what it sent, shared with its task.
private final class FollowState: Sendable {
    let open = Mutex(true)
    let sent = Mutex<[JSONValue]>([])
}
