/// A member's role in a workspace. Which role may do what is decided by ``PermissionTable`` alone.
public enum Role: String, Codable, Sendable, CaseIterable {
    case owner
    case admin
    case member
    case viewer
}
