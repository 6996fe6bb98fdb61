import Foundation
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Deployments: paging through a service's history")
struct DeploymentPagingTests {
    @Test("pages of ?limit= with ?before= walk every deployment once, newest first, ties included; a foreign cursor is refused")
    func paging() async throws {
        try await TestServer.with { api, fixture in
            let token = try await api.signup("pager@example.com").token
            let detail = try await api.createProject("history", token: token)
            let environment = detail.environments[0]
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(detail.project.id)/services", body: CreateServiceRequest(name: "web"), token: token
            ).decode()
            let other: Service = try await api.send(
                .post, "/api/v1/projects/\(detail.project.id)/services", body: CreateServiceRequest(name: "worker"), token: token
            ).decode()
            // 25 deployments; every third pair shares a creation time, so the id breaks the tie.
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            var made: [Deployment] = []
            for index in 0..<25 {
                let deployment = Deployment(
                    id: String(format: "d-%02d-%@", index, UUID().uuidString.prefix(4).lowercased()), serviceId: service.id,
                    environmentId: environment.id, createdAt: base.addingTimeInterval(Double(index / 2 * 2))
                )
                try await fixture.store.createDeployment(deployment)
                made.append(deployment)
            }
            let foreign = Deployment(id: "foreign", serviceId: other.id, environmentId: environment.id, createdAt: base)
            try await fixture.store.createDeployment(foreign)
            let expected = made.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id)

            let path = "/api/v1/projects/\(detail.project.id)/environments/\(environment.id)/services/\(service.id)/deployments"
            var seen: [String] = []
            var before: String?
            for _ in 0..<5 {
                let page: [Deployment] = try await api.send(
                    .get, path + "?limit=10" + (before.map { "&before=\($0)" } ?? ""), token: token
                ).decode()
                seen += page.map(\.id)
                guard page.count == 10 else { break }
                before = page.last?.id
            }
            #expect(seen == expected, "pages: \(seen)")

            let refused = try await api.send(.get, path + "?before=foreign", token: token)
            #expect(refused.status == .badRequest && refused.text.contains("before must be the id of one of this service's deployments"), "\(refused.text)")
        }
    }
}
