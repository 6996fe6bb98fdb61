import Foundation
import HTTPTypes
import Hummingbird
@testable import RailyardServer
import Testing

@Suite("The dashboard's files")
struct DashboardTests {
    @Test("/ is the page and /assets/{file} its modules, with their types, the API's CSP, and 304 while unchanged")
    func servesFiles() async throws {
        try await TestServer.with { api, _ in
            let page = try await api.send(.get, "/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<script type="module" src="/assets/app.js">"#))
            #expect(page.headers[.contentSecurityPolicy] == "default-src 'self'; frame-ancestors 'none'")
            #expect(page.headers[.cacheControl] == "no-cache")

            let script = try await api.send(.get, "/assets/app.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            let etag = try #require(script.headers[.eTag])
            let again = try await api.send(.get, "/assets/app.js", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(try await api.send(.get, "/assets/app.css").headers[.contentType] == "text/css; charset=utf-8")

            // Only the dashboard's own files, by name: no folders, no traversal.
            for path in ["/assets/nothing.js", "/assets/..%2FPackage.swift", "/assets/../index.html"] {
                #expect(try await api.send(.get, path).status == .notFound, "\(path)")
            }
        }
    }

    @Test("every module the page imports is served (no file missing from the resources)")
    func importsResolve() async throws {
        try await TestServer.with { api, _ in
            let app = try await api.send(.get, "/assets/app.js").text
            var pending = [app]
            var seen: Set<String> = ["app.js"]
            while let source = pending.popLast() {
                for match in source.matches(of: /from '\.\/([\w-]+\.js)'/) where seen.insert(String(match.1)).inserted {
                    let module = try await api.send(.get, "/assets/\(match.1)")
                    #expect(module.status == .ok, "\(match.1)")
                    pending.append(module.text)
                }
            }
            #expect(seen.count >= 8)
        }
    }

    @Test("without its files installed the dashboard says what is missing and the API still works")
    func missingFiles() async throws {
        let controller = DashboardController(assets: DashboardAssets(directory: nil))
        let router = Router(context: RailyardRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        controller.addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            let reply = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            #expect(reply.status == .serviceUnavailable)
            #expect(String(buffer: reply.body).contains("Railyard_RailyardServer.resources"))
        }
    }
}
