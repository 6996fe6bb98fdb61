import Foundation
import Testing

@testable import RailyardCLI

@Suite("Config file location and writing")
struct ConfigFileTests {
    @Test("XDG_CONFIG_HOME wins, else ~/.config")
    func location() {
        #expect(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/railyard/config.json")
        #expect(ConfigFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/railyard/config.json")
        #expect(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]) == "/h/.config/railyard/config.json")
    }

    @Test("saving writes mode 0600 in a 0700 folder, replaces atomically, and reads back")
    func saveAndLoad() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = ConfigFile(environment: ["XDG_CONFIG_HOME": root])
        #expect(try file.load() == CLIConfig())

        let config = CLIConfig(server: "http://h:1", token: "secret", links: ["/p": FolderLink(projectId: "p", environmentId: "e")])
        try file.save(config)
        try file.save(config)
        #expect(try file.load() == config)

        let fileMode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: root + "/railyard")[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/railyard")
        #expect(leftovers == ["config.json"])
    }

    @Test("a corrupt file is an error that says what to do")
    func corrupt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-bad-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: CLIError.self) { try ConfigFile(path: path).load() }
    }
}
