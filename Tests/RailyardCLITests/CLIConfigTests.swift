import Foundation
import Testing

@testable import RailyardCLI

@Suite("CLI config and folder links")
struct CLIConfigTests {
    @Test("a folder uses its own link, else the nearest linked ancestor's")
    func linkLookupWalksUp() {
        let config = CLIConfig(links: [
            "/home/a/app": FolderLink(projectId: "p1", environmentId: "e1"),
            "/home/a/app/api": FolderLink(projectId: "p1", environmentId: "e1", serviceId: "s1"),
        ])
        #expect(config.link(for: "/home/a/app")?.link.serviceId == nil)
        #expect(config.link(for: "/home/a/app/api")?.link.serviceId == "s1")
        #expect(config.link(for: "/home/a/app/api/src/deep")?.path == "/home/a/app/api")
        #expect(config.link(for: "/home/a/app/web/")?.path == "/home/a/app")
        #expect(config.link(for: "/home/a") == nil)
        #expect(config.link(for: "/home/a/application") == nil)
    }

    @Test("a link at / applies everywhere")
    func rootLink() {
        let config = CLIConfig(links: ["/": FolderLink(projectId: "p", environmentId: "e")])
        #expect(config.link(for: "/x/y")?.path == "/")
    }

    @Test("paths are normalized", arguments: [
        ("/a/b/", "/a/b"), ("/a/./b/../c", "/a/c"), ("//a//b", "/a/b"), ("/..", "/"), ("rel/x", "/base/rel/x"),
    ])
    func normalize(input: String, expected: String) {
        #expect(PathNormalizer.normalize(input, relativeTo: "/base") == expected)
    }

    @Test("ancestors run from the folder up to /")
    func ancestors() {
        #expect(PathNormalizer.selfAndAncestors(of: "/a/b") == ["/a/b", "/a", "/"])
        #expect(PathNormalizer.selfAndAncestors(of: "/") == ["/"])
    }

    @Test("a config without links decodes, and round-trips")
    func decoding() throws {
        let empty = try JSONDecoder().decode(CLIConfig.self, from: Data(#"{"server":"http://x"}"#.utf8))
        #expect(empty == CLIConfig(server: "http://x"))
        let full = CLIConfig(server: "s", token: "t", links: ["/p": FolderLink(projectId: "p", environmentId: "e", serviceId: "v")])
        #expect(try JSONDecoder().decode(CLIConfig.self, from: JSONEncoder().encode(full)) == full)
    }
}
