import RailyardCore

/// Decides, from headers alone, whether an archive may be extracted: every path relative and free of
/// `..`, only files, folders and symlinks, symlinks that resolve inside the snapshot, no entry
/// through a symlink, no entry twice, at most `limits.maximumEntries` entries. Pure: it sees the
/// whole archive before anything is written.
struct ArchiveValidator {
    /// The symlink hops allowed while resolving one target (Linux allows 40).
    static let maximumSymlinkHops = 40

    let limits: ArchiveLimits
    /// One slot per archive entry, in archive order; nil for the archive's own root folder.
    private(set) var entries: [ArchiveEntry?] = []
    private var kinds: [String: ArchiveEntry.Kind] = [:]

    init(limits: ArchiveLimits = .default) {
        self.limits = limits
    }

    /// Checks one entry on its own and records it.
    mutating func add(_ header: TarEntryHeader) throws {
        guard entries.count < limits.maximumEntries else {
            throw RailyardError.archive("it has more than \(limits.maximumEntries) entries")
        }
        let components = try ArchivePath.components(header.path)
        let kind: ArchiveEntry.Kind
        switch header.kind {
        case .file:
            kind = .file(size: header.size, executable: header.mode & 0o111 != 0)
        case .directory:
            kind = .directory
        case .symlink:
            guard !header.linkTarget.isEmpty, !header.linkTarget.utf8.contains(0) else {
                throw RailyardError.archiveEntry(header.path, "is a symlink with an empty or invalid target")
            }
            guard !header.linkTarget.hasPrefix("/") else {
                throw RailyardError.archiveEntry(header.path, "is a symlink to the absolute path `\(header.linkTarget)`; use a relative target inside the folder")
            }
            kind = .symlink(target: header.linkTarget)
        case .hardLink:
            throw RailyardError.archiveEntry(header.path, "is a hard link to `\(header.linkTarget)`; hard links are not accepted, archive the file itself")
        case .characterDevice, .blockDevice, .fifo:
            throw RailyardError.archiveEntry(header.path, "is a device or FIFO; only files, folders and symlinks are accepted")
        case .unsupported(let flag):
            let name = flag >= 0x20 && flag < 0x7f ? String(UnicodeScalar(flag)) : "\\(flag)"
            throw RailyardError.archiveEntry(header.path, "has tar type `\(name)`, which is not a file, folder or symlink")
        }
        if components.isEmpty {
            guard kind == .directory else { throw RailyardError.archiveEntry(header.path, "names the archive's root but is not a folder") }
            entries.append(nil)
            return
        }
        let path = components.joined(separator: "/")
        if let existing = kinds[path], !(existing == .directory && kind == .directory) {
            throw RailyardError.archiveEntry(header.path, "appears more than once in the archive")
        }
        kinds[path] = kind
        entries.append(ArchiveEntry(components: components, kind: kind))
    }

    /// Checks what needs the whole archive (paths through symlinks, symlink targets) and returns the
    /// entries to create, in archive order.
    func finish() throws -> [ArchiveEntry?] {
        for entry in entries.compactMap({ $0 }) {
            var prefix = ""
            for component in entry.components.dropLast() {
                prefix = prefix.isEmpty ? component : prefix + "/" + component
                switch kinds[prefix] {
                case .symlink:
                    throw RailyardError.archiveEntry(entry.path, "goes through the symlink `\(prefix)`; entries may not be placed through symlinks")
                case .file:
                    throw RailyardError.archiveEntry(entry.path, "is inside `\(prefix)`, which is a file")
                default:
                    break
                }
            }
            if case .symlink(let target) = entry.kind {
                var hops = 0
                guard try resolve(from: Array(entry.components.dropLast()), target: target, hops: &hops) != nil else {
                    throw RailyardError.archiveEntry(entry.path, "is a symlink to `\(target)`, which points outside the folder")
                }
            }
        }
        return entries
    }

    /// Where `target`, read from the folder `start`, ends up inside the snapshot, following the
    /// archive's own symlinks as the kernel would; nil when it leaves the snapshot.
    private func resolve(from start: [String], target: String, hops: inout Int) throws -> [String]? {
        if target.hasPrefix("/") { return nil }
        var stack = start
        for part in target.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == ".." {
                if stack.isEmpty { return nil }
                stack.removeLast()
                continue
            }
            stack.append(String(part))
            if case .symlink(let next) = kinds[stack.joined(separator: "/")] {
                hops += 1
                guard hops <= Self.maximumSymlinkHops else {
                    throw RailyardError.archiveEntry(stack.joined(separator: "/"), "is part of a symlink loop")
                }
                guard let resolved = try resolve(from: Array(stack.dropLast()), target: next, hops: &hops) else { return nil }
                stack = resolved
            }
        }
        return stack
    }
}
