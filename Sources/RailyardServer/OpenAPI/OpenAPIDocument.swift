import Foundation
import RailyardCore

/// The OpenAPI 3.1 description of the REST API, served at `/api/v1/openapi.json`.
/// A test checks that its paths and the router's routes are the same set.
public struct OpenAPIDocument: Sendable {
    var operations: [OpenAPIOperation]
    var schemas: [String: JSONValue]

    /// The document as a JSON value.
    public var json: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method] = operation.json
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Railyard API",
                "version": "1",
                "description": "The control plane of Railyard, a self-hosted platform-as-a-service.",
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer",
                        "description": "A session token (JWT) from signup/login/GitHub, or an API token starting with ry_.",
                    ],
                ],
                "responses": [
                    "Error": [
                        "description": "An error: a stable code, a sentence saying what to do, and the field it is about.",
                        "content": ["application/json": ["schema": OpenAPISchemas.ref("ErrorBody")]],
                    ],
                    "RateLimited": [
                        "description": "Too many requests; retry after the given number of seconds.",
                        "headers": ["Retry-After": ["schema": ["type": "integer"]]],
                        "content": ["application/json": ["schema": OpenAPISchemas.ref("ErrorBody")]],
                    ],
                ],
            ],
        ]
    }

    /// The document as JSON bytes, keys sorted.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(json)) ?? Data()
    }

    /// `method path` of every operation, e.g. `GET /api/v1/projects/{projectId}`.
    public var routeKeys: Set<String> {
        Set(operations.map { "\($0.method.uppercased()) \($0.path)" })
    }

    /// Railyard's API.
    public static let railyard = OpenAPIDocument(operations: OpenAPIOperations.all, schemas: OpenAPISchemas.all)
}
