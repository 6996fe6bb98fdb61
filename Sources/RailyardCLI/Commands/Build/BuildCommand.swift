import ArgumentParser
import Foundation
import RailyardBuild
import RailyardCore

/// `railyard build --plan [DIR] [--environment NAME] [--variable K=V …]`: what Railyard would do to build a folder, as
/// JSON, without building (like `railpack plan`).
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Show the build plan Railyard detects for a folder (install, build and start commands) as JSON."
    )

    @Flag(help: "Print the plan as JSON without building (the only mode for now).")
    var plan = false
    @Option(name: .customLong("variable"), help: "A service variable to plan with, KEY=VALUE, repeatable (e.g. RAILYARD_START_CMD=…).")
    var variables: [String] = []
    @Option(help: "Apply the config file's `environments.<NAME>` overrides, as a deployment to that environment would.")
    var environment: String?
    @Argument(help: "The folder to plan (default: the current one).")
    var directory: String = "."

    func run() async throws {
        guard plan else {
            throw CLIError("`railyard build` only plans for now: run `railyard build --plan [DIR]`, or `railyard up` to build and deploy")
        }
        var values: [String: String] = [:]
        for argument in variables {
            let assignment = try VariableAssignment.parse(argument)
            values[assignment.key] = assignment.value
        }
        let url = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(directory) is not a folder; pass the folder of the app to plan")
        }
        let plan = try BuildPlanner.plan(directory: url, variables: values, environment: environment)
        for warning in plan.warnings { Output.standardError("warning: \(warning)\n") }
        try Output.json(plan)
    }
}
