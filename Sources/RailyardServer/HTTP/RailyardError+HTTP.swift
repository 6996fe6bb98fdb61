import Foundation
import Hummingbird
import NIOCore
import RailyardCore

/// A Railyard error renders itself as the API's JSON error body, even where no ``ErrorMiddleware``
/// is in front of it.
extension RailyardError: HTTPResponseError {
    /// The HTTP status this error's code is sent with.
    public var status: HTTPResponse.Status { httpStatus }

    /// The `{"error": {...}}` response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }
}

extension RailyardError {
    /// The HTTP status this error's code is sent with.
    var httpStatus: HTTPResponse.Status {
        switch code {
        case .invalidInput: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .rateLimited: .tooManyRequests
        case .tooLarge: .contentTooLarge
        case .notConfigured: .serviceUnavailable
        case .upstream: .badGateway
        default: .internalServerError
        }
    }

    /// The error as the API sends it: `{"error": {...}}` with its status.
    func response(status: HTTPResponse.Status? = nil, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? RailyardJSON.encoder().encode(ErrorBody(error: self))) ?? Data()
        return Response(
            status: status ?? httpStatus,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// 401 for a route that needs a signed-in caller.
    static let signInRequired = RailyardError(
        .unauthorized,
        "sign in first: send 'Authorization: Bearer <token>' with a session token from /api/v1/auth/login or an API token"
    )
}

/// The error envelope of every failed API response.
struct ErrorBody: Codable, Sendable {
    var error: RailyardError
}
