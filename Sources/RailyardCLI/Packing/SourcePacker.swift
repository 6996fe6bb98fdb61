import Foundation

/// Packs a folder into the gzip'd tar that `railyard up` uploads: `.gitignore` and
/// `.railyardignore` honoured at every depth, `.git` and Railyard data folders never included,
/// symbolic links kept as links, entries sorted and times zeroed so the same folder always gives
/// the same bytes, and a size limit whose error names the largest files.
public struct SourcePacker: Sendable {
    /// The most file content one upload may hold unless told otherwise: 200 MiB.
    public static let defaultLimit: Int64 = 200 * 1024 * 1024
    /// Folders with one of these files are Railyard data folders and are never uploaded.
    public static let dataFolderMarkers = ["railyard.db", "secret.key"]
    /// Names skipped wherever they appear: git's own folder and the default data folder.
    public static let alwaysSkipped: Set<String> = [".git", ".railyard"]

    /// The most file content (before compression) an archive may hold.
    public var limit: Int64

    /// A packer with a content limit.
    public init(limit: Int64 = SourcePacker.defaultLimit) {
        self.limit = limit
    }

    /// What packing `root` would hold, without writing anything; errors when over the limit.
    public func scan(_ root: String) throws -> SourceScan {
        let root = PathNormalizer.normalize(root)
        guard Self.fileType(root) == S_IFDIR else {
            throw CLIError("\(root) is not a folder; run `railyard up` in the folder of the app")
        }
        if let marker = Self.dataFolderMarker(in: root) {
            throw CLIError(
                "\(root) holds \(marker), so it is a Railyard data folder, not an app; run `railyard up` in the app's folder"
            )
        }
        var scan = SourceScan()
        var matcher = IgnoreMatcher()
        for (folder, rootPath) in Self.enclosingWorkTreeFolders(of: root) {
            let path = folder + "/" + IgnoreMatcher.Kind.gitignore.fileName
            guard Self.fileType(path) == S_IFREG else { continue }
            matcher.addOuterGitignore(try readText(path, displayPath: path), rootPath: rootPath)
        }
        try walk(root: root, relative: "", matcher: &matcher, into: &scan)
        try checkLimit(scan)
        return scan
    }

    /// Packs `root` into a gzip'd tar at `archivePath` and says what it holds.
    @discardableResult
    public func pack(_ root: String, to archivePath: String) throws -> PackSummary {
        let root = PathNormalizer.normalize(root)
        let scan = try scan(root)
        let writer = try GzipFileWriter(path: archivePath)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        for entry in scan.entries {
            try writer.write(TarFormat.headers(for: entry))
            guard case .file(let size, _) = entry.kind else { continue }
            try copyContent(of: root + "/" + entry.path, size: size, displayPath: entry.path, to: writer, buffer: &buffer)
            try writer.write(TarFormat.padding(for: size))
        }
        try writer.write(TarFormat.endOfArchive)
        try writer.finish()
        return PackSummary(scan: scan, archiveBytes: writer.outputBytes, tarBytes: writer.inputBytes)
    }

    // MARK: Walking

