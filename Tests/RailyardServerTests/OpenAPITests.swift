import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path/{param}` for a router route, whose path prints captures as `{name}`.
    private static func key(method: HTTPRequest.Method, path: String) -> String {
        let segments = path.split(separator: "/").map { segment -> String in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }
        return "\(method.rawValue) /" + segments.joined(separator: "/")
    }

    @Test("the document's paths and the router's routes are the same set")
    func matchesRouter() async throws {
        try await TestServer.with { api, fixture in
            let router = await RailyardApp.buildRouter(
                configuration: fixture.configuration, store: fixture.store, secret: fixture.secret,
                logger: .init(label: "test"), httpClient: .shared
            )
            let routes = Set(router.routes.map { Self.key(method: $0.method, path: "\($0.path)") })
            #expect(routes.count > 30)

            let served = try await api.send(.get, "/api/v1/openapi.json")
            #expect(served.status == .ok)
            let document: JSONValue = try served.decode()
            var documented = Set<String>()
            for (path, item) in document["paths"]?.objectValue ?? [:] {
                for method in item.objectValue.keys {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            #expect(routes.subtracting(documented).isEmpty, "routes missing from the document: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented paths with no route: \(documented.subtracting(routes).sorted())")
        }
    }

    @Test("it is OpenAPI 3.1 with a bearer scheme, and every $ref resolves")
    func wellFormed() throws {
        let document = OpenAPIDocument.railyard.json
        #expect(document["openapi"] == "3.1.0")
        #expect(document["components"]?["securitySchemes"]?["bearer"]?["scheme"] == "bearer")
        let schemas = document["components"]?["schemas"]?.objectValue ?? [:]
        let responses = document["components"]?["responses"]?.objectValue ?? [:]
        var refs: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if case .string(let ref)? = members["$ref"] { refs.append(ref) }
                members.values.forEach(collect)
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(document)
        #expect(!refs.isEmpty)
        for ref in refs {
            if ref.hasPrefix("#/components/schemas/") {
                #expect(schemas[String(ref.dropFirst("#/components/schemas/".count))] != nil, "\(ref)")
            } else {
                #expect(responses[String(ref.dropFirst("#/components/responses/".count))] != nil, "\(ref)")
            }
        }
        var operationIds: [String] = []
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for (_, operation) in item.objectValue {
                if case .string(let id)? = operation["operationId"] { operationIds.append(id) }
                let parameters: [JSONValue]
                if case .array(let list)? = operation["parameters"] { parameters = list } else { parameters = [] }
                let declared = Set(parameters.compactMap { $0["in"] == "path" ? $0["name"] : nil })
                let inPath = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { JSONValue.string(String($0.dropFirst().dropLast())) })
                #expect(declared == inPath, "\(path)")
            }
        }
        #expect(Set(operationIds).count == operationIds.count)
    }
}
