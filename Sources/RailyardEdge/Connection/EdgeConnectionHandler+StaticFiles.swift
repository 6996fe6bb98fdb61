import Foundation
import NIOCore
import NIOHTTP1

extension EdgeConnectionHandler {
    /// Answers a request routed to a static release: GET and HEAD only, the file resolved and
    /// opened on the thread pool, sent with sendfile(2).
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
        // Sent with sendfile(2) from the page cache; nothing is read into memory.
        let region = FileRegion(fileHandle: handle, readerIndex: 0, endIndex: file.size)
        sendResponse(status: status, headers: headers, body: .fileRegion(region)) { _ in
            try? handle.close()
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