    private func walk(root: String, relative: String, matcher: inout IgnoreMatcher, into scan: inout SourceScan) throws {
        let absolute = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: absolute)
        } catch {
            throw CLIError("cannot list \(displayPath(relative)): \(Self.reason(error)); fix its permissions or add it to .railyardignore")
        }
        for kind in IgnoreMatcher.Kind.allCases where names.contains(kind.fileName) {
            let path = absolute + "/" + kind.fileName
            guard Self.fileType(path) == S_IFREG else { continue }
            matcher.add(try readText(path, displayPath: join(relative, kind.fileName)), kind: kind, directory: relative)
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard !Self.alwaysSkipped.contains(name) else { continue }
            let path = join(relative, name)
            let full = absolute + "/" + name
            var info = stat()
            guard lstat(full, &info) == 0 else {
                throw CLIError("cannot read \(path): \(String(cString: strerror(errno))); fix its permissions or add it to .railyardignore")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if let marker = Self.dataFolderMarker(in: full) {
                    scan.skipped.append(.init(path: path, reason: "a Railyard data folder (holds \(marker))"))
                    continue
                }
                guard !matcher.ignoresEntry(path, isDirectory: true) else { continue }
                scan.entries.append(SourceEntry(path: path, kind: .directory))
                try walk(root: root, relative: path, matcher: &matcher, into: &scan)
            case S_IFREG:
                guard !matcher.ignoresEntry(path, isDirectory: false) else { continue }
                let executable = info.st_mode & S_IXUSR != 0
                scan.entries.append(SourceEntry(path: path, kind: .file(size: Int64(info.st_size), executable: executable)))
            case S_IFLNK:
                guard !matcher.ignoresEntry(path, isDirectory: false) else { continue }
                let target = try readLink(full, displayPath: path)
                if Self.pointsOutside(link: path, target: target) {
                    scan.skipped.append(.init(path: path, reason: "a link to \(target), outside the folder"))
                } else {
                    scan.entries.append(SourceEntry(path: path, kind: .symlink(target: target)))
                }
            default:
                guard !matcher.ignoresEntry(path, isDirectory: false) else { continue }
                scan.skipped.append(.init(path: path, reason: "not a file, folder or link"))
            }
        }
    }

    private func checkLimit(_ scan: SourceScan) throws {
        let total = scan.contentBytes
        guard total > limit else { return }
        let largest = scan.largestFiles(5).map { "\($0.path) (\(ByteCount.format($0.size)))" }
        throw CLIError(
            "the folder holds \(ByteCount.format(total)) of files, more than the \(ByteCount.format(limit)) an upload may hold; the largest are \(largest.joined(separator: ", ")); add what the app does not need to .railyardignore"
        )
    }

    /// The folders above `root` up to the top of the git work tree holding it, nearest first, each
    /// with `root`'s path from it; none when `root` is not inside a work tree.
    static func enclosingWorkTreeFolders(of root: String) -> [(folder: String, rootPath: String)] {
        if access(root + "/.git", F_OK) == 0 { return [] }
        var result: [(String, String)] = []
        var components = root.split(separator: "/").map(String.init)
        var rootPath: [String] = []
        while let last = components.popLast() {
            rootPath.insert(last, at: 0)
            let folder = "/" + components.joined(separator: "/")
            result.append((folder, rootPath.joined(separator: "/")))
            if access(folder + "/.git", F_OK) == 0 { return result }
        }
        return []
    }

    /// Whether a link at `link` (relative to the root) to `target` leaves the root, judged on the
    /// names alone (the server checks again when it extracts).
    static func pointsOutside(link: String, target: String) -> Bool {
        if target.hasPrefix("/") || target.isEmpty { return true }
        var depth = link.split(separator: "/").count - 1
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return true }
            default: depth += 1
            }
        }
        return false
    }

    // MARK: File access

    private func copyContent(of path: String, size: Int64, displayPath: String, to writer: GzipFileWriter, buffer: inout [UInt8]) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CLIError("cannot read \(displayPath): \(String(cString: strerror(errno))); fix its permissions or add it to .railyardignore")
        }
        defer { close(descriptor) }
        var remaining = size
        while remaining > 0 {
            let wanted = Int(min(Int64(buffer.count), remaining))
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let why = count < 0 ? String(cString: strerror(errno)) : "it got shorter"
                throw CLIError("cannot read \(displayPath) while packing (\(why)); run `railyard up` again once it stops changing")
            }
            try writer.write(buffer[..<count])
            remaining -= Int64(count)
        }
    }

    private func readText(_ path: String, displayPath: String) throws -> String {
        do {
            return String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        } catch {
            throw CLIError("cannot read \(displayPath): \(Self.reason(error)); fix its permissions")
        }
    }

    private func readLink(_ path: String, displayPath: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else {
            throw CLIError("cannot read the link \(displayPath): \(String(cString: strerror(errno)))")
        }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func join(_ relative: String, _ name: String) -> String {
        relative.isEmpty ? name : relative + "/" + name
    }

    private func displayPath(_ relative: String) -> String {
        relative.isEmpty ? "the folder" : relative
    }

    private static func fileType(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// The marker file that makes `folder` a Railyard data folder, if any.
    private static func dataFolderMarker(in folder: String) -> String? {
        dataFolderMarkers.first { access(folder + "/" + $0, F_OK) == 0 }
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
