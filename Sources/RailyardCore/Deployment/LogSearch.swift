import Foundation

/// A line of a service's runtime logs that matched a search.
public struct LogMatch: Codable, Sendable, Equatable {
    public var deploymentId: String
    /// When the deployment it came from was made (lines carry no time of their own).
    public var deploymentCreatedAt: Date
    /// Its line number in that deployment's log, from 1.
    public var line: Int
    public var text: String
    /// When the line was written, to within 30 s; nil for lines written while no server watched.
    public var at: Date?

    public init(deploymentId: String, deploymentCreatedAt: Date, line: Int, text: String, at: Date? = nil) {
        self.deploymentId = deploymentId
        self.deploymentCreatedAt = deploymentCreatedAt
        self.line = line
        self.text = text
        self.at = at
    }
}

/// `GET …/services/{serviceId}/logs/search`: matching lines, newest deployment first.
public struct LogSearchResult: Codable, Sendable, Equatable {
    public var matches: [LogMatch]
    /// Whether more lines matched than were returned.
    public var truncated: Bool

    public init(matches: [LogMatch], truncated: Bool) {
        self.matches = matches
        self.truncated = truncated
    }

    /// The lines of the log file at `path` containing `query` (ignoring case), numbered from 1, with
    /// the byte offset just past each; read in chunks (a log may be large), split on LF with a CR
    /// before it dropped, invalid UTF-8 replaced, and at most `limit` of them.
    public static func matching(_ query: String, inFile path: String, limit: Int) -> [(line: Int, text: String, end: Int64)] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        var found: [(Int, String, Int64)] = []
        var pending: [UInt8] = []
        var offset: Int64 = 0, number = 0
        func take(_ bytes: ArraySlice<UInt8>) {
            number += 1
            offset += Int64(bytes.count) + 1
            var line = bytes
            if line.last == 0x0D { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            if text.range(of: query, options: .caseInsensitive) != nil { found.append((number, text, offset - 1)) }
        }
        while found.count < limit, let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending += chunk
            var start = pending.startIndex
            while found.count < limit, let newline = pending[start...].firstIndex(of: 0x0A) {
                take(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(pending.startIndex..<start)
        }
        if found.count < limit, !pending.isEmpty { take(pending[...]) }
        return Array(found.prefix(limit))
    }

    /// When the line ending at `end` was written: the time of the first mark at or past it; nil
    /// when that mark says the text before it was written while no server watched.
    public static func time(ofLineEndingAt end: Int64, marks: [(offset: Int64, at: Date)]) -> Date? {
        guard let mark = marks.first(where: { $0.offset >= end }), mark.at != unknownTime else { return nil }
        return mark.at
    }

    /// The time of a mark whose text came before any server saw it (the Unix epoch).
    public static let unknownTime = Date(timeIntervalSince1970: 0)
}
