import Foundation
import RailyardCore
import TOMLKit

/// What a Python app's manifests say: the dependencies it declares (requirements.txt,
/// pyproject.toml, Pipfile), what pip must install for a Pipfile, and the web framework it is
/// written for, so the provider can start it the way that framework expects. Pure: reads files only.
enum PythonProject {
    /// A package name as PyPI compares them (PEP 503): lowercase, runs of `-`, `_`, `.` as one `-`.
    static func normalize(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if "-_.".contains(character) {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }

    /// The name at the start of a requirement line (`Flask[async]>=3; python_version>"3.8"` →
    /// `flask`), or nil for comments, blank lines and pip options (`-r`, `-e`, `--index-url`).
    static func requirementName(_ line: Substring) -> String? {
        let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
            .trimmingCharacters(in: .whitespaces) ?? ""
        guard let first = text.first, first.isLetter || first.isNumber else { return nil }
        let name = text.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        return name.isEmpty ? nil : normalize(String(name))
    }

    /// Every dependency the manifests declare, normalized.
    static func dependencies(_ files: some SourceFiles) -> Set<String> {
        var names: Set<String> = []
        if let text = files.read("requirements.txt") {
            for line in text.split(whereSeparator: \.isNewline) {
                if let name = requirementName(line) { names.insert(name) }
            }
        }
        if let table = toml(files, "pyproject.toml") {
            for requirement in table["project"]?["dependencies"]?.array ?? [] {
                if let line = requirement.string, let name = requirementName(Substring(line)) { names.insert(name) }
            }
            for key in table["tool"]?["poetry"]?["dependencies"]?.table?.keys ?? [] where key.lowercased() != "python" {
                names.insert(normalize(key))
            }
        }
        if let table = toml(files, "Pipfile") {
            for key in table["packages"]?.table?.keys ?? [] { names.insert(normalize(key)) }
        }
        return names
    }

    /// The pip arguments that install a Pipfile app's packages: pinned from Pipfile.lock's `default`
    /// section when there is one, else from the Pipfile's `[packages]` specifiers. Nil without a
    /// Pipfile. (Railyard does not need pipenv: pip installs the same packages into the venv.)
    static func pipfileRequirements(_ files: some SourceFiles) throws -> [String]? {
        guard files.exists("Pipfile") else { return nil }
        if let text = files.read("Pipfile.lock") {
            guard let lock = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw RailyardError(.invalidInput, "Pipfile.lock is not valid JSON; run `pipenv lock` again", field: "Pipfile.lock")
            }
            let packages = lock["default"] as? [String: Any] ?? [:]
            return packages.keys.sorted().map { name in
                let version = (packages[name] as? [String: Any])?["version"] as? String ?? ""
                return name + version
            }
        }
        guard let table = toml(files, "Pipfile") else {
            throw RailyardError(.invalidInput, "Pipfile is not valid TOML; fix its syntax (try `pipenv check`)", field: "Pipfile")
        }
        let packages = table["packages"]?.table
        return (packages?.keys.sorted() ?? []).map { name in
            let value = packages?[name]
            let specifier = value?.string ?? value?["version"]?.string ?? "*"
            return specifier == "*" ? name : name + specifier
        }
    }

    /// What pip installs for a pyproject.toml app without requirements.txt: its PEP 621
    /// `[project].dependencies` as written, else the main packages poetry.lock pins, else the names
    /// of `[tool.poetry.dependencies]`. The app itself is not installed as a package (most apps are
    /// not laid out as one). Nil without a readable pyproject.toml.
    static func pyprojectRequirements(_ files: some SourceFiles) -> [String]? {
        guard let table = toml(files, "pyproject.toml") else { return nil }
        if let dependencies = table["project"]?["dependencies"]?.array {
            return dependencies.compactMap { $0.string }
        }
        if let packages = toml(files, "poetry.lock")?["package"]?.array {
            return packages.compactMap { package in
                guard let name = package["name"]?.string, let version = package["version"]?.string else { return nil }
                if let groups = package["groups"]?.array?.compactMap({ $0.string }), !groups.contains("main") { return nil }
                if let category = package["category"]?.string, category != "main" { return nil }
                return "\(name)==\(version)"
            }
        }
        if let poetry = table["tool"]?["poetry"]?["dependencies"]?.table {
            return poetry.keys.filter { $0.lowercased() != "python" }.sorted()
        }
        return nil
    }

    /// The start command of a recognised web framework, when the app depends on the server that
    /// runs it: gunicorn for Django (its `*/wsgi.py`) and Flask (the module that makes `Flask(…)`),
    /// uvicorn for FastAPI. Nil when nothing matches; the provider then runs main.py / app.py.
    static func frameworkStart(_ files: some SourceFiles, dependencies: Set<String>) -> String? {
        if dependencies.contains("django"), dependencies.contains("gunicorn"), files.exists("manage.py"),
            let project = files.list("").first(where: { files.exists("\($0)/wsgi.py") && files.exists("\($0)/settings.py") })
        {
            return "gunicorn \(ShellQuote.quote(project)).wsgi --bind 0.0.0.0:$PORT"
        }
        if dependencies.contains("flask"), dependencies.contains("gunicorn"),
            let (module, variable) = application(files, constructor: "Flask")
        {
            return "gunicorn \(ShellQuote.quote("\(module):\(variable)")) --bind 0.0.0.0:$PORT"
        }
        if dependencies.contains("fastapi"), dependencies.contains("uvicorn"),
            let (module, variable) = application(files, constructor: "FastAPI")
        {
            return "uvicorn \(ShellQuote.quote("\(module):\(variable)")) --host 0.0.0.0 --port $PORT"
        }
        return nil
    }

    /// The files looked in for a framework's application object, in order.
    static let applicationFiles = ["app.py", "main.py", "wsgi.py", "server.py", "application.py"]

    /// The module and variable of the first `NAME = Constructor(` in the usual entry files.
    static func application(_ files: some SourceFiles, constructor: String) -> (String, String)? {
        for file in applicationFiles {
            guard let text = files.read(file) else { continue }
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.drop { $0 == " " }
                guard trimmed.count == line.count else { continue }  // module level only
                let parts = trimmed.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                let isIdentifier = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(name.first?.isNumber ?? true)
                if isIdentifier, value.hasPrefix("\(constructor)(") {
                    return (String(file.dropLast(3)), name)
                }
            }
        }
        return nil
    }

    private static func toml(_ files: some SourceFiles, _ path: String) -> TOMLTable? {
        files.read(path).flatMap { try? TOMLTable(string: $0) }
    }
}
