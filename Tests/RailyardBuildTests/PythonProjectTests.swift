import Foundation
import RailyardCore
import Testing

@testable import RailyardBuild

@Suite("Python manifests: dependencies, Pipfile requirements, framework start commands")
struct PythonProjectTests {
    static func files(_ contents: [String: String]) throws -> (TemporaryDirectory, DirectorySourceFiles) {
        let folder = try TemporaryDirectory()
        try folder.write(contents)
        return (folder, DirectorySourceFiles(root: folder.url))
    }

    @Test("dependencies from requirements.txt, pyproject.toml (PEP 621 and Poetry) and Pipfile, normalized")
    func dependencies() throws {
        let (folder, files) = try Self.files([
            "requirements.txt": """
                # web
                Flask[async]>=3.0 ; python_version > "3.8"
                gunicorn==22.0.0  # server
                -r other.txt
                --index-url https://pypi.org/simple
                -e ./local
                zope.interface

                """,
            "pyproject.toml": """
                [project]
                name = "app"
                dependencies = ["FastAPI>=0.110", "uvicorn[standard]"]

                [tool.poetry.dependencies]
                python = "^3.11"
                Django_Extensions = "*"
                """,
            "Pipfile": "[packages]\nrequests = \"*\"\n\n[dev-packages]\npytest = \"*\"\n",
        ])
        defer { folder.remove() }
        #expect(PythonProject.dependencies(files) == [
            "flask", "gunicorn", "zope-interface", "fastapi", "uvicorn", "django-extensions", "requests",
        ])
    }

    @Test("a Pipfile installs pinned versions from Pipfile.lock, else its specifiers")
    func pipfile() throws {
        let (locked, lockedFiles) = try Self.files([
            "Pipfile": "[packages]\nflask = \"*\"\n",
            "Pipfile.lock": #"{"_meta": {}, "default": {"flask": {"version": "==3.0.3"}, "click": {"version": "==8.1.7"}, "mylib": {"git": "https://x"}}, "develop": {"pytest": {"version": "==8.0.0"}}}"#,
        ])
        defer { locked.remove() }
        #expect(try PythonProject.pipfileRequirements(lockedFiles) == ["click==8.1.7", "flask==3.0.3", "mylib"])

        let (loose, looseFiles) = try Self.files(["Pipfile": "[packages]\nflask = \"*\"\nrequests = \">=2.31\"\ngunicorn = {version = \"==22.0.0\"}\n"])
        defer { loose.remove() }
        #expect(try PythonProject.pipfileRequirements(looseFiles) == ["flask", "gunicorn==22.0.0", "requests>=2.31"])

        let (none, noneFiles) = try Self.files(["requirements.txt": "flask\n"])
        defer { none.remove() }
        #expect(try PythonProject.pipfileRequirements(noneFiles) == nil)

        let (broken, brokenFiles) = try Self.files(["Pipfile": "[packages", "main.py": ""])
        defer { broken.remove() }
        let error = #expect(throws: RailyardError.self) { try PythonProject.pipfileRequirements(brokenFiles) }
        #expect(error?.message.contains("Pipfile is not valid TOML") == true)
    }

    @Test("framework start commands", arguments: [
        ("Flask with gunicorn", ["app.py": "from flask import Flask\napplication = Flask(__name__)\n"], ["flask", "gunicorn"],
         "gunicorn app:application --bind 0.0.0.0:$PORT"),
        ("Flask without gunicorn runs the file", ["app.py": "app = Flask(__name__)\n"], ["flask"], nil),
        ("Flask made inside a function is not guessed", ["main.py": "def create():\n    app = Flask(__name__)\n"], ["flask", "gunicorn"], nil),
        ("FastAPI with uvicorn", ["main.py": "import fastapi\napi = FastAPI()\n"], ["fastapi", "uvicorn"],
         "uvicorn main:api --host 0.0.0.0 --port $PORT"),
        ("Django with gunicorn", ["manage.py": "", "shop/settings.py": "", "shop/wsgi.py": "", "shop/__init__.py": ""], ["django", "gunicorn"],
         "gunicorn shop.wsgi --bind 0.0.0.0:$PORT"),
        ("Django without manage.py", ["shop/settings.py": "", "shop/wsgi.py": ""], ["django", "gunicorn"], nil),
    ] as [(String, [String: String], Set<String>, String?)])
    func frameworks(label: String, contents: [String: String], dependencies: Set<String>, expected: String?) throws {
        let (folder, files) = try Self.files(contents)
        defer { folder.remove() }
        #expect(PythonProject.frameworkStart(files, dependencies: dependencies) == expected, "\(label)")
    }
}
