import RailyardCore

extension RailyardError {
    /// A rejected upload: the sentence names the entry (when there is one) and says why.
    static func archive(_ reason: String) -> RailyardError {
        RailyardError(.invalidInput, "the source archive was rejected: \(reason)", field: "archive")
    }

    /// A rejected entry of an upload, named.
    static func archiveEntry(_ path: String, _ reason: String) -> RailyardError {
        archive("entry `\(path)` \(reason)")
    }

    static let archiveNotGzip = archive("it is not a gzip-compressed tar file; create it with `tar czf`")
    static let archiveTruncated = archive("it ends in the middle of an entry; upload the whole file again")
}
