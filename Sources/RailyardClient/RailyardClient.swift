import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import RailyardCore

/// A typed client of the Railyard REST API, shared by the CLI and the tests: one method per route,
/// errors thrown as ``RailyardClientError``.
public struct RailyardClient: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:7070` (no trailing slash).
    public let baseURL: String
    /// A session JWT or an API token (`ry_…`), sent as `Authorization: Bearer …`.
    public var token: String?
    /// How long one request may take.
    public var timeout: TimeAmount
    private let httpClient: HTTPClient

    /// A client of the server at `baseURL`; uses ``defaultHTTPClient`` unless given another.
    public init(
        baseURL: String, token: String? = nil, httpClient: HTTPClient = RailyardClient.defaultHTTPClient, timeout: TimeAmount = .seconds(30)
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The same client with another token.
    public func withToken(_ token: String?) -> RailyardClient {
        var copy = self
        copy.token = token
        return copy
    }

    // MARK: Health

    /// `GET /health`: whether the server answers.
    public func health() async throws -> [String: String] {
        try await send(.GET, "/health")
    }

    // MARK: Transport

    /// Sends a request without a body and decodes the answer.
    func send<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [String: String] = [:], timeout: TimeAmount? = nil
    ) async throws -> Response {
        let data = try await perform(method, path, query: query, body: nil, timeout: timeout)
        return try decode(Response.self, from: data)
    }

    /// Sends a JSON body and decodes the answer.
    func send<Body: Encodable, Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: Body
    ) async throws -> Response {
        let json = try RailyardJSON.encoder().encode(body)
        let data = try await perform(method, path, query: [:], body: (.bytes(ByteBuffer(data: json)), "application/json"))
        return try decode(Response.self, from: data)
    }

    /// Sends a raw body of `contentType` (an upload) and decodes the answer.
    func send<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: HTTPClientRequest.Body, contentType: String, timeout: TimeAmount
    ) async throws -> Response {
        let data = try await perform(method, path, query: [:], body: (body, contentType), timeout: timeout)
        return try decode(Response.self, from: data)
    }

    /// Sends a request whose success has no body (204).
    func sendExpectingNoContent(_ method: HTTPMethod, _ path: String) async throws {
        _ = try await perform(method, path, query: [:], body: nil)
    }

    private func perform(
        _ method: HTTPMethod, _ path: String, query: [String: String],
        body: (HTTPClientRequest.Body, contentType: String)?, timeout: TimeAmount? = nil
    ) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "railyard-cli")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let (content, contentType) = body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = content
        }
        let response: HTTPClientResponse
        let buffer: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: timeout ?? self.timeout)
            buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        } catch let error as CancellationError {
            throw error
        } catch let error as RailyardClientError {
            throw error
        } catch {
            throw RailyardClientError.unreachable(baseURL, error)
        }
        let data = Data(buffer: buffer)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw Self.errorFromResponse(status: status, reason: response.status.reasonPhrase, data: data)
        }
        return data
    }

    private func decode<Response: Decodable>(_ type: Response.Type, from data: Data) throws -> Response {
        do {
            return try RailyardJSON.decoder().decode(type, from: data)
        } catch {
            throw RailyardClientError(
                status: nil,
                error: RailyardError(
                    RailyardClientError.badResponseCode,
                    "the server at \(baseURL) sent an answer this client cannot read (\(error)); is it a Railyard server of the same version?"
                )
            )
        }
    }

    /// The error an unsuccessful answer carries: its `{"error": …}` body, else one made from the status.
    static func errorFromResponse(status: Int, reason: String, data: Data) -> RailyardClientError {
        struct Envelope: Decodable { var error: RailyardError }
        if let envelope = try? RailyardJSON.decoder().decode(Envelope.self, from: data) {
            return RailyardClientError(status: status, error: envelope.error)
        }
        let code: RailyardError.Code = switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 409: .conflict
        case 429: .rateLimited
        case 400, 422: .invalidInput
        default: .internal
        }
        return RailyardClientError(status: status, error: RailyardError(code, "the server answered \(status) \(reason)"))
    }

    /// `?a=b&c=d` with values percent-encoded, or "" when there is no query.
    static func queryString(_ query: [String: String]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let pairs = query.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return "?" + pairs.joined(separator: "&")
    }

    /// One path segment (an id or a name) percent-encoded so it cannot change the route.
    static func segment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#;")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
