import RailyardCore

/// Which service a deploy-path command acts on, decided from `--service`, the folder's link and
/// the project's services, without any I/O.
public enum ServiceChoice: Sendable, Equatable {
    /// Use this existing service.
    case existing(Service)
    /// The project has no service: `railyard up` creates one with this name and links it.
    case create(name: String)

    /// The choice: `--service` first, else the linked service, else the only one; with none, a
    /// service named after the folder; with several, an error asking for `--service`.
    public static func decide(
        flag: String?, linkedServiceId: String?, services: [Service], folder: String
    ) throws -> ServiceChoice {
        if let flag {
            return .existing(try NamedLookup.find(flag, in: services, kind: "service", id: \.id, name: \.name))
        }
        if let linkedServiceId {
            guard let linked = services.first(where: { $0.id == linkedServiceId }) else {
                throw CLIError(
                    "the service linked to this folder no longer exists; pass --service NAME or run `railyard service use NAME`"
                )
            }
            return .existing(linked)
        }
        switch services.count {
        case 0: return .create(name: ServiceName.fromFolder(folder))
        case 1: return .existing(services[0])
        default:
            let names = services.map(\.name).sorted().joined(separator: ", ")
            throw CLIError("several services: pass --service NAME (one of \(names)) or link one with `railyard service use NAME`")
        }
    }
}
