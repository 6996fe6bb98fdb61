/// Apps started by a start.sh: `sh start.sh`, or `bash start.sh` when its first line asks for bash.
struct ShellProvider: BuildProvider {
    let name = "shell"
    static let script = "start.sh"

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists(Self.script)
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        let firstLine = files.read(Self.script)?.split(whereSeparator: \.isNewline).first ?? ""
        let interpreter = firstLine.hasPrefix("#!") && firstLine.contains("bash") ? "bash" : "sh"
        return BuildPlan(provider: name, start: "\(interpreter) \(Self.script)")
    }
}
