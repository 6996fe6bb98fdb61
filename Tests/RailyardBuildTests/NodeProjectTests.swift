import Foundation
import Testing

@testable import RailyardBuild

@Suite("Node manifests: package manager and engines.node")
struct NodeProjectTests {
    @Test("the package manager comes from packageManager, else the lockfile, else npm", arguments: [
        ([:], [:], NodeProject.PackageManager.npm),
        (["package-lock.json": "{}"], [:], .npm),
        (["yarn.lock": ""], [:], .yarn),
        (["yarn.lock": "", ".yarnrc.yml": ""], [:], .yarnBerry),
        (["pnpm-lock.yaml": "", "yarn.lock": ""], [:], .pnpm),
        (["package-lock.json": "{}"], ["packageManager": "pnpm@9.1.0"], .pnpm),
        ([:], ["packageManager": "yarn@4.1.0"], .yarnBerry),
        ([:], ["packageManager": "yarn@1.22.19"], .yarn),
    ] as [([String: String], [String: String], NodeProject.PackageManager)])
    func packageManager(files: [String: String], manifest: [String: String], expected: NodeProject.PackageManager) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(files.merging(["package.json": "{}"]) { a, _ in a })
        #expect(NodeProject.packageManager(DirectorySourceFiles(root: folder.url), manifest: manifest) == expected)
    }

    @Test("engines.node ranges", arguments: [
        (">=18", "v18.19.0", true), (">=20", "v18.19.0", false), ("18.x", "v18.19.0", true), ("18", "v18.0.0", true),
        ("20.x", "v18.19.0", false), ("^18.2.0", "v18.19.0", true), ("^18.20.0", "v18.19.0", false), ("^20", "v18.19.0", false),
        ("~18.19.0", "v18.19.1", true), ("~18.18", "v18.19.0", false), (">=16 <19", "v18.19.0", true), (">=16 <18", "v18.19.0", false),
        ("16 || 18", "v18.19.0", true), ("14 || 16", "v18.19.0", false), ("14 - 18", "v18.19.0", true), ("14 - 17.9", "v18.0.0", false),
        (">18", "v18.19.0", false), (">17", "v18.19.0", true), ("<=18", "v18.19.0", true), ("<18", "v18.19.0", false),
        ("*", "v18.19.0", true), ("", "v18.19.0", true), ("=18.19.0", "v18.19.0", true),
    ] as [(String, String, Bool)])
    func engines(range: String, version: String, expected: Bool) {
        #expect(NodeProject.satisfies(range, version: version) == expected, "\(range) vs \(version)")
    }

    @Test("ranges it cannot read are neither passed nor failed")
    func unreadable() {
        #expect(NodeProject.satisfies("lts/*", version: "v18.19.0") == nil)
        #expect(NodeProject.satisfies(">=18", version: "unknown") == nil)
    }
}
