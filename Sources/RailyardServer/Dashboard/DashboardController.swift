import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RailyardCore

/// Serves the dashboard: `/` is its page, `/assets/{file}` its CSS and JavaScript modules, read once
/// from the files shipped beside the binary (no build step, nothing fetched from elsewhere).
struct DashboardController: Sendable {
    let assets: DashboardAssets

    func addRoutes(to router: Router<RailyardRequestContext>) {
        router.get("/") { request, _ in try serve("index.html", request: request) }
        router.get("assets/:file") { request, context in
            try serve(try context.parameters.require("file"), request: request)
        }
    }

    /// The page a dashboard's GitHub sign-in ends on: `github.js` puts the token where the
    /// dashboard keeps it and replaces the page, so the token is never in a URL or the history.
    static func signedIn(token: String) -> Response {
        let page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing in · Railyard</title>
            <meta name="railyard-token" content="\(token)"><script type="module" src="/assets/github.js"></script></head>
            <body><p>Signing in…</p></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: page))
        )
    }

    private func serve(_ name: String, request: Request) throws -> Response {
        guard let asset = assets.files[name] else {
            if assets.files.isEmpty {
                throw RailyardError(
                    .notConfigured,
                    "the dashboard's files are not installed: copy the Railyard_RailyardServer.resources folder next to the railyard binary"
                )
            }
            throw RailyardError.notFound("dashboard file \(name)")
        }
        // Files are not fingerprinted, so browsers revalidate each time and get 304 while unchanged.
        var headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: "no-cache", .eTag: asset.etag]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentLength] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.body))
    }
}

/// The dashboard's files, in memory, by name.
struct DashboardAssets: Sendable {
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
    }

    var files: [String: Asset]

    /// Content types of the kinds of files the dashboard is made of; other files are not served.
    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json",
    ]

    /// The files of `directory` (not its subfolders).
    init(directory: URL?) {
        files = [:]
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names {
            guard let type = Self.contentTypes[(name as NSString).pathExtension],
                let data = try? Data(contentsOf: directory.appendingPathComponent(name))
            else { continue }
            let digest = Array(SHA256.hash(data: data)).prefix(8).hexString
            files[name] = Asset(body: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest)\"")
        }
    }

    /// The installed files: `RAILYARD_DASHBOARD_DIR` when set (to work on them without rebuilding),
    /// else the resources SwiftPM put next to the executable.
    static func installed() -> DashboardAssets {
        if let override = ProcessInfo.processInfo.environment["RAILYARD_DASHBOARD_DIR"], !override.isEmpty {
            return DashboardAssets(directory: URL(fileURLWithPath: override))
        }
        // Not `Bundle.module`: it stops the process when the folder is missing; this answers 503-like errors instead.
        let executableFolders = [Bundle.main.executableURL?.deletingLastPathComponent(), Bundle.main.bundleURL]
        for folder in executableFolders.compactMap({ $0 }) {
            let candidate = folder.appendingPathComponent("Railyard_RailyardServer.resources/Assets", isDirectory: true)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("index.html").path) {
                return DashboardAssets(directory: candidate)
            }
        }
        return DashboardAssets(directory: nil)
    }
}
