import CompressNIO
import Foundation
import NIOCore
import RailyardCore

/// Reads the decompressed bytes of a gzip file front to back, a bounded chunk at a time, so an
/// archive is never held in memory whole.
final class GzipInputStream {
    private let file: FileHandle
    private let decompressor: ZlibDecompressor
    private var input = ByteBufferAllocator().buffer(capacity: 16)
    private var output = ByteBuffer()
    private var inputExhausted = false
    private var finished = false
    private var producedAny = false
    private let chunkSize = 64 * 1024

    /// Opens the gzip file at `url`.
    init(url: URL) throws {
        do {
            file = try FileHandle(forReadingFrom: url)
            decompressor = try ZlibDecompressor(algorithm: .gzip)
        } catch {
            throw RailyardError(.internal, "could not open the uploaded archive: \(error)")
        }
    }

    deinit { try? file.close() }

    /// Reads exactly `count` bytes, or fewer only when the stream ends first.
    func read(_ count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            if output.readableBytes == 0 {
                guard try refill() else { break }
            }
            let take = min(count - result.count, output.readableBytes)
            result.append(contentsOf: output.readBytes(length: take)!)
        }
        return result
    }

    /// Hands the next `count` bytes to `body` in chunks without collecting them; throws when the
    /// stream ends first.
    func stream(_ count: Int, into body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if output.readableBytes == 0 {
                guard try refill() else { throw RailyardError.archiveTruncated }
            }
            let take = min(remaining, output.readableBytes)
            try output.readWithUnsafeReadableBytes { pointer in
                try body(UnsafeRawBufferPointer(rebasing: pointer[0..<take]))
                return take
            }
            remaining -= take
        }
    }

    /// Decompresses more bytes into `output`; false when the gzip stream has ended.
    private func refill() throws -> Bool {
        if finished { return false }
        output.clear()
        output.reserveCapacity(chunkSize)
        while output.readableBytes == 0 {
            if input.readableBytes == 0 && !inputExhausted {
                let data = try file.read(upToCount: chunkSize) ?? Data()
                if data.isEmpty { inputExhausted = true } else { input = ByteBuffer(bytes: data) }
            }
            let before = input.readableBytes
            do {
                try decompressor.inflate(from: &input, to: &output)
            } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
                // output full, or more input needed: both handled by the loop
            } catch {
                throw RailyardError.archiveNotGzip
            }
            let progressed = input.readableBytes != before || output.readableBytes > 0
            if !progressed && (inputExhausted || input.readableBytes > 0) {
                // no input left, or the stream ended and what remains is trailing bytes
                finished = true
                guard producedAny || output.readableBytes > 0 else { throw RailyardError.archiveNotGzip }
                return output.readableBytes > 0
            }
        }
        producedAny = true
        return true
    }
}
