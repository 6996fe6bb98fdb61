import Foundation

/// The `railyard` executable under test: `$RAILYARD_BIN`, else `<package root>/.build/debug/railyard`.
enum RailyardBinary {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "the railyard binary is missing at \(path); build it first (`swift build`) or set RAILYARD_BIN to its path"
        }
    }

    static func path() throws -> String {
        let path: String
        if let fromEnvironment = ProcessInfo.processInfo.environment["RAILYARD_BIN"], !fromEnvironment.isEmpty {
            path = fromEnvironment
        } else {
            // #filePath is <root>/Tests/RailyardEndToEndTests/Support/RailyardBinary.swift
            let root = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            path = root.appendingPathComponent(".build/debug/railyard").path
        }
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
