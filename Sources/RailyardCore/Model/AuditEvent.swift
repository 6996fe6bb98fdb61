import Foundation

/// One change someone made in a workspace: who, what (the route), to what, from where, when.
public struct AuditEvent: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var workspaceId: String
    public var actorId: String
    public var actorEmail: String
    /// `METHOD /route/{template}`, e.g. `PATCH /api/v1/projects/{projectId}`.
    public var action: String
    /// The path as called, ids filled in.
    public var target: String
    public var ip: String
    /// The HTTP status it answered.
    public var status: Int
    public var at: Date

    public init(id: String, workspaceId: String, actorId: String, actorEmail: String, action: String, target: String, ip: String, status: Int, at: Date) {
        self.id = id
        self.workspaceId = workspaceId
        self.actorId = actorId
        self.actorEmail = actorEmail
        self.action = action
        self.target = target
        self.ip = ip
        self.status = status
        self.at = at
    }
}

/// An invitation to a workspace, accepted with its token by the user with its email.
public struct WorkspaceInvitation: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var workspaceId: String
    public var email: String
    public var role: Role
    public var invitedBy: String
    public var createdAt: Date
    /// When the token stops working: `lifetime` after the invitation was made. An expired
    /// invitation stays listed until revoked; inviting the address again makes a fresh one.
    public var expiresAt: Date
    /// Only in the answer that made it: what the invited person gives `POST /api/v1/invitations/accept`.
    public var token: String?

    /// How long an invitation's token can be accepted: 7 days.
    public static let lifetime: TimeInterval = 7 * 86_400

    public init(id: String, workspaceId: String, email: String, role: Role, invitedBy: String, createdAt: Date, token: String? = nil) {
        self.id = id
        self.workspaceId = workspaceId
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = createdAt.addingTimeInterval(Self.lifetime)
        self.token = token
    }
}

/// `POST /api/v1/workspaces/{workspaceId}/invitations`.
public struct CreateInvitationRequest: Codable, Sendable {
    public var email: String
    public var role: Role

    public init(email: String, role: Role) {
        self.email = email
        self.role = role
    }
}

/// `POST /api/v1/invitations/accept`.
public struct AcceptInvitationRequest: Codable, Sendable {
    public var token: String

    public init(token: String) {
        self.token = token
    }
}
