import CompressNIO
import Foundation
import NIOCore

/// Writes bytes gzip-compressed to a file as they come, holding only a small window in memory.
/// The gzip header zlib writes has no name and a zero time, so equal input gives equal output.
final class GzipFileWriter {
    private let descriptor: Int32
    private let path: String
    private let compressor: ZlibCompressor
    private var pending: ByteBuffer
    private var output: ByteBuffer
    private static let chunkSize = 64 * 1024
    /// Bytes given to ``write(_:)`` so far (before compression).
    private(set) var inputBytes: Int64 = 0
    /// Compressed bytes written to the file so far.
    private(set) var outputBytes: Int64 = 0

    /// Creates (or truncates) the file at `path`, readable by its owner only.
    init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CLIError("cannot create \(path): \(String(cString: strerror(errno))); check that the temporary folder is writable")
        }
        self.descriptor = descriptor
        self.path = path
        self.compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: .compressionLevel6))
        self.pending = ByteBufferAllocator().buffer(capacity: Self.chunkSize)
        self.output = ByteBufferAllocator().buffer(capacity: Self.chunkSize)
    }

    deinit {
        close(descriptor)
    }

    /// Queues bytes for compression; compresses whenever a chunk is full.
    func write(_ bytes: some Collection<UInt8>) throws {
        pending.writeBytes(bytes)
        inputBytes += Int64(bytes.count)
        if pending.readableBytes >= Self.chunkSize { try compressPending(finish: false) }
    }

    /// Compresses what is left, ends the gzip stream and flushes the file to disk.
    func finish() throws {
        try compressPending(finish: true)
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func compressPending(finish: Bool) throws {
        while true {
            output.clear()
            output.reserveCapacity(Self.chunkSize)
            var done = false
            do {
                try compressor.deflate(from: &pending, to: &output, flush: finish ? .finish : .no)
                done = finish || pending.readableBytes == 0
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // The output chunk is full: write it and go on.
            }
            try writeOutput()
            if done || (!finish && pending.readableBytes == 0) { break }
        }
        pending.discardReadBytes()
    }

    private func writeOutput() throws {
        while output.readableBytes > 0 {
            let written = output.withUnsafeReadableBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write \(path): \(String(cString: strerror(errno))); is the disk full?")
            }
            output.moveReaderIndex(forwardBy: written)
            outputBytes += Int64(written)
        }
    }
}

/// `write(2)`, out of reach of ``GzipFileWriter/write(_:)``'s name.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
