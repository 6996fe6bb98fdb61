import Foundation

/// Asks the person at the terminal for a value; refuses when stdin is not a terminal, so scripts
/// get an error that names the flag to pass instead of hanging.
enum Prompt {
    /// Reads one line; with `secret`, the typed characters are not echoed.
    static func ask(_ label: String, secret: Bool = false, flag: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError("\(flag) is required when not running in a terminal")
        }
        Output.standardError(label)
        var saved = termios()
        let hideInput = secret && tcgetattr(STDIN_FILENO, &saved) == 0
        if hideInput {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if hideInput {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                Output.standardError("\n")
            }
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("no value given for \(flag)")
        }
        return line
    }
}
