import Foundation
import RailyardCore

/// The two passes over an archive: validate every header, then write the validated entries.
extension SourceArchiveStore {
    /// Reads every header of the archive and decides whether it may be extracted; writes nothing.
    static func validate(archive: URL, limits: ArchiveLimits) throws -> [ArchiveEntry?] {
        let reader = TarReader(input: try GzipInputStream(url: archive), maximumBytes: limits.maximumUnpackedBytes)
        var validator = ArchiveValidator(limits: limits)
        while let header = try reader.next() {
            try validator.add(header)
        }
        return try validator.finish()
    }

    /// Writes `entries` (the result of `validate` for the same archive) under `directory`.
    static func extract(archive: URL, entries: [ArchiveEntry?], into directory: URL, limits: ArchiveLimits) throws {
        let reader = TarReader(input: try GzipInputStream(url: archive), maximumBytes: limits.maximumUnpackedBytes)
        let extractor = try SafeExtractor(root: directory)
        var index = 0
        while let header = try reader.next() {
            let changed = RailyardError.archive("it changed while it was being read; upload it again")
            guard index < entries.count else { throw changed }
            let slot = entries[index]
            index += 1
            guard let entry = slot else { continue }
            guard entry.components == (try ArchivePath.components(header.path)) else { throw changed }
            switch entry.kind {
            case .directory:
                try extractor.createDirectory(entry)
            case .file:
                try extractor.createFile(entry) { write in try reader.readData(write) }
            case .symlink:
                extractor.createSymlink(entry)
            }
        }
        guard index == entries.count else { throw RailyardError.archive("it changed while it was being read; upload it again") }
        try extractor.finish()
    }
}
