import Foundation
import RailyardCore
import Testing

@Suite("Validation")
struct ValidationTests {
    @Test("DNS labels", arguments: ["a", "web", "my-app-2", String(repeating: "x", count: 63)])
    func validLabels(name: String) throws {
        try Validation.dnsLabel(name, field: "name")
    }

    @Test("not DNS labels", arguments: ["", "-web", "web-", "Web", "my_app", "a.b", "ünï", String(repeating: "x", count: 64)])
    func invalidLabels(name: String) {
        let error = #expect(throws: RailyardError.self) { try Validation.dnsLabel(name, field: "name") }
        #expect(error?.code == .invalidInput)
        #expect(error?.field == "name")
    }

    @Test("variable keys", arguments: ["A", "_X", "DATABASE_URL", "lower_ok1"])
    func validKeys(key: String) throws {
        try Validation.variableKey(key)
    }

    @Test("bad variable keys", arguments: ["", "1ABC", "A-B", "A B", "A=B", String(repeating: "K", count: 257)])
    func invalidKeys(key: String) {
        let error = #expect(throws: RailyardError.self) { try Validation.variableKey(key) }
        #expect(error?.field == "key")
    }

    @Test("variable values are bounded and NUL-free")
    func values() throws {
        try Validation.variableValue("", key: "K")
        try Validation.variableValue(String(repeating: "v", count: Validation.maxVariableValueBytes), key: "K")
        #expect(throws: RailyardError.self) {
            try Validation.variableValue(String(repeating: "v", count: Validation.maxVariableValueBytes + 1), key: "K")
        }
        #expect(throws: RailyardError.self) { try Validation.variableValue("a\u{0}b", key: "K") }
    }

    @Test("emails and passwords")
    func credentials() throws {
        try Validation.email("ada@example.com")
        for bad in ["ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@.com"] {
            #expect(throws: RailyardError.self, "\(bad)") { try Validation.email(bad) }
        }
        try Validation.password("correct horse")
        #expect(throws: RailyardError.self) { try Validation.password("short") }
        #expect(throws: RailyardError.self) { try Validation.password(String(repeating: "p", count: 73)) }
    }
}

@Suite("PermissionTable")
struct PermissionTableTests {
    @Test("owners hold every permission")
    func owner() {
        for permission in Permission.allCases {
            #expect(PermissionTable.allows(.owner, permission))
        }
    }

    @Test("admins hold what owners do; members build and deploy but manage no team, delete no project, reveal nothing; viewers only read")
    func others() {
        #expect(Permission.allCases.allSatisfy { PermissionTable.allows(.admin, $0) })
        #expect(
            Permission.allCases.filter { !PermissionTable.allows(.member, $0) } == [.workspaceManageMembers, .workspaceAuditRead, .projectDelete, .variablesReveal]
        )
        #expect(Permission.allCases.filter { PermissionTable.allows(.viewer, $0) } == [.workspaceRead, .projectRead, .variablesRead])
    }

    @Test("error bodies round-trip through JSON")
    func errorCoding() throws {
        let error = RailyardError.invalid("name", "name must not be empty")
        let data = try JSONEncoder().encode(error)
        #expect(try JSONDecoder().decode(RailyardError.self, from: data) == error)
    }
}


@Suite("Volume mount paths")
struct VolumeMountPathTests {
    @Test("absolute folder paths pass", arguments: ["/data", "/app/data", "/var-data/db_1", "/x.y"])
    func valid(path: String) throws {
        try Volume.validate(mountPath: path)
    }

    @Test("anything else is refused naming mountPath", arguments: ["data", "/", "", "/data/", "/a//b", "/a/../b", "/./a", "/da ta", "/dätä", String(repeating: "/a", count: 200)])
    func invalid(path: String) {
        let error = #expect(throws: RailyardError.self) { try Volume.validate(mountPath: path) }
        #expect(error?.field == "mountPath")
    }
}
