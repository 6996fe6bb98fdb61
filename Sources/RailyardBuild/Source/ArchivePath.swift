import RailyardCore

/// Checks and normalises the path of an archive entry: relative, no `..`, `.` and empty
/// components dropped. Pure.
enum ArchivePath {
    static let maximumLength = 4096
    static let maximumComponentLength = 255

    /// The path's components; empty for the archive's root (`./`).
    static func components(_ raw: String) throws -> [String] {
        guard !raw.isEmpty else { throw RailyardError.archive("an entry has an empty name") }
        guard !raw.utf8.contains(0) else { throw RailyardError.archiveEntry(raw, "has a NUL byte in its name") }
        guard !raw.hasPrefix("/") else {
            throw RailyardError.archiveEntry(raw, "is an absolute path; archive paths must be relative to the folder")
        }
        guard raw.utf8.count <= maximumLength else { throw RailyardError.archiveEntry(raw, "has a path longer than \(maximumLength) bytes") }
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        for part in parts {
            if part == ".." {
                throw RailyardError.archiveEntry(raw, "has a `..` component that would leave the folder")
            }
            guard part.utf8.count <= maximumComponentLength else {
                throw RailyardError.archiveEntry(raw, "has a name longer than \(maximumComponentLength) bytes")
            }
        }
        return parts
    }
}
