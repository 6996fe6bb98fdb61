import RailyardCore
import Testing

@Suite("Watch patterns")
struct WatchPatternsTests {
    /// One row: patterns, changed files, whether the push deploys.
    struct Case: CustomTestStringConvertible, Sendable {
        var patterns: [String]
        var changed: [String]
        var deploys: Bool
        var testDescription: String { "\(patterns) with \(changed) → \(deploys)" }
    }

    @Test("a push deploys when a changed file matches, gitignore-style", arguments: [
        Case(patterns: [], changed: ["README.md"], deploys: true),
        Case(patterns: ["src/**"], changed: ["src/app.py"], deploys: true),
        Case(patterns: ["src/**"], changed: ["src/deep/er/app.py"], deploys: true),
        Case(patterns: ["src/**"], changed: ["docs/index.md", "README.md"], deploys: false),
        Case(patterns: ["/src/**"], changed: ["src/app.py"], deploys: true),
        Case(patterns: ["**/*.py"], changed: ["a/b/c.py"], deploys: true),
        Case(patterns: ["*.py"], changed: ["a/b/c.py"], deploys: true),
        Case(patterns: ["*.py"], changed: ["a/b/c.pyc"], deploys: false),
        Case(patterns: ["backend/"], changed: ["backend/main.go"], deploys: true),
        Case(patterns: ["backend"], changed: ["backend/main.go"], deploys: true),
        Case(patterns: ["src/**", "!src/**/*.md"], changed: ["src/notes.md"], deploys: false),
        Case(patterns: ["src/**", "!src/**/*.md"], changed: ["src/notes.md", "src/app.py"], deploys: true),
        Case(patterns: ["app.py"], changed: ["lib/app.py"], deploys: true),
        Case(patterns: ["/app.py"], changed: ["lib/app.py"], deploys: false),
        Case(patterns: ["# comment", ""], changed: ["x"], deploys: true),
    ])
    func triggers(row: Case) {
        #expect(WatchPatterns(row.patterns).triggers(changedPaths: row.changed) == row.deploys)
    }
}
