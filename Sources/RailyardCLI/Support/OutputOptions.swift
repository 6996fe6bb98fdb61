import ArgumentParser

/// The `--json` flag every read command takes.
public struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text.")
    public var json = false

    /// No JSON unless `--json` is passed.
    public init() {}
}
