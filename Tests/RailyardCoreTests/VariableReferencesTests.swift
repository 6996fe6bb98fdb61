import RailyardCore
import Testing

@Suite("Variable references: ${{NAME}}, ${{shared.NAME}}, ${{Service.NAME}}")
struct VariableReferencesTests {
    typealias Scope = VariableReferences.Scope

    static let services: [String: Scope] = [
        "web": Scope(
            own: [
                "DATABASE_URL": "${{Postgres.DATABASE_URL}}",
                "GREETING": "hello from ${{ RAILYARD_PUBLIC_DOMAIN }}",
                "SECRET": "${{shared.TOKEN}}-web",
                "PLAIN": "no $ {{ reference }} here",
            ],
            injected: ["RAILYARD_PUBLIC_DOMAIN": "web.localhost"]
        ),
        "postgres": Scope(
            own: ["PGPASSWORD": "s3cret", "DATABASE_URL": "postgresql://app:${{PGPASSWORD}}@${{RAILYARD_PRIVATE_DOMAIN}}:5432/app"],
            injected: ["RAILYARD_PRIVATE_DOMAIN": "postgres.railyard.internal"]
        ),
    ]

    @Test("references to another service (any case), shared and injected values resolve, through chains, with text around them")
    func resolves() throws {
        let resolved = try VariableReferences.resolve(service: "web", services: Self.services, shared: ["TOKEN": "t0k", "REGION": "eu"])
        #expect(resolved["DATABASE_URL"] == "postgresql://app:s3cret@postgres.railyard.internal:5432/app")
        #expect(resolved["GREETING"] == "hello from web.localhost")
        #expect(resolved["SECRET"] == "t0k-web")
        #expect(resolved["PLAIN"] == "no $ {{ reference }} here")
        #expect(resolved["REGION"] == "eu", "shared variables are there too")
        #expect(resolved["PGPASSWORD"] == nil, "another service's variables are not copied in")
    }

    @Test("an unknown service, an unknown variable, an unknown shared name and a cycle each name what is wrong")
    func errors() {
        let cases: [([String: Scope], [String: String], String)] = [
            (["web": Scope(own: ["A": "${{Redis.REDIS_URL}}"])], [:], "`web.A` refers to ${{Redis.REDIS_URL}}, but this environment has no service named Redis"),
            (Self.services.merging(["web": Scope(own: ["A": "${{postgres.NOPE}}"])]) { $1 }, [:], "`web.A` refers to ${{postgres.NOPE}}, but service postgres has no variable NOPE"),
            (["web": Scope(own: ["A": "${{MISSING}}"])], [:], "`web.A` refers to ${{MISSING}}, but web has no variable MISSING (nor a shared one)"),
            (["web": Scope(own: ["A": "${{shared.NOPE}}"])], [:], "but there is no shared variable NOPE"),
            (["web": Scope(own: ["A": "x${{B}}", "B": "${{C}}", "C": "${{A}}"])], [:], "cycle: web.A → web.B → web.C → web.A"),
            (
                ["web": Scope(own: ["A": "${{api.X}}"]), "api": Scope(own: ["X": "${{web.A}}"])], [:],
                "cycle: web.A → api.X → web.A"
            ),
            (["web": Scope(own: ["A": "${{B"])], [:], "has a `${{` without its closing `}}`"),
        ]
        for (services, shared, message) in cases {
            do {
                _ = try VariableReferences.resolve(service: "web", services: services, shared: shared)
                Issue.record("no error for \(services)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
                #expect(error.field == "variables")
            }
        }
    }
}

@Suite("Variable references: who uses a changed variable")
struct VariableUsersTests {
    static let services: [String: [String: String]] = [
        "web": ["DB": "${{Postgres.DATABASE_URL}}", "WHO": "${{shared.REGION}}", "ME": "${{SECRET}}", "SECRET": "s"],
        "worker": ["DB": "x${{postgres.DATABASE_URL}}y", "ZONE": "${{REGION}}"],
        "postgres": ["DATABASE_URL": "postgres://…", "PGPASSWORD": "p"],
        "plain": ["REGION": "own", "ALSO": "${{REGION}}"],
    ]

    @Test("another service's, a shared and an own variable: the services that refer to it, by name")
    func users() {
        #expect(VariableReferences.users(of: ["DATABASE_URL"], owner: "postgres", services: Self.services) == ["web", "worker"])
        #expect(VariableReferences.users(of: ["PGPASSWORD"], owner: "postgres", services: Self.services).isEmpty)
        // ${{REGION}} in plain is its own REGION, not the shared one.
        #expect(VariableReferences.users(of: ["REGION"], owner: nil, services: Self.services) == ["web", "worker"])
        #expect(VariableReferences.users(of: ["SECRET"], owner: "web", services: Self.services) == ["web"])
        #expect(VariableReferences.references(in: "a ${{ x.Y }} b ${{Z}} ${{broken").map { "\($0.namespace ?? "-").\($0.name)" } == ["x.Y", "-.Z"])
    }
}
