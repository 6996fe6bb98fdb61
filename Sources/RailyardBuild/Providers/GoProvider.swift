/// Go apps (go.mod): modules downloaded when go.sum pins any, `go build -o out .`, `./out`.
struct GoProvider: BuildProvider {
    let name = "go"

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        files.exists("go.mod")
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        try toolchain.require("go", language: "Go", remedy: "install golang-go")
        return BuildPlan(
            provider: name,
            install: files.exists("go.sum") ? ["go mod download"] : [],
            build: ["go build -o out ."],
            start: "./out"
        )
    }
}
