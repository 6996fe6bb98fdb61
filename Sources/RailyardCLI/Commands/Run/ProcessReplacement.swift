import Foundation

/// Replaces this process with another program, as a shell's `exec` does: same process id, same
/// stdin, stdout and stderr, so the program's exit status is ours and signals reach it directly.
enum ProcessReplacement {
    /// Where to look for programs when `PATH` is unset.
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// Runs `arguments[0]` (looked up in the new environment's `PATH` unless it holds a `/`) with
    /// `environment`; returns only by throwing.
    static func exec(_ arguments: [String], environment: [String: String]) throws -> Never {
        guard let name = arguments.first, !name.isEmpty else {
            throw CLIError("no command given; write e.g. `railyard run -- npm start`")
        }
        let path = try resolve(name, searchPath: environment["PATH"] ?? defaultSearchPath)
        prepareForExec()
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve(path, argv, envp)
        let reason = String(cString: strerror(errno))
        throw CLIError("cannot run \(path): \(reason)")
    }

    /// The path of the program `name`: itself when it holds a `/`, else the first executable
    /// match in `searchPath`.
    static func resolve(_ name: String, searchPath: String) throws -> String {
        if name.contains("/") { return name }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw CLIError("command '\(name)' not found in PATH; check its spelling or pass its full path")
    }

    /// Flushes our output, closes on exec every descriptor beyond stdin/stdout/stderr (sockets of
    /// the API client), and gives the program default signal handling and an empty signal mask.
    private static func prepareForExec() {
        fflush(nil)
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            for descriptor in descriptors.compactMap({ Int32($0) }) where descriptor > 2 {
                let flags = fcntl(descriptor, F_GETFD)
                if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
            }
        }
        for number in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD] {
            signal(number, SIG_DFL)
        }
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
    }
}
