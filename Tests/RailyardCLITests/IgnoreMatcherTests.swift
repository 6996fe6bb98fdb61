import Testing

@testable import RailyardCLI
import RailyardCore

@Suite("Ignore patterns (.gitignore semantics)")
struct IgnoreMatcherTests {
    /// One row: the lines of a root `.gitignore`, a path, whether it is a folder, and whether it is ignored.
    struct Case: CustomTestStringConvertible, Sendable {
        var patterns: [String]
        var path: String
        var directory = false
        var ignored: Bool
        var testDescription: String { "\(patterns) vs \(path)\(directory ? "/" : "") → \(ignored ? "ignored" : "kept")" }
    }

    static let cases: [Case] = [
        // Plain names match at any depth.
        Case(patterns: ["*.log"], path: "debug.log", ignored: true),
        Case(patterns: ["*.log"], path: "logs/deep/debug.log", ignored: true),
        Case(patterns: ["*.log"], path: "debug.logs", ignored: false),
        Case(patterns: ["node_modules"], path: "a/node_modules", directory: true, ignored: true),
        Case(patterns: ["node_modules"], path: "a/node_modules/x/index.js", ignored: true),
        // `*` and `?` stop at slashes; `*` matches dotfiles.
        Case(patterns: ["*"], path: ".env", ignored: true),
        Case(patterns: ["a/*.txt"], path: "a/b/c.txt", ignored: false),
        Case(patterns: ["a/*.txt"], path: "a/c.txt", ignored: true),
        Case(patterns: ["fil?.txt"], path: "file.txt", ignored: true),
        Case(patterns: ["fil?.txt"], path: "fil.txt", ignored: false),
        // Comments, blank lines, escapes and trailing spaces.
        Case(patterns: ["# comment", "", "   "], path: "# comment", ignored: false),
        Case(patterns: ["\\#notes"], path: "#notes", ignored: true),
        Case(patterns: ["\\!important"], path: "!important", ignored: true),
        Case(patterns: ["secret.txt   "], path: "secret.txt", ignored: true),
        Case(patterns: ["space\\ "], path: "space ", ignored: true),
        Case(patterns: ["crlf.txt\r"], path: "crlf.txt", ignored: true),
        // Negation: the last matching line wins.
        Case(patterns: ["*.log", "!keep.log"], path: "keep.log", ignored: false),
        Case(patterns: ["*.log", "!keep.log"], path: "drop.log", ignored: true),
        Case(patterns: ["!keep.log", "*.log"], path: "keep.log", ignored: true),
        // Nothing inside an ignored folder can be re-included.
        Case(patterns: ["build/", "!build/keep.txt"], path: "build/keep.txt", ignored: true),
        Case(patterns: ["build/*", "!build/keep.txt"], path: "build/keep.txt", ignored: false),
        Case(patterns: ["build/*", "!build/keep.txt"], path: "build/other.txt", ignored: true),
        // A trailing slash matches folders only.
        Case(patterns: ["cache/"], path: "cache", directory: true, ignored: true),
        Case(patterns: ["cache/"], path: "cache", directory: false, ignored: false),
        Case(patterns: ["cache/"], path: "src/cache", directory: true, ignored: true),
        // A leading or middle slash anchors to the ignore file's folder.
        Case(patterns: ["/todo.txt"], path: "todo.txt", ignored: true),
        Case(patterns: ["/todo.txt"], path: "sub/todo.txt", ignored: false),
        Case(patterns: ["doc/frotz"], path: "doc/frotz", directory: true, ignored: true),
        Case(patterns: ["doc/frotz"], path: "a/doc/frotz", directory: true, ignored: false),
        // `**`.
        Case(patterns: ["**/foo"], path: "foo", ignored: true),
        Case(patterns: ["**/foo"], path: "a/b/foo", ignored: true),
        Case(patterns: ["**/foo/bar"], path: "x/foo/bar", ignored: true),
        Case(patterns: ["abc/**"], path: "abc/x/y", ignored: true),
        Case(patterns: ["abc/**"], path: "abc", directory: true, ignored: false),
        Case(patterns: ["a/**/b"], path: "a/b", ignored: true),
        Case(patterns: ["a/**/b"], path: "a/x/y/b", ignored: true),
        Case(patterns: ["a/**/b"], path: "a/x/c", ignored: false),
        Case(patterns: ["a**z"], path: "abcz", ignored: true),
        // Character classes.
        Case(patterns: ["*.[oa]"], path: "lib.a", ignored: true),
        Case(patterns: ["*.[oa]"], path: "lib.c", ignored: false),
        Case(patterns: ["file[0-9].txt"], path: "file7.txt", ignored: true),
        Case(patterns: ["file[!0-9].txt"], path: "file7.txt", ignored: false),
        Case(patterns: ["file[^0-9].txt"], path: "filex.txt", ignored: true),
        Case(patterns: ["[[:upper:]]*"], path: "Makefile", ignored: true),
        Case(patterns: ["[[:upper:]]*"], path: "makefile", ignored: false),
        Case(patterns: ["[]]x"], path: "]x", ignored: true),
        Case(patterns: ["[unclosed"], path: "[unclosed", ignored: true),
        // Case matters, as on Linux.
        Case(patterns: ["README"], path: "readme", ignored: false),
    ]

