import Foundation

/// A line of a service's runtime logs that matched a search.
public struct LogMatch: Codable, Sendable, Equatable {
    public var deploymentId: String
    /// When the deployment it came from was made (lines carry no time of their own).
    public var deploymentCreatedAt: Date
    /// Its line number in that deployment's log, from 1.
    public var line: Int
    public var text: String

    public init(deploymentId: String, deploymentCreatedAt: Date, line: Int, text: String) {
        self.deploymentId = deploymentId
        self.deploymentCreatedAt = deploymentCreatedAt
        self.line = line
        self.text = text
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

    /// The lines of `text` containing `query` (ignoring case), numbered from 1.
    public static func matching(_ query: String, in text: String) -> [(line: Int, text: String)] {
        var found: [(Int, String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.range(of: query, options: .caseInsensitive) != nil {
            found.append((index + 1, String(line)))
        }
        return found
    }
}
