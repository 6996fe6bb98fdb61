/// GitHub OAuth settings. Without a client id, GitHub sign-in answers 503 `not_configured`.
public struct GitHubConfiguration: Sendable {
    /// The OAuth app's client id (`--github-client-id` or `GITHUB_CLIENT_ID`).
    public var clientId: String?
    /// The OAuth app's client secret (`--github-client-secret` or `GITHUB_CLIENT_SECRET`).
    public var clientSecret: String?
    /// Where `/login/oauth/*` lives (`RAILYARD_GITHUB_OAUTH_URL`); tests point it at a fake.
    public var oauthBaseURL: String
    /// Where the REST API lives (`RAILYARD_GITHUB_API_URL`); tests point it at a fake.
    public var apiBaseURL: String
    /// How long one call to GitHub may take, in seconds.
    public var timeout: Double

    /// GitHub settings; the URLs default to github.com.
    public init(
        clientId: String? = nil,
        clientSecret: String? = nil,
        oauthBaseURL: String = "https://github.com",
        apiBaseURL: String = "https://api.github.com",
        timeout: Double = 15
    ) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.oauthBaseURL = oauthBaseURL
        self.apiBaseURL = apiBaseURL
        self.timeout = timeout
    }

    /// Whether sign-in with GitHub can run.
    public var isConfigured: Bool { !(clientId ?? "").isEmpty && !(clientSecret ?? "").isEmpty }
}
