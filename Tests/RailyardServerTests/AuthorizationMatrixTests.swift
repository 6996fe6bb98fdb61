import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

/// Issue 11's authorization acceptance: every API route, as each of owner, admin, member, viewer,
/// a user of another workspace and nobody, answers as `PermissionTable` and the route's permission
/// say; a route the table does not know fails the test.
@Suite("Authorization matrix: every route × every kind of caller")
struct AuthorizationMatrixTests {
    enum Caller: String, CaseIterable {
        case anonymous, outsider, viewer, member, admin, owner

        var role: Role? {
            switch self {
            case .viewer: .viewer
            case .member: .member
            case .admin: .admin
            case .owner: .owner
            case .anonymous, .outsider: nil
            }
        }
    }

    /// `METHOD /path/{param}` for a router route.
    static func key(_ method: HTTPRequest.Method, _ path: String) -> String {
        "\(method.rawValue) /" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    @Test("each route answers 401, 404, 403 or goes ahead exactly as the table says")
    func matrix() async throws {
        try await TestServer.with { api, fixture in
            var tokens: [Caller: String] = [:]
            for caller in Caller.allCases where caller != .anonymous {
                tokens[caller] = try await api.signup("\(caller.rawValue)@example.com").token
            }
            let detail = try await api.createProject("guarded", token: try #require(tokens[.owner]))
            let workspace = detail.project.workspaceId
            let environment = try #require(detail.environments.first).id
            let service: Service = try await api.send(
                .post, "/api/v1/projects/\(detail.project.id)/services", body: CreateServiceRequest(name: "web"), token: tokens[.owner]
            ).decode()
            for caller in [Caller.viewer, .member, .admin] {
                let user = try #require(try await fixture.store.user(email: "\(caller.rawValue)@example.com"))
                _ = try await fixture.store.addMember(workspaceId: workspace, userId: user.id, role: try #require(caller.role))
            }
            let ids = ["projectId": detail.project.id, "environmentId": environment, "serviceId": service.id, "workspaceId": workspace]

            let router = await RailyardApp.buildRouter(
                configuration: fixture.configuration, store: fixture.store, secret: fixture.secret, logger: .init(label: "test"), httpClient: .shared
            )
            let table = Dictionary(OpenAPIOperations.all.map { ("\($0.method.uppercased()) \($0.path)", $0) }, uniquingKeysWith: { first, _ in first })
            // Deleting the project goes last: everything else needs it.
            let routes = router.routes.map { (Self.key($0.method, "\($0.path)"), $0.method, "\($0.path)") }
                .sorted { ($0.0.hasSuffix("DELETE /api/v1/projects/{projectId}") ? 1 : 0, $0.0) < ($1.0.hasSuffix("DELETE /api/v1/projects/{projectId}") ? 1 : 0, $1.0) }
            var checked = 0
            for (key, method, path) in routes {
                guard let operation = table[key] else {
                    Issue.record("route \(key) is not in the permission table (OpenAPIOperations)")
                    continue
                }
                guard operation.authenticated else { continue }
                let uri = path.split(separator: "/").map { segment -> String in
                    guard segment.hasPrefix(":") || segment.hasPrefix("{") else { return String(segment) }
                    let name = segment.trimmingCharacters(in: CharacterSet(charactersIn: ":{}"))
                    return ids[name] ?? "00000000-0000-0000-0000-000000000000"
                }.joined(separator: "/")
                let body: (any Encodable)? = switch (method, key) {
                case (.post, "POST /api/v1/projects"): CreateProjectRequest(name: "made-\(checked)", workspaceId: workspace)
                case (.post, _), (.put, _), (.patch, _): [String: String]()
                default: nil
                }
                // Outside a workspace a thing does not exist, when the route names one.
                let scoped = key.contains("{projectId}") || key.contains("{workspaceId}") || key == "POST /api/v1/projects"
                for caller in Caller.allCases {
                    let reply = try await api.send(method, "/" + uri, body: body, token: tokens[caller])
                    let status = reply.status.code
                    let what = "\(caller.rawValue) \(key) → \(status) \(reply.text.prefix(200))"
                    switch caller {
                    case .anonymous:
                        #expect(status == 401, "\(what)")
                    case .outsider where scoped:
                        #expect(status == 404, "\(what)")
                    case .outsider:
                        #expect(![401, 403].contains(status), "\(what)")
                    default:
                        if let permission = operation.permission, let role = caller.role, !PermissionTable.allows(role, permission) {
                            #expect(status == 403, "\(what) (the \(role.rawValue) lacks \(permission.rawValue))")
                        } else {
                            #expect(![401, 403].contains(status) && status < 500, "\(what)")
                        }
                    }
                    checked += 1
                }
            }
            #expect(checked > 300)
        }
    }

    @Test("viewers hold only permissions that no changing route needs; members cannot manage the team or reveal variables")
    func roleBoundaries() {
        let changing = Set(OpenAPIOperations.all.filter { $0.method != "get" }.compactMap(\.permission))
        #expect(PermissionTable.grants[.viewer]!.isDisjoint(with: changing), "\(PermissionTable.grants[.viewer]!.intersection(changing))")
        #expect(!PermissionTable.allows(.member, .workspaceManageMembers) && !PermissionTable.allows(.member, .variablesReveal))
        #expect(Role.allCases.allSatisfy { PermissionTable.allows($0, .workspaceRead) })
    }

    @Test("docs/api.md's permission table is PermissionTable")
    func documented() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/api.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        for permission in Permission.allCases {
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `\(permission.rawValue)` |") }, "\(permission.rawValue) is not in docs/api.md")
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let marks = Array(cells.dropFirst(3).prefix(4)).map { $0 == "✓" }
            #expect(marks == [Role.owner, .admin, .member, .viewer].map { PermissionTable.allows($0, permission) }, "\(row)")
        }
    }
}
