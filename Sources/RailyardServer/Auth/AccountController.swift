import Foundation
import Hummingbird
import Logging
import RailyardCore

/// `/api/v1/me` and `/api/v1/tokens`: who the caller is, and their API tokens.
struct AccountController {
    let dependencies: AppDependencies

    func addRoutes(to group: RouterGroup<RailyardRequestContext>) {
        group.get("me", use: me)
        group.get("tokens", use: listTokens)
        group.post("tokens", use: createToken)
        group.delete("tokens/:tokenId", use: revokeToken)
    }

    @Sendable func me(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<Me> {
        let user = try context.requireUser()
        let workspaces = try await dependencies.store.memberships(userId: user.id)
        return JSONResponse(Me(user: user, workspaces: workspaces))
    }

    @Sendable func listTokens(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<[APIToken]> {
        let user = try context.requireUser()
        return JSONResponse(try await dependencies.store.apiTokens(userId: user.id))
    }

    @Sendable func createToken(_ request: Request, context: RailyardRequestContext) async throws -> JSONResponse<CreatedToken> {
        let user = try context.requireUser()
        let body = try await request.decodeJSON(as: CreateTokenRequest.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        try Validation.label(name, field: "name")
        let token = APITokenSecret.generate()
        let stored = try await dependencies.store.createAPIToken(
            userId: user.id, name: name, tokenHash: APITokenSecret.hash(token), prefix: APITokenSecret.prefix(token)
        )
        context.logger.info("API token created", metadata: ["token.id": "\(stored.id)"])
        return JSONResponse(CreatedToken(token: token, apiToken: stored), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: RailyardRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let id = try context.parameters.require("tokenId")
        guard try await dependencies.store.revokeAPIToken(id: id, userId: user.id) else {
            throw RailyardError.notFound("API token \(id)")
        }
        context.logger.info("API token revoked", metadata: ["token.id": "\(id)"])
        return .noContent
    }
}
