import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

extension EdgeConnectionHandler {
    /// Answers a request routed to a static release: GET and HEAD only, the file resolved and
    /// opened on the thread pool, sent with sendfile(2) (read in chunks over TLS).
    func serveStatic(root: URL, head: HTTPRequestHead) {
        guard let context, let request = active else { return }
        guard head.method == .GET || head.method == .HEAD else {
            respond(.methodNotAllowed, extraHeaders: [("allow", "GET, HEAD")])
            return
        }
        let path: StaticFilePath
        do {
            path = try StaticFilePath.parse(head.uri)
        } catch .malformed {
            respond(.badPath)
            return
        } catch {
            respond(.fileNotFound(String(request.path)))
            return
        }
        let files = environment.files
        let rootPath = root.path(percentEncoded: false)
        environment.threadPool.runIfActive(eventLoop: context.eventLoop) {
            files.resolve(root: rootPath, path: path)
        }.assumeIsolated().whenComplete { result in
            guard self.active?.id == request.id, !self.isClosed else {
                if case .success(let outcome) = result { outcome.closeFiles() }
                return
            }
            switch result {
            case .success(.file(let file)):
                if ConditionalRequest.isNotModified(head.headers, etag: file.etag) {
                    try? file.handle.close()
                    var headers = HTTPHeaders()
                    Self.addValidators(of: file, to: &headers)
                    self.sendResponse(status: .notModified, headers: headers, body: nil)
                } else {
                    self.sendFile(file, status: .ok)
                }
            case .success(.redirect(let location)):
                var headers = HTTPHeaders()
                headers.add(name: "location", value: location)
                headers.add(name: "content-length", value: "0")
                self.sendResponse(status: .movedPermanently, headers: headers, body: nil)
            case .success(.notFound(let custom)):
                if let custom {
                    self.sendFile(custom, status: .notFound)
                } else {
                    self.respond(.fileNotFound(String(request.path)))
                }
            case .failure(let error):
                self.active?.note = "\(error)"
                self.respond(.fileNotFound(String(request.path)))
            }
        }
    }

    private func sendFile(_ file: StaticFileResolver.OpenFile, status: HTTPResponseStatus) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: file.contentType)
        headers.add(name: "content-length", value: String(file.size))
        Self.addValidators(of: file, to: &headers)
        let handle = file.handle
        guard active?.summary.method != .HEAD, file.size > 0 else {
            try? handle.close()
            sendResponse(status: status, headers: headers, body: nil)
            return
        }
        if environment.secure {
            streamFile(handle, size: file.size, status: status, headers: headers)
            return
        }
        // Sent with sendfile(2) from the page cache; nothing is read into memory.
        let region = FileRegion(fileHandle: handle, readerIndex: 0, endIndex: file.size)
        sendResponse(status: status, headers: headers, body: .fileRegion(region)) { _ in
            try? handle.close()
        }
    }

    /// TLS encrypts in user space, so sendfile(2) cannot serve it: the file is read in chunks on the
    /// thread pool, each written once the one before has gone out, then the response ends. (NIO's
    /// pipelining handler holds the next request until then.)
    private func streamFile(_ handle: NIOFileHandle, size: Int, status: HTTPResponseStatus, headers: HTTPHeaders) {
        guard let context, let request = startResponse(status: status, headers: headers) else {
            try? handle.close()
            return
        }
        let (id, keepAlive) = (request.id, request.summary.keepAlive)
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        NonBlockingFileIO(threadPool: environment.threadPool).readChunked(
            fileHandle: handle, byteCount: size, chunkSize: 64 * 1024, allocator: context.channel.allocator, eventLoop: eventLoop
        ) { chunk in
            let handler = handler.value
            guard let context = handler.context, handler.active?.id == id else {
                return eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
            }
            handler.active?.bytesSent += chunk.readableBytes
            return context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(chunk))))
        }.whenComplete { result in
            try? handle.close()
            let handler = handler.value
            guard handler.active?.id == id else { return }
            switch result {
            case .success: handler.endResponse(trailers: nil, keepAlive: keepAlive)
            case .failure: handler.context?.close(promise: nil)
            }
        }
    }

    private static func addValidators(of file: StaticFileResolver.OpenFile, to headers: inout HTTPHeaders) {
        headers.add(name: "etag", value: file.etag)
        headers.add(name: "last-modified", value: HTTPDate.format(secondsSince1970: Int(file.modified.tv_sec)))
    }
}

extension StaticFileResolver.Outcome {
    /// Closes whatever the lookup opened, when the answer is no longer wanted.
    func closeFiles() {
        switch self {
        case .file(let file), .notFound(.some(let file)):
            try? file.handle.close()
        case .redirect, .notFound(.none):
            break
        }
    }
}
