import Foundation
import RailyardCore

/// The parts of GitHub's `push` event payload a deploy needs.
struct GitHubPush: Decodable, Sendable, Equatable {
    /// A commit as listed in the payload.
    struct Commit: Decodable, Sendable, Equatable {
        /// The author as GitHub lists them.
        struct Author: Decodable, Sendable, Equatable {
            var name: String?
        }

        var id: String?
        var message: String?
        var author: Author?
        var added: [String]?
        var modified: [String]?
        var removed: [String]?
    }

    /// The pushed ref, `refs/heads/<branch>` for a branch.
    var ref: String
    /// The commit the ref points to after the push (forty zeros when the ref was deleted).
    var after: String?
    /// Whether the push deleted the ref.
    var deleted: Bool?
    var headCommit: Commit?
    /// Up to twenty commits of the push, each with the files it touched.
    var commits: [Commit]?

    enum CodingKeys: String, CodingKey {
        case ref, after, deleted, commits
        case headCommit = "head_commit"
    }

    /// Decodes a payload; anything but JSON with a `ref` is an `invalidInput` error saying so.
    static func parse(_ body: Data) throws(RailyardError) -> GitHubPush {
        do {
            return try JSONDecoder().decode(GitHubPush.self, from: body)
        } catch {
            throw .invalid(
                "body", "the body is not a GitHub push payload (JSON with a `ref`); set the webhook's content type to application/json"
            )
        }
    }

    /// The branch pushed to, or nil for a tag or another kind of ref.
    var branch: String? {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : nil
    }

    /// The commit to deploy: `after`, else the head commit's id; nil when the push deleted the branch.
    var commitSha: String? {
        if deleted == true { return nil }
        let sha = after ?? headCommit?.id
        guard let sha, sha.count >= 7, sha.count <= 64, sha.allSatisfy(\.isHexDigit), sha.contains(where: { $0 != "0" }) else {
            return nil
        }
        return sha.lowercased()
    }

    /// Every file the listed commits added, changed or removed; nil when GitHub listed no commit (then
    /// the changes are unknown).
    var changedPaths: [String]? {
        let listed = commits?.isEmpty == false ? commits ?? [] : [headCommit].compactMap { $0 }
        guard !listed.isEmpty else { return nil }
        var paths: [String] = []
        for commit in listed {
            paths += (commit.added ?? []) + (commit.modified ?? []) + (commit.removed ?? [])
        }
        return paths
    }
}
