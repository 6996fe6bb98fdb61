#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Checks on paths inside an app folder that the server (as root) reads or writes for the cache:
/// the build ran untrusted code there, so a folder on the way may have become a symlink.
enum BuildCachePath {
    /// Whether every folder on the way from `root` to `relative` (the last component excluded) is a
    /// real folder, not a symlink: then `relative` resolves inside `root`.
    static func isInside(_ root: URL, _ relative: String) -> Bool {
        let components = relative.split(separator: "/").map(String.init)
        guard !components.isEmpty, !components.contains(".."), !relative.hasPrefix("/") else { return false }
        var current = root
        for component in components.dropLast() {
            current.appendPathComponent(component)
            var info = stat()
            guard lstat(current.path, &info) == 0 else { return true }  // missing: nothing to follow
            guard info.st_mode & S_IFMT == S_IFDIR else { return false }
        }
        return true
    }

    /// Whether something (a file, folder or symlink, dangling or not) exists at `url`.
    static func exists(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0
    }

    /// Whether `url` is a regular file (not followed if it is a symlink).
    static func isRegularFile(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Whether `url` is a folder (not followed if it is a symlink).
    static func isDirectory(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
