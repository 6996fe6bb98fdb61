/// What Railyard reads from GitHub about a person signing in.
struct GitHubUser: Sendable, Equatable {
    var id: String
    var login: String
    var name: String?
    var email: String?
    var avatarURL: String?
}
