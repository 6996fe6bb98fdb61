import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Source validation (git URLs)")
struct SourceValidationTests {
    @Test(
        "URLs that could make git read an option or run a helper are refused with 400 naming source.repo",
        arguments: [
            "--upload-pack=touch /tmp/x",
            "--upload-pack=touch",
            "-u",
            "-oProxyCommand=x",
            "ext::sh -c touch% /tmp/pwned",
            "ext::sh",
            "fd::17",
            "https://example.com/repo.git --upload-pack=x",
            "https://example.com/x--upload-pack=y",
            "ssh://-oProxyCommand=touch%20x/repo",
            "git@-oProxyCommand=x:repo",
            "ssh://%2doProxyCommand=x/repo",
            "https://example.com/a\nb",
            "https://example.com/\u{7F}",
            "",
            "ftp://example.com/repo.git",
            "example.com:repo.git",
        ]
    )
    func refusesInjection(repo: String) {
        let error = #expect(throws: RailyardError.self) {
            try SourceValidation.validate(ServiceSource(repo: repo), allowLocal: true)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.field == "source.repo")
        #expect(error?.message.contains("source.repo") == true)
    }

    @Test(
        "ordinary remote URLs pass",
        arguments: [
            "https://github.com/acme/shop.git", "http://git.local/acme/shop", "ssh://git@github.com/acme/shop.git",
            "git://example.com/x.git", "git@github.com:acme/my-user-repo.git", "ssh://git@[::1]:22/acme/shop.git",
        ]
    )
    func acceptsRemote(repo: String) throws {
        try SourceValidation.validate(ServiceSource(repo: repo, branch: "main"), allowLocal: false)
    }

    @Test("local repositories need --allow-local-git-sources", arguments: ["file:///srv/repos/shop", "/srv/repos/shop"])
    func localNeedsFlag(repo: String) throws {
        let error = #expect(throws: RailyardError.self) {
            try SourceValidation.validate(ServiceSource(repo: repo), allowLocal: false)
        }
        #expect(error?.code == .forbidden)
        #expect(error?.message.contains("--allow-local-git-sources") == true)
        try SourceValidation.validate(ServiceSource(repo: repo), allowLocal: true)
    }

    @Test("a local path must be absolute and without '..'", arguments: ["file://relative/x", "file:///srv/../etc"])
    func localPathShape(repo: String) {
        #expect(throws: RailyardError.self) { try SourceValidation.validate(ServiceSource(repo: repo), allowLocal: true) }
    }

    @Test("branches that git would refuse or read as options are refused", arguments: ["-x", "a..b", "a b", "x.lock", "a@{1}", "x/", "a:b"])
    func badBranches(branch: String) {
        let error = #expect(throws: RailyardError.self) {
            try SourceValidation.validate(ServiceSource(repo: "https://example.com/x.git", branch: branch), allowLocal: false)
        }
        #expect(error?.field == "source.branch")
    }

    @Test("the API answers 400 for an injection URL and 403 for a local repo unless the server allows them")
    func throughTheAPI() async throws {
        for allowLocal in [false, true] {
            try await TestServer.with({ $0.allowLocalGitSources = allowLocal }) { api, _ in
                let token = try await api.signup("alice@example.com").token
                let project = try await api.createProject("shop", token: token).project
                let path = "/api/v1/projects/\(project.id)/services"
                for repo in ["--upload-pack=touch /tmp/x", "ext::sh -c touch% /tmp/x"] {
                    let reply = try await api.send(
                        .post, path, body: CreateServiceRequest(name: "bad", source: ServiceSource(repo: repo)), token: token
                    )
                    #expect(reply.status == .badRequest, "\(reply.text)")
                    #expect(reply.error?.field == "source.repo")
                }
                let local = try await api.send(
                    .post, path, body: CreateServiceRequest(name: "web", source: ServiceSource(repo: "file:///srv/repos/shop")), token: token
                )
                #expect(local.status == (allowLocal ? .created : .forbidden), "\(local.text)")
                if !allowLocal {
                    #expect(local.error?.message.contains("--allow-local-git-sources") == true)
                    // A change of source is checked the same way.
                    let service: Service = try await api.send(.post, path, body: CreateServiceRequest(name: "web"), token: token).decode()
                    let patched = try await api.send(
                        .patch, "\(path)/\(service.id)",
                        body: UpdateServiceRequest(source: ServiceSource(repo: "/srv/repos/shop")), token: token
                    )
                    #expect(patched.status == .forbidden, "\(patched.text)")
                }
            }
        }
    }
}
