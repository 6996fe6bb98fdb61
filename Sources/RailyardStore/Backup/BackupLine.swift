import Foundation

/// A value in a backed-up row: JSON text, number or null.
enum BackupValue: Codable, Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .null: try container.encodeNil()
        }
    }
}

/// A file of the data dir kept in a backup.
struct BackupFileEntry: Codable, Sendable, Equatable {
    /// Relative to the data dir, e.g. `tls/ca/ca.pem`.
    var path: String
    /// Permission bits (a private key stays 0600).
    var mode: Int
    /// The contents, base64.
    var data: String
}

/// One line of the file; exactly one of its parts is set.
struct BackupLine: Codable, Sendable {
    /// The last line: what the file should have held.
    struct End: Codable, Sendable {
        var rows: Int
        var files: Int
    }

    var manifest: BackupManifest?
    var secret: String?
    var file: BackupFileEntry?
    var table: String?
    var row: [BackupValue]?
    var end: End?
}
