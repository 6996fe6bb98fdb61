import Foundation
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Build planner")
struct BuildPlannerTests {
    static let toolchain = Toolchain(python: "/usr/bin/python3")
    static let venv = "/usr/bin/python3 -m venv .venv"
    static let bareVenv = "/usr/bin/python3 -m venv --without-pip .venv"
    static let pip = ".venv/bin/pip install -r requirements.txt"
    /// The venv as a cached install: keyed by pip's inputs, its scripts moved to each new app folder.
    static let venvCache = BuildCacheEntry(
        name: "python", directories: [".venv"], keyFiles: ["requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "pyproject.toml"],
        commands: [venv, pip], toolchain: ["/usr/bin/python3"], relocate: [".venv/bin", ".venv/pyvenv.cfg"]
    )
    /// node_modules as a cached install, keyed by package.json and the lockfiles.
    static let nodeCache = BuildCacheEntry(
        name: "node", directories: ["node_modules"],
        keyFiles: ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", ".npmrc", ".yarnrc.yml"],
        commands: [NodeProvider.install], toolchain: ["node", "npm"]
    )

    /// A fixture folder, the variables, and the plan expected for it.
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var files: [String: String]
        var variables: [String: String] = [:]
        var expected: BuildPlan
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "index.html at the root", files: ["index.html": "<h1>hi</h1>"],
             expected: BuildPlan(provider: "staticfile", staticRoot: ".")),
        Case(label: "public/index.html", files: ["public/index.html": "hi", "README.md": "x"],
             expected: BuildPlan(provider: "staticfile", staticRoot: "public")),
        Case(label: "a Staticfile with a root", files: ["Staticfile": "root: dist\n", "dist/index.html": "hi"],
             expected: BuildPlan(provider: "staticfile", staticRoot: "dist")),
        Case(label: "a static root variable", files: ["index.html": "hi", "site/index.html": "hi"], variables: ["RAILPACK_STATIC_FILE_ROOT": "./site/"],
             expected: BuildPlan(provider: "staticfile", staticRoot: "site")),
        Case(label: "python with requirements and main.py", files: ["requirements.txt": "flask\n", "main.py": "print(1)"],
             expected: BuildPlan(provider: "python", install: [venv, pip], start: "python main.py", paths: [".venv/bin"], cache: [venvCache])),
        Case(label: "python with only app.py", files: ["app.py": "print(1)"],
             expected: BuildPlan(provider: "python", install: [bareVenv], start: "python app.py", paths: [".venv/bin"])),
        Case(label: "python with pyproject.toml keeps pip", files: ["pyproject.toml": "[project]\nname = 'a'\n", "main.py": ""],
             expected: BuildPlan(provider: "python", install: [venv], start: "python main.py", paths: [".venv/bin"])),
        Case(label: "a build command using pip gets a venv with pip", files: ["main.py": ""], variables: ["RAILYARD_BUILD_CMD": "pip install -e ."],
             expected: BuildPlan(provider: "python", install: [venv], build: ["pip install -e ."], start: "python main.py", paths: [".venv/bin"])),
        Case(label: "python started by a Procfile", files: ["requirements.txt": "gunicorn", "Procfile": "# web app\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: python w.py\n"],
             expected: BuildPlan(provider: "python", install: [venv, pip], start: "gunicorn app:app --bind 0.0.0.0:$PORT", paths: [".venv/bin"], cache: [venvCache])),
        Case(label: "python before node, as Railpack", files: ["package.json": "{}", "main.py": "", "index.js": ""],
             expected: BuildPlan(provider: "python", install: [bareVenv], start: "python main.py", paths: [".venv/bin"])),
        Case(label: "node without dependencies", files: ["package.json": #"{"name":"a","scripts":{"start":"node server.js"},"dependencies":{}}"#],
             expected: BuildPlan(provider: "node", start: "npm start", paths: ["node_modules/.bin"])),
        Case(label: "node with dependencies, build and main", files: ["package.json": #"{"main":"src/server.js","scripts":{"build":"tsc"},"devDependencies":{"typescript":"5"}}"#],
             expected: BuildPlan(provider: "node", install: [NodeProvider.install], build: ["npm run build"], start: "node src/server.js", paths: ["node_modules/.bin"], cache: [nodeCache])),
        Case(label: "node falls back to index.js", files: ["package.json": #"{"name":"a"}"#, "index.js": ""],
             expected: BuildPlan(provider: "node", start: "node index.js", paths: ["node_modules/.bin"])),
        Case(label: "node before staticfile", files: ["package.json": #"{"scripts":{"start":"serve"}}"#, "index.html": "hi"],
             expected: BuildPlan(provider: "node", start: "npm start", paths: ["node_modules/.bin"])),
        Case(label: "start.sh", files: ["start.sh": "echo hi\n"],
             expected: BuildPlan(provider: "shell", start: "sh start.sh")),
        Case(label: "start.sh asking for bash", files: ["start.sh": "#!/usr/bin/env bash\necho hi\n"],
             expected: BuildPlan(provider: "shell", start: "bash start.sh")),
        Case(label: "a Procfile alone", files: ["Procfile": "web: ./server --port $PORT\n"],
             expected: BuildPlan(provider: "procfile", start: "./server --port $PORT")),
        Case(label: "a Procfile turns a static site into a process", files: ["index.html": "hi", "Procfile": "web: python3 -m http.server $PORT"],
             expected: BuildPlan(provider: "staticfile", start: "python3 -m http.server $PORT")),
        Case(label: "a replaced install drops the cache entry it no longer matches", files: ["package.json": #"{"dependencies":{"a":"1"},"scripts":{"start":"x"}}"#],
             variables: ["RAILYARD_INSTALL_CMD": "npm ci"],
             expected: BuildPlan(provider: "node", install: ["npm ci"], start: "npm start", paths: ["node_modules/.bin"])),
        Case(label: "variables replace phases", files: ["requirements.txt": "", "main.py": ""],
             variables: ["RAILYARD_INSTALL_CMD": "make deps", "RAILPACK_BUILD_CMD": "make", "RAILPACK_START_CMD": "./run", "RAILYARD_START_CMD": "  "],
             expected: BuildPlan(provider: "python", install: ["make deps"], build: ["make"], start: "./run", paths: [".venv/bin"])),
        Case(label: "python from a Pipfile.lock, without pipenv", files: ["Pipfile": "[packages]\nflask = \"*\"\n", "Pipfile.lock": #"{"default": {"flask": {"version": "==3.0.3"}}}"#, "app.py": ""],
             expected: BuildPlan(provider: "python", install: [venv, ".venv/bin/pip install flask==3.0.3"], start: "python app.py", paths: [".venv/bin"],
                                 cache: [PythonProvider.cacheEntry(commands: [venv, ".venv/bin/pip install flask==3.0.3"], toolchain: toolchain)])),
        Case(label: "python pyproject dependencies, not the app as a package", files: ["pyproject.toml": "[project]\nname = 'a'\ndependencies = ['fastapi>=0.110', 'uvicorn']\n", "main.py": "app = FastAPI()\n"],
             expected: BuildPlan(provider: "python", install: [venv, ".venv/bin/pip install 'fastapi>=0.110' uvicorn"], start: "uvicorn main:app --host 0.0.0.0 --port $PORT", paths: [".venv/bin"],
                                 cache: [PythonProvider.cacheEntry(commands: [venv, ".venv/bin/pip install 'fastapi>=0.110' uvicorn"], toolchain: toolchain)])),
        Case(label: "python poetry.lock pins the main group only", files: [
                "pyproject.toml": "[tool.poetry.dependencies]\npython = '^3.11'\nflask = '^3'\n",
                "poetry.lock": "[[package]]\nname = \"flask\"\nversion = \"3.0.3\"\ngroups = [\"main\"]\n\n[[package]]\nname = \"pytest\"\nversion = \"8.0.0\"\ngroups = [\"dev\"]\n",
                "main.py": ""],
             expected: BuildPlan(provider: "python", install: [venv, ".venv/bin/pip install flask==3.0.3"], start: "python main.py", paths: [".venv/bin"],
                                 cache: [PythonProvider.cacheEntry(commands: [venv, ".venv/bin/pip install flask==3.0.3"], toolchain: toolchain)])),
        Case(label: "flask behind gunicorn when gunicorn is a dependency", files: ["requirements.txt": "flask\ngunicorn\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"],
             expected: BuildPlan(provider: "python", install: [venv, pip], start: "gunicorn app:app --bind 0.0.0.0:$PORT", paths: [".venv/bin"],
                                 cache: [PythonProvider.cacheEntry(commands: [venv, pip], toolchain: toolchain)])),
        Case(label: "node with yarn.lock installs with yarn, frozen", files: ["package.json": #"{"scripts":{"start":"node s.js","build":"tsc"},"dependencies":{"a":"1"}}"#, "yarn.lock": ""],
             expected: BuildPlan(provider: "node", install: ["yarn install --frozen-lockfile"], build: ["yarn run build"], start: "yarn start", paths: ["node_modules/.bin"],
                                 cache: [BuildCacheEntry(name: "node", directories: ["node_modules"], keyFiles: NodeProvider.lockFiles, commands: ["yarn install --frozen-lockfile"], toolchain: ["node", "yarn"])])),
        Case(label: "node with pnpm-lock.yaml installs with pnpm", files: ["package.json": #"{"scripts":{"start":"node s.js"},"dependencies":{"a":"1"}}"#, "pnpm-lock.yaml": ""],
             expected: BuildPlan(provider: "node", install: ["pnpm install --frozen-lockfile"], start: "pnpm start", paths: ["node_modules/.bin"],
                                 cache: [BuildCacheEntry(name: "node", directories: ["node_modules"], keyFiles: NodeProvider.lockFiles, commands: ["pnpm install --frozen-lockfile"], toolchain: ["node", "pnpm"])])),
        Case(label: "node with package-lock.json uses npm ci", files: ["package.json": #"{"main":"s.js","dependencies":{"a":"1"}}"#, "package-lock.json": "{}"],
             expected: BuildPlan(provider: "node", install: ["npm ci --no-audit --no-fund --fetch-retries=0"], start: "node s.js", paths: ["node_modules/.bin"],
                                 cache: [BuildCacheEntry(name: "node", directories: ["node_modules"], keyFiles: NodeProvider.lockFiles, commands: ["npm ci --no-audit --no-fund --fetch-retries=0"], toolchain: ["node", "npm"])])),
        Case(label: "a configured start command alone", files: ["railway.json": #"{"deploy":{"startCommand":"./serve"}}"#],
             expected: BuildPlan(provider: "custom", start: "./serve", config: ServiceConfig(deploy: .init(startCommand: "./serve")), configFile: "railway.json")),
    ]

    @Test("detection and plans", arguments: cases)
    func plans(_ testCase: Case) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(testCase.files)
        let plan = try BuildPlanner.plan(files: DirectorySourceFiles(root: folder.url), variables: testCase.variables, toolchain: Self.toolchain)
        #expect(plan == testCase.expected)
    }

    @Test("config as code overrides the Procfile and variables", arguments: [
        ("railway.json", #"{"$schema":"https://railway.com/railway.schema.json","build":{"buildCommand":"npm run compile"},"deploy":{"startCommand":"node dist/main.js","numReplicas":2}}"#),
        ("railway.toml", "[build]\nbuildCommand = \"npm run compile\"\n\n[deploy]\nstartCommand = \"node dist/main.js\"\nnumReplicas = 2\n"),
        ("railyard.toml", "build.buildCommand = 'npm run compile'\ndeploy = { startCommand = 'node dist/main.js', numReplicas = 2 }\n"),
    ])
    func configOverrides(file: String, contents: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(["package.json": #"{"scripts":{"start":"x","build":"y"}}"#, "Procfile": "web: z", file: contents])
        let plan = try BuildPlanner.plan(files: DirectorySourceFiles(root: folder.url), variables: ["RAILYARD_START_CMD": "w"], toolchain: Self.toolchain)
        #expect(plan.build == ["npm run compile"])
        #expect(plan.start == "node dist/main.js")
        #expect(plan.config.deploy.numReplicas == 2)
        #expect(plan.configFile == file)
    }

    @Test("API settings come under config as code, key by key, and over variables and detection")
    func settingsUnderCode() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(["main.py": "", "railway.json": #"{"deploy":{"startCommand":"python main.py --from-code"}}"#])
        let files = DirectorySourceFiles(root: folder.url)
        let settings = ServiceConfig(
            build: .init(buildCommand: "make assets"),
            deploy: .init(startCommand: "python main.py --from-settings", healthcheckPath: "/ready", numReplicas: 3)
        )
        let plan = try BuildPlanner.plan(
            files: files, variables: ["RAILYARD_BUILD_CMD": "make other"], toolchain: Self.toolchain, settings: settings
        )
        #expect(plan.start == "python main.py --from-code", "code wins over settings")
        #expect(plan.build == ["make assets"], "settings win over variables")
        #expect(plan.config.deploy.healthcheckPath == "/ready")
        #expect(plan.config.deploy.numReplicas == 3)

        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("railway.json"))
        let withoutCode = try BuildPlanner.plan(files: files, variables: [:], toolchain: Self.toolchain, settings: settings)
        #expect(withoutCode.start == "python main.py --from-settings")
    }

    @Test("an engines.node the server's Node does not meet is a warning, a met one is not")
    func nodeEngines() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(["package.json": #"{"engines":{"node":">=22"},"scripts":{"start":"node s.js"}}"#])
        let files = DirectorySourceFiles(root: folder.url)
        let old = Toolchain(python: "/usr/bin/python3", nodeVersion: "v18.19.0")
        let plan = try BuildPlanner.plan(files: files, variables: [:], toolchain: old)
        #expect(plan.warnings == ["package.json asks for Node >=22 (engines.node) but this server has Node v18.19.0; the build goes on with it"])
        let new = Toolchain(python: "/usr/bin/python3", nodeVersion: "v22.3.0")
        #expect(try BuildPlanner.plan(files: files, variables: [:], toolchain: new).warnings.isEmpty)
    }

    @Test("folders that say nothing about how to run are rejected with what to add", arguments: [
        ("an empty folder", ["README.md": "hi"], "no start command: nothing in the folder"),
        ("python without an entry point", ["requirements.txt": "flask"], "no start command for this Python app"),
        ("node without start or main", ["package.json": #"{"scripts":{"build":"x"}}"#], "no start command for this Node app"),
        ("only a Dockerfile", ["Dockerfile": "FROM scratch"], "this app has a Dockerfile, but Dockerfile builds need the container driver"),
        ("a Procfile without web", ["Procfile": "worker: python w.py"], "add a Procfile with `web: <command>`"),
        ("a malformed package.json", ["package.json": "{nope"], "package.json is not a valid JSON object"),
        ("the Dockerfile builder", ["index.html": "", "railway.json": #"{"build":{"builder":"DOCKERFILE"}}"#], "railway.json sets `build.builder` to DOCKERFILE, but Dockerfile builds need the container driver"),
        ("a static root outside", ["Staticfile": "root: ../../etc"], "must be a folder inside the app"),
    ])
    func rejects(label: String, files: [String: String], message: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(files)
        let error = #expect(throws: RailyardError.self) {
            try BuildPlanner.plan(files: DirectorySourceFiles(root: folder.url), variables: [:], toolchain: Self.toolchain)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("the machine's python is the system interpreter, not a shim")
    func systemPython() {
        let toolchain = Toolchain.detect()
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
            #expect(toolchain.python == "/usr/bin/python3")
        }
    }
}
