import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs replicas as detached local processes, isolated as well as this machine allows.
///
/// A replica is started in a session of its own and writes to its log file, so it keeps serving when
/// the server stops; `stop` signals its whole process group (TERM, then KILL after the grace period).
public final class ProcessDriver: Sendable {
    /// How replicas are isolated here.
    public let isolation: Isolation
    private let logger: Logger
    /// Exit statuses of children that have ended, by pid (filled by the reaper threads).
    private let exits = ExitTable()

    public init(isolation: Isolation, logger: Logger) {
        self.isolation = isolation
        self.logger = logger
    }

    /// Starts one replica and returns its pid. The process is reaped in the background; `exitStatus`
    /// tells when it has ended.
    public func start(_ spec: ReplicaSpec) throws -> pid_t {
        let argv = isolation.argv(for: spec)
        let pid = try ProcessSpawner.spawn(
            argv: argv, environment: spec.environment, workingDirectory: spec.appDirectory, logFile: spec.logFile
        )
        logger.info("replica started", metadata: ["replica.pid": "\(pid)", "replica.dir": "\(spec.appDirectory.path)"])
        let exits = self.exits
        exits.clear(pid)  // a reused pid must not inherit an earlier process's exit
        let thread = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            exits.record(pid, status)
        }
        thread.name = "railyard-reaper-\(pid)"
        thread.start()
        return pid
    }

    /// The raw wait status of a child that has ended, or nil while it runs (or if it is not our child).
    public func exitStatus(of pid: pid_t) -> Int32? {
        exits.status(of: pid)
    }

    /// Whether the process is still running (works for children and for processes adopted after a restart).
    public func isRunning(_ pid: pid_t) -> Bool {
        if exits.status(of: pid) != nil { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// A sentence describing how a child ended, for deployment failure reasons.
    public func describeExit(of pid: pid_t) -> String? {
        exitStatus(of: pid).map { ReplicaExit(waitStatus: $0).description }
    }

    /// Stops a replica's whole process group: SIGTERM, then SIGKILL after `grace`.
    public func stop(_ pid: pid_t, grace: Duration = .seconds(5)) async {
        guard pid > 1 else { return }
        killpg(pid, SIGTERM)
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if !isRunning(pid) {
                logger.info("replica stopped", metadata: ["replica.pid": "\(pid)"])
                return
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        killpg(pid, SIGKILL)
        kill(pid, SIGKILL)
        logger.warning("replica killed after grace period", metadata: ["replica.pid": "\(pid)"])
    }

    /// Waits until something answers on 127.0.0.1:`port`, the process ends, or `timeout` passes.
    /// Returns nil when the port answered, else why not.
    public func waitUntilListening(pid: pid_t, port: Int, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        var delay = Duration.milliseconds(5)
        while ContinuousClock.now < deadline {
            // Something answering is only this replica if this replica is still alive.
            if await PortProbe.answers(host: "127.0.0.1", port: port), isRunning(pid) { return nil }
            if !isRunning(pid) {
                return "the app \(describeExit(of: pid) ?? "exited") before listening on PORT \(port)"
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(100))
        }
        return "the app did not listen on PORT \(port) within \(timeout); it must bind 0.0.0.0:$PORT"
    }
}

/// Exit statuses of ended children, shared between reaper threads and callers.
final class ExitTable: Sendable {
    private let statuses = Mutex<[pid_t: Int32]>([:])

    func record(_ pid: pid_t, _ status: Int32) { statuses.withLock { $0[pid] = status } }
    func status(of pid: pid_t) -> Int32? { statuses.withLock { $0[pid] } }
    func clear(_ pid: pid_t) { _ = statuses.withLock { $0.removeValue(forKey: pid) } }
}
