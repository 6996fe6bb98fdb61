import RailyardCore

/// One route as the OpenAPI document describes it.
struct OpenAPIOperation: Sendable {
    var method: String
    /// The path in OpenAPI style, e.g. `/api/v1/projects/{projectId}`.
    var path: String
    var operationId: String
    var summary: String
    var tag: String
    /// Name of the request body's schema in `components.schemas`.
    var requestBody: String?
    /// The success status and the name of its schema (nil: no body).
    var success: (status: Int, schema: JSONValue?)
    var authenticated: Bool = true
    var permission: Permission?
    var query: [(name: String, description: String, schema: JSONValue)] = []
    /// A non-JSON request body: its media type (e.g. `application/gzip` for source uploads).
    var binaryBody: String? = nil

    /// The operation object, with path parameters taken from the path.
    var json: JSONValue {
        var parameters: [JSONValue] = pathParameters.map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
        }
        parameters += query.map { item in
            ["name": .string(item.name), "in": "query", "required": false,
             "description": .string(item.description), "schema": item.schema]
        }
        var responses: [String: JSONValue] = ["default": ["$ref": "#/components/responses/Error"]]
        var success: [String: JSONValue] = ["description": .string(Self.reason(self.success.status))]
        if let schema = self.success.schema {
            success["content"] = ["application/json": ["schema": schema]]
        }
        responses[String(self.success.status)] = .object(success)
        if authenticated {
            responses["401"] = ["$ref": "#/components/responses/Error"]
        }
        responses["429"] = ["$ref": "#/components/responses/RateLimited"]
        var operation: [String: JSONValue] = [
            "operationId": .string(operationId),
            "summary": .string(summary),
            "tags": [.string(tag)],
            "responses": .object(responses),
            "security": authenticated ? [["bearer": []]] : [],
        ]
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestBody {
            operation["requestBody"] = [
                "required": true,
                "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(requestBody)")]]],
            ]
        }
        if let binaryBody {
            operation["requestBody"] = [
                "required": true,
                "content": .object([binaryBody: ["schema": ["type": "string", "format": "binary"]]]),
            ]
        }
        if let permission { operation["x-railyard-permission"] = .string(permission.rawValue) }
        return .object(operation)
    }

    /// The `{name}` segments of the path.
    var pathParameters: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Redirect to GitHub"
        default: "Success"
        }
    }
}
