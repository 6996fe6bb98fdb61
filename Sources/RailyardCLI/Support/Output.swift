import Foundation
import RailyardClient
import RailyardCore

/// Writes command output: human text or JSON to stdout, diagnostics to stderr.
public enum Output {
    /// Prints a line to stdout, flushed at once so a program reading the pipe sees it now.
    public static func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Writes text to stdout as it is (no newline added) and flushes it: for streamed logs.
    public static func write(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    /// A line of progress: on stdout normally, on stderr when stdout carries JSON.
    public static func progress(_ text: String, json: Bool) {
        if json { standardError(text + "\n") } else { line(text) }
    }

    /// Prints a value as pretty JSON (sorted keys, ISO-8601 dates) to stdout.
    public static func json<Value: Encodable>(_ value: Value) throws {
        let data = try RailyardJSON.encoder(pretty: true).encode(value)
        line(String(decoding: data, as: UTF8.self))
    }

    /// Writes text to stderr without a newline being added.
    public static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The one line an error is reported with: `error: <message>`, newlines folded into spaces.
    public static func errorLine(for error: any Error) -> String? {
        let message: String
        switch error {
        case let error as RailyardClientError: message = error.description
        case let error as RailyardCore.RailyardError: message = error.description
        case let error as CLIError: message = error.message
        default: return nil
        }
        return "error: " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
