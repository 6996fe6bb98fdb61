import Foundation
import Hummingbird
import RailyardCore

/// `?offset=N&wait=S` of a log route: where to read from and how long to wait for new text.
struct LogRequest {
    var offset: Int64
    var wait: Double

    /// Longest a log request may wait for new text, in seconds.
    static let maxWait: Double = 25

    init(_ request: Request) throws {
        guard let offset = Int64(request.query("offset") ?? "0"), offset >= 0 else {
            throw RailyardError.invalid("offset", "offset must be a non-negative number of bytes")
        }
        self.offset = offset
        self.wait = min(max(Double(request.query("wait") ?? "0") ?? 0, 0), Self.maxWait)
    }

    /// The text of `file` from the offset: at once when there is some or the log is closed, else
    /// once some arrives or the wait is over. `isOpen` says whether the log can still grow.
    func read(_ file: URL, isOpen: () async throws -> Bool) async throws -> LogChunk {
        let deadline = Date().addingTimeInterval(wait)
        while true {
            let chunk = LogFile.read(file, from: offset, complete: !(try await isOpen()))
            if !chunk.text.isEmpty || chunk.complete || Date() >= deadline {
                return chunk
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
