import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// `railyard team`: the linked project's workspace — its members, invitations and audit log.
struct TeamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "List the workspace's members, invite people by email, join with an invitation, read the audit log.",
        subcommands: [TeamMembersCommand.self, TeamInviteCommand.self, TeamJoinCommand.self, TeamAuditCommand.self],
        defaultSubcommand: TeamMembersCommand.self
    )

    /// The workspace: `--workspace`, else the linked project's.
    static func workspace(_ flag: String?) async throws -> (RailyardClient, String) {
        let context = try CommandContext.load()
        let client = try context.client()
        if let flag { return (client, flag) }
        let link = try context.requireLink().link
        return (client, try await context.linkedProject(client, link).project.workspaceId)
    }
}

struct TeamMembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: "List the workspace's members and their roles.")
    @Option(help: "The workspace's id (default: the linked project's).")
    var workspace: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, id) = try await TeamCommand.workspace(workspace)
        let members = try await client.members(workspaceId: id)
        if output.json { return try Output.json(members) }
        Output.line(TextTable(header: ["EMAIL", "ROLE", "JOINED (UTC)"], rows: members.map {
            [$0.user.email ?? $0.user.id, $0.role.rawValue, UTCTime.format($0.joinedAt)]
        }).render())
    }
}

struct TeamInviteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "Invite an email address; prints the token they join with (no mail is sent)."
    )
    @Argument(help: "Their email address.")
    var email: String
    @Option(help: "owner, admin, member or viewer.")
    var role: Role = .member
    @Option(help: "The workspace's id (default: the linked project's).")
    var workspace: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, id) = try await TeamCommand.workspace(workspace)
        let invitation = try await client.invite(workspaceId: id, CreateInvitationRequest(email: email, role: role))
        if output.json { return try Output.json(invitation) }
        Output.line("Invited \(invitation.email) as \(invitation.role.rawValue). Send them this, to run once signed in as \(invitation.email):")
        Output.line("  railyard team join \(invitation.token ?? "")")
        Output.line("It works until \(invitation.expiresAt.formatted(.iso8601)) (7 days).")
    }
}

struct TeamJoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "join", abstract: "Join a workspace with an invitation's token.")
    @Argument(help: "The token `railyard team invite` printed.")
    var token: String

    func run() async throws {
        let context = try CommandContext.load()
        let member = try await context.client().acceptInvitation(token: token)
        Output.line("Joined as \(member.role.rawValue); `railyard list` shows its projects")
    }
}

extension Role: ExpressibleByArgument {}

struct TeamAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Who changed what in the workspace, newest first.")
    @Option(help: "The workspace's id (default: the linked project's).")
    var workspace: String?
    @Option(help: "How many events (1–1000).")
    var limit = 50
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (client, id) = try await TeamCommand.workspace(workspace)
        let events = try await client.auditLog(workspaceId: id, limit: limit)
        if output.json { return try Output.json(events) }
        Output.line(TextTable(header: ["TIME (UTC)", "WHO", "ACTION", "TARGET", "FROM", "STATUS"], rows: events.map {
            [UTCTime.format($0.at), $0.actorEmail, $0.action, $0.target, $0.ip, "\($0.status)"]
        }).render())
    }
}
