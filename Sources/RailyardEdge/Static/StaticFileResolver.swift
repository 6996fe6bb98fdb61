#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Finds the file a request names under a static root and opens it, refusing anything whose real
/// path (symlinks resolved) leaves the root. Blocking file-system calls: run it on a thread pool.
struct StaticFileResolver: Sendable {
    /// An open regular file, ready to stream. The receiver owns `handle` and must close it.
    struct OpenFile: Sendable {
        let handle: NIOFileHandle
        let size: Int
        let modified: timespec
        let contentType: String

        /// A validator that changes whenever the file's size or modification time does.
        var etag: String {
            "\"\(String(size, radix: 16))-\(String(modified.tv_sec, radix: 16))-\(String(modified.tv_nsec, radix: 16))\""
        }
    }

    /// What a lookup found.
    enum Outcome: Sendable {
        case file(OpenFile)
        /// A directory asked for without its trailing slash: redirect here so relative links work.
        case redirect(location: String)
        /// Nothing to serve; the root's own `404.html` when it has one.
        case notFound(custom: OpenFile?)
    }

    /// The file served for a directory.
    static let indexFile = "index.html"
    /// A static site's own not-found page, served with status 404 when present.
    static let notFoundFile = "404.html"

    /// Looks `path` up under `root` (a directory path) and opens what it finds.
    func resolve(root: String, path: StaticFilePath) -> Outcome {
        guard let realRoot = Self.realPath(root) else { return .notFound(custom: nil) }
        let candidate = ([realRoot] + path.segments).joined(separator: "/")
        guard let real = Self.realPath(candidate), Self.isInside(real, root: realRoot) else {
            return .notFound(custom: custom404(realRoot))
        }
        switch Self.kind(of: real) {
        case .regular:
            return openRegular(real, contentType: ContentType.forExtension(path.fileExtension)).map(Outcome.file)
                ?? .notFound(custom: custom404(realRoot))
        case .directory:
            if !path.trailingSlash && !path.segments.isEmpty {
                return .redirect(location: path.urlPath(trailingSlash: true))
            }
            if let index = openInside(real + "/" + Self.indexFile, root: realRoot) {
                return .file(index)
            }
            return .notFound(custom: custom404(realRoot))
        case .other, .missing:
            return .notFound(custom: custom404(realRoot))
        }
    }

    private func custom404(_ realRoot: String) -> OpenFile? {
        openInside(realRoot + "/" + Self.notFoundFile, root: realRoot)
    }

    /// Opens `path` if its real path is a regular file under `root`.
    private func openInside(_ path: String, root: String) -> OpenFile? {
        guard let real = Self.realPath(path), Self.isInside(real, root: root), Self.kind(of: real) == .regular else {
            return nil
        }
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        return openRegular(real, contentType: ContentType.forExtension(StaticFilePath.fileExtension(of: name)))
    }

    private func openRegular(_ real: String, contentType: String) -> OpenFile? {
        // O_NONBLOCK: a FIFO swapped in after the check must not hang a pool thread.
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        return OpenFile(
            handle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd),
            size: Int(info.st_size),
            modified: info.st_mtim,
            contentType: contentType
        )
    }

    private enum Kind { case regular, directory, other, missing }

    private static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// `path` with every symlink, `.` and `..` resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the real path `path` is `root` itself or below it.
    static func isInside(_ path: String, root: String) -> Bool {
        if root == "/" { return true }
        return path == root || path.hasPrefix(root + "/")
    }
}
