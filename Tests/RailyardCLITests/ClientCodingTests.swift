import Foundation
import RailyardClient
import RailyardCore
import Testing

@Suite("Client wire format")
struct ClientCodingTests {
    @Test("dates decode with and without fractional seconds")
    func dates() {
        #expect(RailyardJSON.parseDate("2026-01-02T03:04:05Z") != nil)
        #expect(RailyardJSON.parseDate("2026-01-02T03:04:05.678Z") != nil)
        #expect(RailyardJSON.parseDate("yesterday") == nil)
    }

    @Test("a project detail round-trips through the API's JSON")
    func roundTrip() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let detail = ProjectDetail(
            project: Project(id: "p", workspaceId: "w", name: "shop", description: "", createdAt: now, updatedAt: now),
            environments: [RailyardCore.Environment(id: "e", projectId: "p", name: "production", createdAt: now)],
            services: []
        )
        let data = try RailyardJSON.encoder().encode(detail)
        #expect(String(decoding: data, as: UTF8.self).contains("\"createdAt\":\"2027-01-15T08:00:00Z\""))
        #expect(try RailyardJSON.decoder().decode(ProjectDetail.self, from: data) == detail)
    }

    @Test("a refused connection fails at once, naming the server and what to check")
    func unreachable() async throws {
        let client = RailyardClient(baseURL: "http://127.0.0.1:1/", timeout: .seconds(20))
        #expect(client.baseURL == "http://127.0.0.1:1")
        let started = ContinuousClock.now
        // Well under the 20 s timeout, with room for a loaded CI machine (a full run once took 5.3 s
        // to start the shared HTTP client and be refused).
        defer { #expect(ContinuousClock.now - started < .seconds(12), "no retrying until the timeout") }
        do {
            _ = try await client.health()
            Issue.record("expected an error")
        } catch let error as RailyardClientError {
            #expect(error.status == nil)
            #expect(error.code == RailyardClientError.unreachableCode)
            #expect(error.message.hasPrefix("cannot reach Railyard at http://127.0.0.1:1: "))
        }
    }
}
