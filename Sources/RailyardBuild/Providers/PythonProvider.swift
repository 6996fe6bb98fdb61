/// Python apps (requirements.txt, pyproject.toml, Pipfile, main.py or app.py): a virtual environment
/// made with the system interpreter and the declared packages installed into it with pip; started
/// the way a detected framework expects (gunicorn for Flask and Django, uvicorn for FastAPI, when
/// the app depends on them), else `python main.py` or `python app.py`. When nothing needs pip the
/// venv is made `--without-pip`: 0.1 s instead of 6 s.
struct PythonProvider: BuildProvider {
    let name = "python"
    static let markers = ["requirements.txt", "pyproject.toml", "Pipfile", "main.py", "app.py"]
    static let entryPoints = ["main.py", "app.py"]
    /// Files that pin what pip installs: a change to any of them invalidates the cached venv.
    static let lockFiles = ["requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "pyproject.toml"]

    func detect(_ files: some SourceFiles, variables: [String: String]) -> Bool {
        Self.markers.contains { files.exists($0) }
    }

    func plan(_ files: some SourceFiles, variables: [String: String], toolchain: Toolchain) throws -> BuildPlan {
        var packages: [String] = []
        if files.exists("requirements.txt") {
            packages = ["-r", "requirements.txt"]
        } else if let pipfile = try PythonProject.pipfileRequirements(files) {
            packages = pipfile
        } else if let pyproject = PythonProject.pyprojectRequirements(files) {
            packages = pyproject
        }
        var install = [Self.venv(toolchain, withPip: !packages.isEmpty || files.exists("pyproject.toml"))]
        var cache: [BuildCacheEntry] = []
        if !packages.isEmpty {
            install.append(".venv/bin/pip install " + packages.map(ShellQuote.quote).joined(separator: " "))
            cache.append(Self.cacheEntry(commands: install, toolchain: toolchain))
        }
        let start = PythonProject.frameworkStart(files, dependencies: PythonProject.dependencies(files))
            ?? Self.entryPoints.first { files.exists($0) }.map { "python \($0)" }
        return BuildPlan(provider: name, install: install, start: start, paths: [".venv/bin"], cache: cache)
    }

    /// The venv as a cached install: its scripts name the app folder, so they move with it.
    static func cacheEntry(commands: [String], toolchain: Toolchain) -> BuildCacheEntry {
        BuildCacheEntry(
            name: "python", directories: [".venv"], keyFiles: lockFiles, commands: commands,
            toolchain: [toolchain.python], relocate: [".venv/bin", ".venv/pyvenv.cfg"]
        )
    }

    static func venv(_ toolchain: Toolchain, withPip: Bool) -> String {
        "\(ShellQuote.quote(toolchain.python)) -m venv \(withPip ? "" : "--without-pip ").venv"
    }

    /// Gives the venv pip back when a build command (set after the provider planned) uses it.
    static func restorePip(in plan: inout BuildPlan, toolchain: Toolchain) {
        let bare = venv(toolchain, withPip: false)
        guard plan.build.contains(where: { $0.contains("pip") }), let index = plan.install.firstIndex(of: bare) else { return }
        plan.install[index] = venv(toolchain, withPip: true)
    }
}
