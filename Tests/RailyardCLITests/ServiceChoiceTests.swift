import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("Which service a deploy command acts on")
struct ServiceChoiceTests {
    static func service(_ name: String, id: String? = nil) -> Service {
        let now = Date(timeIntervalSince1970: 0)
        return Service(id: id ?? "svc_\(name)", projectId: "p", name: name, source: .upload, createdAt: now, updatedAt: now)
    }

    @Test("service names made from folder names", arguments: [
        ("/home/me/My App", "my-app"),
        ("/srv/shop_api.v2", "shop-api-v2"),
        ("/x/--Weird__Name--", "weird-name"),
        ("/x/Café Crème", "cafe-creme"),
        ("/x/日本", "app"),
        ("/", "app"),
        ("/x/" + String(repeating: "a", count: 62) + "-b", String(repeating: "a", count: 62)),
        ("/x/web/", "web"),
    ])
    func fromFolder(_ path: String, _ expected: String) throws {
        let name = ServiceName.fromFolder(path)
        #expect(name == expected)
        try Validation.dnsLabel(name, field: "name")
    }

    @Test("--service first, then the link, then the only service")
    func precedence() throws {
        let web = Self.service("web")
        let api = Self.service("api")
        #expect(try ServiceChoice.decide(flag: "api", linkedServiceId: web.id, services: [web, api], folder: "/f") == .existing(api))
        #expect(try ServiceChoice.decide(flag: nil, linkedServiceId: web.id, services: [web, api], folder: "/f") == .existing(web))
        #expect(try ServiceChoice.decide(flag: nil, linkedServiceId: nil, services: [api], folder: "/f") == .existing(api))
    }

    @Test("an empty project gets a service named after the folder")
    func create() throws {
        #expect(try ServiceChoice.decide(flag: nil, linkedServiceId: nil, services: [], folder: "/src/Hello World") == .create(name: "hello-world"))
    }

    @Test("several services without --service, a gone link, or an unknown name are errors that say what to do")
    func errors() {
        let services = [Self.service("web"), Self.service("api")]
        let several = #expect(throws: CLIError.self) {
            try ServiceChoice.decide(flag: nil, linkedServiceId: nil, services: services, folder: "/f")
        }
        #expect(several?.message.hasPrefix("several services: pass --service NAME (one of api, web)") == true)
        let gone = #expect(throws: CLIError.self) {
            try ServiceChoice.decide(flag: nil, linkedServiceId: "svc_gone", services: services, folder: "/f")
        }
        #expect(gone?.message.contains("railyard service use NAME") == true)
        let unknown = #expect(throws: CLIError.self) {
            try ServiceChoice.decide(flag: "db", linkedServiceId: nil, services: services, folder: "/f")
        }
        #expect(unknown?.message == "no service named 'db' (known: api, web)")
    }
}
