import Foundation
import Hummingbird
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Team: invitations by email and the audit log")
struct TeamTests {
    @Test("an invitation's token lets its invitee, and only them, join once with its role; the audit log says who did what")
    func invitationsAndAudit() async throws {
        try await TestServer.with { api, _ in
            let owner = try await api.signup("owner@example.com").token
            let bob = try await api.signup("bob@example.com").token
            let eve = try await api.signup("eve@example.com").token
            let detail = try await api.createProject("team", token: owner)
            let workspace = detail.project.workspaceId

            let made = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/invitations", body: CreateInvitationRequest(email: " Bob@Example.com", role: .admin), token: owner
            )
            #expect(made.status == .created, "\(made.text)")
            let invitation: WorkspaceInvitation = try made.decode()
            let token = try #require(invitation.token)
            #expect(invitation.email == "bob@example.com" && invitation.role == .admin && token.hasPrefix("ryi_"))
            let listed: [WorkspaceInvitation] = try await api.send(.get, "/api/v1/workspaces/\(workspace)/invitations", token: owner).decode()
            #expect(listed.map(\.id) == [invitation.id] && listed[0].token == nil, "the token is shown only once")

            let wrongUser = try await api.send(.post, "/api/v1/invitations/accept", body: AcceptInvitationRequest(token: token), token: eve)
            #expect(wrongUser.status == .forbidden && wrongUser.text.contains("this invitation is for bob@example.com"))
            let joined = try await api.send(.post, "/api/v1/invitations/accept", body: AcceptInvitationRequest(token: token), token: bob)
            #expect(joined.status == .created, "\(joined.text)")
            #expect(try joined.decode(Member.self).role == .admin)
            let again = try await api.send(.post, "/api/v1/invitations/accept", body: AcceptInvitationRequest(token: token), token: bob)
            #expect(again.status == .notFound)
            #expect(abs(invitation.expiresAt.timeIntervalSince(invitation.createdAt) - 7 * 86_400) < 1)
            let member = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/invitations", body: CreateInvitationRequest(email: "bob@example.com", role: .viewer), token: owner
            )
            #expect(member.status == .conflict)

            // An admin invites and renames, but may not make owners; a member may not read the audit log.
            let ownerByAdmin = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/invitations", body: CreateInvitationRequest(email: "eve@example.com", role: .owner), token: bob
            )
            #expect(ownerByAdmin.status == .forbidden && ownerByAdmin.text.contains("only an owner may invite an owner"))
            let viewerInvite: WorkspaceInvitation = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/invitations", body: CreateInvitationRequest(email: "eve@example.com", role: .member), token: bob
            ).decode()
            #expect(try await api.send(.delete, "/api/v1/workspaces/\(workspace)/invitations/\(viewerInvite.id)", token: bob).status == .noContent)
            #expect(try await api.send(.patch, "/api/v1/projects/\(detail.project.id)", body: UpdateProjectRequest(name: "renamed"), token: bob).status == .ok)

            let log = try await api.send(.get, "/api/v1/workspaces/\(workspace)/audit", token: owner)
            #expect(log.status == .ok)
            let events: [AuditEvent] = try log.decode()
            #expect(events.map(\.action) == [
                "PATCH /api/v1/projects/{projectId}",
                "DELETE /api/v1/workspaces/{workspaceId}/invitations/{invitationId}",
                "POST /api/v1/workspaces/{workspaceId}/invitations",
                "POST /api/v1/invitations/accept",
                "POST /api/v1/workspaces/{workspaceId}/invitations",
                "POST /api/v1/projects",
            ], "\(events.map(\.action))")
            #expect(events[0].actorEmail == "bob@example.com" && events[0].target == "/api/v1/projects/\(detail.project.id)" && events[0].status == 200)
            #expect(events[3].actorEmail == "bob@example.com" && events.last?.actorEmail == "owner@example.com" && events[0].ip == "10.0.0.1")
            #expect(try await api.send(.get, "/api/v1/workspaces/\(workspace)/audit", token: bob).status == .ok, "admins read it")
            let outsider = try await api.send(.get, "/api/v1/workspaces/\(workspace)/audit", token: eve)
            #expect(outsider.status == .notFound)
        }
    }

    @Test("an invitation older than 7 days cannot be accepted, and the refusal says what to do")
    func expiredInvitation() async throws {
        try await TestServer.with { api, fixture in
            let owner = try await api.signup("owner@example.com").token
            let carol = try await api.signup("carol@example.com").token
            let workspace = try await api.createProject("team", token: owner).project.workspaceId
            let made = Date().addingTimeInterval(-8 * 86_400)
            let old = WorkspaceInvitation(
                id: UUID().uuidString.lowercased(), workspaceId: workspace, email: "carol@example.com", role: .member,
                invitedBy: "someone", createdAt: made
            )
            try await fixture.store.createInvitation(old, tokenHash: TeamController.hash("ryi_old-token"))
            let refused = try await api.send(.post, "/api/v1/invitations/accept", body: AcceptInvitationRequest(token: "ryi_old-token"), token: carol)
            #expect(refused.status == .forbidden && refused.text.contains("expired") && refused.text.contains("invite carol@example.com again"), "\(refused.text)")
            let listed: [WorkspaceInvitation] = try await api.send(.get, "/api/v1/workspaces/\(workspace)/invitations", token: owner).decode()
            #expect(listed.map(\.id) == [old.id] && listed[0].expiresAt < Date(), "an expired invitation stays listed until revoked")
            let fresh = try await api.send(
                .post, "/api/v1/workspaces/\(workspace)/invitations", body: CreateInvitationRequest(email: "carol@example.com", role: .member), token: owner
            )
            let token = try #require(try fresh.decode(WorkspaceInvitation.self).token)
            #expect(try await api.send(.post, "/api/v1/invitations/accept", body: AcceptInvitationRequest(token: token), token: carol).status == .created)
        }
    }
}
