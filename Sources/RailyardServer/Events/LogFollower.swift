import Foundation
import RailyardCore

/// Follows one deployment's build or runtime log file for a socket the way `railyard logs --follow`
/// does over HTTP (``LogFile/read(_:from:complete:)`` from an offset, whole lines, polling), from
/// its first line until the log can no longer grow.
struct LogFollower: Sendable {
    let file: URL
    let deploymentId: String
    let stream: LogStream
    /// Whether the log can still grow (the deployment's status decides).
    let isOpen: @Sendable () async -> Bool
    /// How long to wait before looking at a log that had nothing new.
    var interval: Duration = .milliseconds(200)

    /// Sends `log` messages until the log is complete or the task is cancelled.
    func run(send: @Sendable (String) -> Void) async {
        var offset: Int64 = 0
        // A runtime log stays open as long as its release runs: ask the store at most once a second.
        let clock = ContinuousClock()
        var nextStatusCheck = clock.now
        while !Task.isCancelled {
            var chunk = LogFile.read(file, from: offset, complete: false)
            if chunk.text.isEmpty {
                if clock.now >= nextStatusCheck {
                    nextStatusCheck = clock.now + .seconds(1)
                    if !(await isOpen()) {
                        chunk = LogFile.read(file, from: offset, complete: true)
                        send(message(chunk.text, complete: true))
                        return
                    }
                }
                try? await Task.sleep(for: interval)
                continue
            }
            offset = chunk.nextOffset
            send(message(chunk.text, complete: false))
        }
    }

    private func message(_ text: String, complete: Bool) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return EventServerMessage.encode(EventServerMessage.Log(
            deploymentId: deploymentId, kind: stream.rawValue, lines: lines, complete: complete
        ))
    }
}
