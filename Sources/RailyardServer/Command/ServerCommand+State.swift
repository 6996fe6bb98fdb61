import Foundation
import RailyardCore
import RailyardStore

/// Where the server's state is, as the server and its `backup` and `restore` subcommands read it
/// from the same flags.
extension ServerCommand {
    /// The sentence to print for an error: a Railyard error's message, else its description.
    static func sentence(for error: any Error) -> String {
        (error as? RailyardError)?.message ?? String(describing: error)
    }

    /// The data dir these flags and `environment` name: `--data`, else `$RAILYARD_DATA`, else `./.railyard`.
    func dataDirectory(environment: [String: String]) -> URL {
        data.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
            ?? ServerConfiguration.defaultDataDirectory(environment: environment)
    }

    /// The data dir and store these flags and `environment` name, as `backup` and `restore` use them.
    func stateLocation(environment: [String: String]) throws -> (dataDirectory: URL, store: StoreLocation) {
        let dataDirectory = dataDirectory(environment: environment)
        return (dataDirectory, try StoreLocation.resolve(databaseURL: databaseURL(environment: environment), dataDirectory: dataDirectory))
    }

    /// `--database-url`, else `$RAILYARD_DATABASE_URL`; nil for SQLite in the data dir.
    func databaseURL(environment: [String: String]) -> String? {
        [databaseURL, environment["RAILYARD_DATABASE_URL"]].lazy.compactMap { $0 }.first { !$0.isEmpty }
    }
}
