import RailyardClient
import RailyardCore

/// Prints a log the server hands out in chunks (a deployment's, a cron run's): all of it, or its
/// last `lines`; then, with `follow`, new text as it comes until the log ends.
struct LogPrinter {
    var lines: Int?
    var follow: Bool
    /// The text past an offset, waiting up to the given seconds for some.
    var fetch: (Int64, Int) async throws -> LogChunk
    var emit: (String) -> Void

    func run() async throws {
        // What is there now: streamed, or only its last lines.
        var tail = lines.map(LogTail.init(limit:))
        var offset: Int64 = 0
        var complete = false
        while true {
            let chunk = try await fetch(offset, 0)
            offset = chunk.nextOffset
            complete = chunk.complete
            if tail != nil { tail?.append(chunk.text) } else if !chunk.text.isEmpty { emit(chunk.text) }
            if chunk.text.isEmpty || chunk.complete { break }
        }
        if let tail, !tail.lines.isEmpty { emit(tail.text) }
        guard follow else { return }

        while !complete {
            let started = ContinuousClock.now
            let chunk = try await fetch(offset, RailyardClient.maxLogWait)
            offset = chunk.nextOffset
            complete = chunk.complete
            if !chunk.text.isEmpty {
                emit(chunk.text)
            } else if ContinuousClock.now - started < .seconds(1) {
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
