import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RailyardEdge
import Testing

@Suite("Static releases served by the edge from disk", .timeLimit(.minutes(2)))
struct StaticFileTests {
    let host = "site-production-blog.localhost"

    /// A temporary site: index, assets, a subfolder, a dotfile, symlinks out of the root.
    final class Site {
        let root: URL
        let outside: URL

        init(custom404: Bool = false) throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("edge-site-\(UUID().uuidString)")
            root = base.appendingPathComponent("public")
            outside = base.appendingPathComponent("secret")
            let fm = FileManager.default
            try fm.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
            try fm.createDirectory(at: outside, withIntermediateDirectories: true)
            try "<h1>home</h1>".write(to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            try "body{}".write(to: root.appendingPathComponent("style.css"), atomically: true, encoding: .utf8)
            try "export {}".write(to: root.appendingPathComponent("app.mjs"), atomically: true, encoding: .utf8)
            try "{}".write(to: root.appendingPathComponent("data.json"), atomically: true, encoding: .utf8)
            try "<h1>docs</h1>".write(to: root.appendingPathComponent("docs/index.html"), atomically: true, encoding: .utf8)
            try "SECRET=1".write(to: root.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            try "top secret".write(to: outside.appendingPathComponent("key.txt"), atomically: true, encoding: .utf8)
            try Data([0x00, 0x61, 0x73, 0x6d]).write(to: root.appendingPathComponent("module.wasm"))
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("passwd.txt").path, withDestinationPath: "/etc/passwd")
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("escape").path, withDestinationPath: outside.path)
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("home.html").path, withDestinationPath: "index.html")
            if custom404 {
                try "<h1>custom missing</h1>".write(to: root.appendingPathComponent("404.html"), atomically: true, encoding: .utf8)
            }
        }

        deinit {
            try? FileManager.default.removeItem(at: root.deletingLastPathComponent())
        }
    }

    @Test("/ serves index.html, files get their content type, directories their index")
    func servesFiles() async throws {
        let site = try Site()
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(site.root), for: host)
            let (status, headers, body) = try await edge.get("/", host: host)
            #expect(status == .ok)
            #expect(body == "<h1>home</h1>")
            #expect(headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(headers.first(name: "etag") != nil)
            #expect(headers.first(name: "last-modified")?.hasSuffix(" GMT") == true)

            let types = [
                "/style.css": "text/css; charset=utf-8",
                "/app.mjs": "text/javascript; charset=utf-8",
                "/data.json": "application/json",
                "/module.wasm": "application/wasm",
                "/home.html": "text/html; charset=utf-8",
            ]
            for (path, type) in types {
                let (status, headers, _) = try await edge.get(path, host: host)
                #expect(status == .ok, "\(path)")
                #expect(headers.first(name: "content-type") == type, "\(path)")
            }
            #expect(try await edge.get("/docs/", host: host).2 == "<h1>docs</h1>")
            #expect(try await edge.get("/docs/index.html?v=3", host: host).2 == "<h1>docs</h1>")
        }
    }

    @Test("a directory without its trailing slash redirects to it")
    func redirectsDirectories() async throws {
        let site = try Site()
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(site.root), for: host)
            let response = RawResponse(try await edge.raw("GET /docs?x=1 HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"))
            #expect(response.statusLine.hasPrefix("HTTP/1.1 301"))
            #expect(response.headers["location"] == "/docs/?x=1")
        }
    }

    @Test("missing files get a 404 page, or the site's own 404.html")
    func notFound() async throws {
        let site = try Site()
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(site.root), for: host)
            let (status, _, body) = try await edge.get("/nope.txt", host: host)
            #expect(status == .notFound)
            #expect(body.contains("There is no file at /nope.txt"))
        }
        let custom = try Site(custom404: true)
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(custom.root), for: host)
            let (status, _, body) = try await edge.get("/nope.txt", host: host)
            #expect(status == .notFound)
            #expect(body == "<h1>custom missing</h1>")
        }
    }

    @Test(
        "traversal, encoded traversal, symlinks out of the root, NUL and dotfiles are never served",
        arguments: [
            "/../../etc/passwd",
            "/docs/../../secret/key.txt",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/secret/key.txt",
            "/..%2f..%2fetc%2fpasswd",
            "/docs/..%2f..%2fsecret%2fkey.txt",
            "/%252e%252e/secret/key.txt",
            "/passwd.txt",
            "/escape/key.txt",
            "/index.html%00.txt",
            "/.env",
            "/%2eenv",
            "http://evil.example/../secret/key.txt",
        ]
    )
    func refusesEscapes(path: String) async throws {
        let site = try Site()
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(site.root), for: host)
            let response = RawResponse(try await edge.raw("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"))
            #expect(response.statusLine.hasPrefix("HTTP/1.1 404") || response.statusLine.hasPrefix("HTTP/1.1 400"), "\(path): \(response.statusLine)")
            #expect(!response.body.contains("root:"))
            #expect(!response.body.contains("top secret"))
            #expect(!response.body.contains("SECRET=1"))
        }
    }

    @Test("HEAD gets headers only, other methods get 405, a matching If-None-Match gets 304")
    func methodsAndConditionalRequests() async throws {
        let site = try Site()
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(site.root), for: host)
            let head = RawResponse(
                try await edge.raw(
                    "HEAD /style.css HTTP/1.1\r\nHost: \(host)\r\n\r\nGET /style.css HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
                )
            )
            #expect(head.statusLine.hasPrefix("HTTP/1.1 200"))
            #expect(head.headers["content-length"] == "6")
            #expect(head.body.hasPrefix("HTTP/1.1 200 OK"), "no body after the HEAD response")
            #expect(head.body.hasSuffix("body{}"))

            let (post, _) = try await edge.send(edge.request("/", host: host, method: .POST))
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers.first(name: "allow") == "GET, HEAD")

            let etag = try #require(try await edge.get("/style.css", host: host).1.first(name: "etag"))
            let (cached, _, body) = try await edge.get("/style.css", host: host, headers: [("if-none-match", etag)])
            #expect(cached == .notModified)
            #expect(body.isEmpty)
        }
    }

    @Test("a large file streams intact")
    func largeFile() async throws {
        let site = try Site()
        let size = 6 << 20
        var content = ByteBuffer()
        var offset = 0
        while offset < size {
            var chunk = TestUpstream.pattern(offset: offset, count: 64 * 1024)
            offset += content.writeBuffer(&chunk)
        }
        try Data(content.readableBytesView).write(to: site.root.appendingPathComponent("big.bin"))
        try await EdgeHarness.with { edge in
            edge.routes.set(.directory(site.root), for: host)
            let (response, body) = try await edge.send(edge.request("/big.bin", host: host))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "application/octet-stream")
            #expect(body.readableBytes == size)
            #expect(TestUpstream.matchesPattern(body, at: 0))
        }
    }
}
