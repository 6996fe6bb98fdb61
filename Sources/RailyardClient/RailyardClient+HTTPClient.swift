import AsyncHTTPClient

extension RailyardClient {
    /// The HTTP client used when none is given: one per process, never shut down (like
    /// `HTTPClient.shared`), and failing at once when the server refuses connections instead of
    /// retrying until the request times out, so `cannot reach Railyard` shows without delay.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
