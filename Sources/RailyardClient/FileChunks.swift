import Foundation
import NIOCore

/// A file's bytes as a sequence of chunks, read as the upload asks for them, so an upload never
/// holds the whole file in memory.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let chunkSize: Int

    /// The chunks of the file at `path`.
    init(path: String, chunkSize: Int = 256 * 1024) {
        self.path = path
        self.chunkSize = chunkSize
    }

    /// The file's size in bytes; an error that names the file when it cannot be read.
    static func size(of path: String) throws -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw readError(path) }
        return Int64(info.st_size)
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(reader: Reader(path: path, chunkSize: chunkSize))
    }

    /// Hands out the next chunk until the end of the file.
    struct Iterator: AsyncIteratorProtocol {
        let reader: Reader

        mutating func next() async throws -> ByteBuffer? {
            try reader.next()
        }
    }

    /// Owns the open file; closes it at the end or when dropped.
    final class Reader {
        private let path: String
        private let chunkSize: Int
        private var descriptor: Int32 = -1
        private var finished = false

        init(path: String, chunkSize: Int) {
            self.path = path
            self.chunkSize = chunkSize
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        func next() throws -> ByteBuffer? {
            guard !finished else { return nil }
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw FileChunks.readError(path) }
            }
            var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
            while true {
                var result = 0
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { pointer in
                    result = read(descriptor, pointer.baseAddress, chunkSize)
                    return Swift.max(result, 0)
                }
                if result > 0 { return buffer }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw FileChunks.readError(path)
                }
                finished = true
                close(descriptor)
                descriptor = -1
                return nil
            }
        }
    }

    static func readError(_ path: String) -> RailyardClientError {
        RailyardClientError(
            status: nil,
            error: .init(.invalidInput, "cannot read \(path): \(String(cString: strerror(errno)))")
        )
    }
}
