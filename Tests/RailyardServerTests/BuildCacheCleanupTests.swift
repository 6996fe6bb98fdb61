import Foundation
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Build caches go with their services")
struct BuildCacheCleanupTests {
    /// Makes `cache/<serviceId>` with a file in it, as a build that saved an install would.
    static func fakeCache(_ fixture: Fixture, _ serviceId: String) throws -> URL {
        let folder = fixture.configuration.dataDirectory.appendingPathComponent("cache/\(serviceId)/pip-abc", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("saved install".utf8).write(to: folder.appendingPathComponent("wheel"))
        return folder.deletingLastPathComponent()
    }

    static func gone(_ folder: URL) async throws -> Bool {
        for _ in 0..<100 where FileManager.default.fileExists(atPath: folder.path) {
            try await Task.sleep(for: .milliseconds(50))
        }
        return !FileManager.default.fileExists(atPath: folder.path)
    }

    @Test("deleting a service, or its project, deletes its build cache; other services keep theirs")
    func deleted() async throws {
        try await TestServer.with { api, fixture in
            let token = try await api.signup("cache@example.com").token
            let shop = try await api.createProject("shop", token: token)
            let web: Service = try await api.send(
                .post, "/api/v1/projects/\(shop.project.id)/services", body: CreateServiceRequest(name: "web"), token: token
            ).decode()
            let worker: Service = try await api.send(
                .post, "/api/v1/projects/\(shop.project.id)/services", body: CreateServiceRequest(name: "worker"), token: token
            ).decode()
            let other = try await api.createProject("other", token: token)
            let api2: Service = try await api.send(
                .post, "/api/v1/projects/\(other.project.id)/services", body: CreateServiceRequest(name: "api"), token: token
            ).decode()
            let webCache = try Self.fakeCache(fixture, web.id)
            let workerCache = try Self.fakeCache(fixture, worker.id)
            let apiCache = try Self.fakeCache(fixture, api2.id)

            #expect(try await api.send(.delete, "/api/v1/projects/\(shop.project.id)/services/\(worker.id)", token: token).status == .noContent)
            #expect(try await Self.gone(workerCache), "the deleted service's cache stayed")
            #expect(FileManager.default.fileExists(atPath: webCache.path) && FileManager.default.fileExists(atPath: apiCache.path))

            #expect(try await api.send(.delete, "/api/v1/projects/\(shop.project.id)", token: token).status == .noContent)
            #expect(try await Self.gone(webCache), "the deleted project's service cache stayed")
            #expect(FileManager.default.fileExists(atPath: apiCache.path), "another project's cache went too")
        }
    }
}