    @Test("a root .gitignore", arguments: cases)
    func table(_ row: Case) {
        var matcher = IgnoreMatcher()
        matcher.add(row.patterns.joined(separator: "\n"), kind: .gitignore, directory: "")
        #expect(matcher.isIgnored(row.path, isDirectory: row.directory) == row.ignored)
    }

    @Test("a nested .gitignore speaks relative to its folder and overrides the root's")
    func nested() {
        var matcher = IgnoreMatcher()
        matcher.add("*.tmp\n/dist\n", kind: .gitignore, directory: "")
        matcher.add("!keep.tmp\n/local\n", kind: .gitignore, directory: "app")
        #expect(matcher.isIgnored("app/x.tmp", isDirectory: false))
        #expect(!matcher.isIgnored("app/keep.tmp", isDirectory: false))
        #expect(matcher.isIgnored("keep.tmp", isDirectory: false), "the nested negation does not reach above its folder")
        #expect(matcher.isIgnored("app/local", isDirectory: true))
        #expect(!matcher.isIgnored("local", isDirectory: true), "anchored to app/")
        #expect(!matcher.isIgnored("app/dist", isDirectory: true), "the root's /dist is anchored to the root")
        #expect(matcher.isIgnored("dist", isDirectory: true))
    }

    @Test(".railyardignore applies after .gitignore: it can ignore more and re-include")
    func railyardignoreWins() {
        var matcher = IgnoreMatcher()
        matcher.add("dist/\n*.env\n", kind: .gitignore, directory: "")
        matcher.add("!dist/\ndocs/\n", kind: .railyardignore, directory: "")
        #expect(!matcher.isIgnored("dist/app.js", isDirectory: false))
        #expect(matcher.isIgnored("docs/guide.md", isDirectory: false))
        #expect(matcher.isIgnored("prod.env", isDirectory: false))
        matcher.add("!*.env\n", kind: .railyardignore, directory: "config")
        #expect(!matcher.isIgnored("config/prod.env", isDirectory: false))
    }

    @Test("blank lines, comments and bare slashes compile to nothing")
    func nothing() {
        #expect(IgnorePattern("") == nil)
        #expect(IgnorePattern("   ") == nil)
        #expect(IgnorePattern("# note") == nil)
        #expect(IgnorePattern("/") == nil)
        #expect(IgnorePattern("!") == nil)
        let negated = IgnorePattern("!/build/")
        #expect(negated?.negated == true && negated?.anchored == true && negated?.directoryOnly == true)
    }
}
