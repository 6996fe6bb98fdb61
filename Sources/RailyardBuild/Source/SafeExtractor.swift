#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RailyardCore

/// Writes validated entries under one directory using only descriptor-relative calls: folders are
/// created and opened one component at a time with `O_NOFOLLOW`, files with `O_CREAT|O_EXCL|O_NOFOLLOW`,
/// and symlinks only at the end, so nothing can be written outside the directory even if a check
/// upstream were wrong.
final class SafeExtractor {
    private let rootFD: Int32
    private var cachedParent: (path: [String], fd: Int32)?
    private var symlinks: [ArchiveEntry] = []

    /// Opens `root`, which must be an existing directory that is not a symlink.
    init(root: URL) throws {
        let fd = open(root.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure("open the extraction folder", root.path) }
        rootFD = fd
    }

    deinit {
        if let cachedParent { close(cachedParent.fd) }
        close(rootFD)
    }

    /// Creates a folder.
    func createDirectory(_ entry: ArchiveEntry) throws {
        let fd = try openDirectory(entry.components)
        close(fd)
    }

    /// Creates a file and fills it with the bytes `fill` hands to its writer.
    func createFile(_ entry: ArchiveEntry, fill: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let parent = try parentDirectory(of: entry.components)
        let fd = openat(parent, entry.components.last!, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("create", entry.path) }
        defer { close(fd) }
        try fill { chunk in
            var offset = 0
            while offset < chunk.count {
                let written = write(fd, chunk.baseAddress! + offset, chunk.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure("write", entry.path)
                }
                offset += written
            }
        }
        guard fchmod(fd, mode_t(entry.fileMode)) == 0 else { throw Self.failure("set the mode of", entry.path) }
    }

    /// Remembers a symlink; it is created by `finish()` after every file and folder exists.
    func createSymlink(_ entry: ArchiveEntry) {
        symlinks.append(entry)
    }

    /// Creates the remembered symlinks.
    func finish() throws {
        for entry in symlinks {
            guard case .symlink(let target) = entry.kind else { continue }
            let parent = try parentDirectory(of: entry.components)
            guard symlinkat(target, parent, entry.components.last!) == 0 else { throw Self.failure("create the symlink", entry.path) }
        }
        symlinks = []
    }

    private func parentDirectory(of components: [String]) throws -> Int32 {
        let parentPath = Array(components.dropLast())
        if parentPath.isEmpty { return rootFD }
        if let cachedParent, cachedParent.path == parentPath { return cachedParent.fd }
        let fd = try openDirectory(parentPath)
        if let cachedParent { close(cachedParent.fd) }
        cachedParent = (parentPath, fd)
        return fd
    }

    /// Opens (creating as needed) the folder at `components`, never following a symlink.
    private func openDirectory(_ components: [String]) throws -> Int32 {
        var current = dup(rootFD)
        guard current >= 0 else { throw Self.failure("open", ".") }
        for (index, component) in components.enumerated() {
            if mkdirat(current, component, 0o755) != 0 && errno != EEXIST {
                let error = Self.failure("create the folder", components[...index].joined(separator: "/"))
                close(current)
                throw error
            }
            let next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let failure = next < 0 ? Self.failure("open the folder", components[...index].joined(separator: "/")) : nil
            close(current)
            if let failure { throw failure }
            current = next
        }
        return current
    }

    private static func failure(_ action: String, _ path: String) -> RailyardError {
        let reason = String(cString: strerror(errno))
        return RailyardError(.internal, "could not \(action) `\(path)` while extracting the source archive: \(reason)")
    }
}
