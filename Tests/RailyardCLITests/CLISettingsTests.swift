import Testing

@testable import RailyardCLI

@Suite("Server and token resolution")
struct CLISettingsTests {
    let config = CLIConfig(server: "http://configured:1", token: "config-token")

    @Test("the config is used when nothing overrides it")
    func fromConfig() {
        #expect(CLISettings.resolve(config: config, environment: [:]) == CLISettings(server: "http://configured:1", token: "config-token"))
    }

    @Test("RAILYARD_SERVER and RAILYARD_TOKEN override the config")
    func environmentOverrides() {
        let settings = CLISettings.resolve(
            config: config, environment: ["RAILYARD_SERVER": "http://env:2/", "RAILYARD_TOKEN": "ry_env"]
        )
        #expect(settings == CLISettings(server: "http://env:2", token: "ry_env"))
    }

    @Test("a --server flag beats everything; empty values are ignored")
    func flag() {
        let settings = CLISettings.resolve(
            config: config, environment: ["RAILYARD_SERVER": "http://env:2", "RAILYARD_TOKEN": ""], serverFlag: "flag:3"
        )
        #expect(settings == CLISettings(server: "http://flag:3", token: "config-token"))
    }

    @Test("with nothing configured the server is localhost:7070 and there is no token")
    func defaults() {
        #expect(CLISettings.resolve(config: CLIConfig(), environment: [:]) == CLISettings(server: "http://localhost:7070", token: nil))
    }
}
