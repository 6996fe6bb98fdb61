import Foundation

/// A line of a service's runtime logs that matched a search.
public struct LogMatch: Codable, Sendable, Equatable {
    public var deploymentId: String
    /// When the deployment it came from was made (lines carry no time of their own).
    public var deploymentCreatedAt: Date
    /// Its line number in that deployment's log, from 1.
    public var line: Int
    public var text: String
    /// When the line was written, to within the server's sampling interval (5 s); nil for lines
    /// written while no server watched.
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

    /// The lines of `text` containing `query` (ignoring case), numbered from 1, with the byte offset
    /// just past each.
    public static func matching(_ query: String, in text: String) -> [(line: Int, text: String, end: Int64)] {
        var found: [(Int, String, Int64)] = []
        var offset: Int64 = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            offset += Int64(line.utf8.count) + 1
            if line.range(of: query, options: .caseInsensitive) != nil { found.append((index + 1, String(line), offset - 1)) }
        }
        return found
    }

    /// When the line ending at `end` was written: the time of the first mark at or past it.
    public static func time(ofLineEndingAt end: Int64, marks: [(offset: Int64, at: Date)]) -> Date? {
        marks.first { $0.offset >= end }?.at
    }
}
