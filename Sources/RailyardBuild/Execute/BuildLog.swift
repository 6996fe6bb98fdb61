#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RailyardCore

/// A build log file opened for appending, shared with the commands it records (their stdout and
/// stderr are this file), so lines land in the order they were written.
final class BuildLog: Sendable {
    /// The file, for handing to a child process.
    let handle: FileHandle

    /// Opens (creating when needed) the file at `url` for appending.
    init(url: URL) throws {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw RailyardError(.internal, "could not open the build log \(url.path): \(String(cString: strerror(errno)))")
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Appends `text`.
    func write(_ text: String) {
        try? handle.write(contentsOf: Data(text.utf8))
    }
}
