import Foundation
import RailyardCore

/// Reads a log file from a byte offset, whole lines only, for clients that follow logs by polling.
enum LogFile {
    /// At most this many bytes per chunk.
    static let maxChunk = 256 * 1024

    /// The text from `offset` up to the last complete line (or everything when `complete`).
    static func read(_ url: URL, from offset: Int64, complete: Bool) -> LogChunk {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            return LogChunk(text: "", nextOffset: offset, complete: complete)
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = UInt64(max(0, min(offset, Int64(size))))
        try? handle.seek(toOffset: start)
        let data = (try? handle.read(upToCount: maxChunk)) ?? Data()
        var usable = data
        if !(complete && start + UInt64(data.count) >= size), let lastNewline = data.lastIndex(of: 0x0A) {
            usable = data.prefix(through: lastNewline)
        } else if !complete, !data.contains(0x0A), data.count < maxChunk {
            usable = Data()
        }
        let next = Int64(start) + Int64(usable.count)
        return LogChunk(
            text: String(decoding: usable, as: UTF8.self), nextOffset: next, complete: complete && UInt64(next) >= size
        )
    }

    /// The last `lines` lines of a file (for failure reasons and `--lines`).
    static func tail(_ url: URL, lines: Int) -> String {
        guard let data = try? Data(contentsOf: url) else { return "" }
        let text = String(decoding: data.suffix(64 * 1024), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1).joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Appends a line (used for the platform's own messages in build and runtime logs).
    static func append(_ line: String, to url: URL) {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = Data((line.hasSuffix("\n") ? line : line + "\n").utf8)
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: data)
        } else {
            FileManager.default.createFile(atPath: url.path, contents: data)
        }
    }
}
