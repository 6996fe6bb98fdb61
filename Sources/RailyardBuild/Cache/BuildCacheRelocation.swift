#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RailyardCore

/// Moves an install to another app folder: a venv's scripts carry the absolute folder they were
/// made in (`#!/…/app/.venv/bin/python`, `VIRTUAL_ENV=…` in `activate`), and every deployment
/// builds in a new folder.
enum BuildCacheRelocation {
    /// Files bigger than this are not scripts and are left alone.
    static let largestScript = 4 << 20

    /// Replaces `old` with `new` in `url` (a regular file) or in each regular file directly in it (a
    /// folder). Symlinks are never followed; a missing path is fine.
    static func rewrite(_ url: URL, from old: String, to new: String) throws {
        guard old != new else { return }
        if BuildCachePath.isRegularFile(url) {
            try rewriteFile(url, from: Array(old.utf8), to: Array(new.utf8))
        } else if BuildCachePath.isDirectory(url) {
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) {
                let file = url.appendingPathComponent(name)
                guard BuildCachePath.isRegularFile(file) else { continue }
                try rewriteFile(file, from: Array(old.utf8), to: Array(new.utf8))
            }
        }
    }

    private static func rewriteFile(_ url: URL, from old: [UInt8], to new: [UInt8]) throws {
        let fd = open(url.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw RailyardError(.internal, "could not open \(url.path) to relocate it: \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= largestScript else { return }
        let bytes = Array(try handle.readToEnd() ?? Data())
        guard bytes.contains(old) else { return }
        let rewritten = bytes.replacing(old, with: new)
        guard ftruncate(fd, 0) == 0 else { throw RailyardError(.internal, "could not rewrite \(url.path): \(String(cString: strerror(errno)))") }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(rewritten))
    }
}
