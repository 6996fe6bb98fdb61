import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached process: its own session (so it outlives the server and signals reach its whole
/// group), stdin from /dev/null, stdout and stderr appended to a log file — never the server's pipes.
enum ProcessSpawner {
    /// glibc's POSIX_SPAWN_SETSID (not imported into Swift as a macro).
    private static let spawnSetsid: Int16 = 0x80

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+; its declaration is not visible
    /// to Swift, so it is looked up at run time).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    static func spawn(argv: [String], environment: [String: String], workingDirectory: URL, logFile: URL) throws -> pid_t {
        try FileManager.default.createDirectory(at: logFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let logFD = open(logFile.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard logFD >= 0 else { throw RuntimeError("cannot open log file \(logFile.path): \(String(cString: strerror(errno)))") }
        defer { close(logFD) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logFD, 1)
        posix_spawn_file_actions_adddup2(&actions, logFD, 2)
        // Nothing else of the server's may leak into the app: not its sockets, not its database, not
        // the pipes its own parent watches (a leaked pipe keeps a supervisor believing we still run),
        // nor a pipe another thread opens for a helper tool while we spawn (a replica holding it
        // would leave that thread reading forever) — hence closefrom in the child, not a list made
        // before the fork.
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, spawnSetsid | Int16(POSIX_SPAWN_SETSIGMASK) | Int16(POSIX_SPAWN_SETSIGDEF)
        )

        // glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift: coreutils' env changes
        // directory and then execs the real argv.
        let argv = ["/usr/bin/env", "-C", workingDirectory.path] + argv
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.sorted(by: { $0.key < $1.key }).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard result == 0 else {
            throw RuntimeError("cannot start \(argv[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }
}

/// The descriptors open in this process now (from /proc/self/fd), where closefrom is missing.
private func openDescriptors() -> [Int32] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
    return names.compactMap { Int32($0) }.sorted()
}

/// A runtime failure, in a sentence.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
