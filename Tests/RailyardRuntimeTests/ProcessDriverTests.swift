import Foundation
import Logging
import RailyardRuntime
import Testing

/// Real processes: the driver spawns, probes, and stops them.
@Suite("ProcessDriver")
struct ProcessDriverTests {
    func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-rt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a replica listens on PORT, logs to its file, and stops on SIGTERM")
    func lifecycle() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "hello from the app\n".write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let port = try PortProbe.freePort()
        let driver = ProcessDriver(isolation: .none, logger: Logger(label: "test"))
        let log = dir.appendingPathComponent("logs/app.log")
        let pid = try driver.start(ReplicaSpec(
            command: "echo starting on $PORT; exec python3 -m http.server $PORT --bind 127.0.0.1",
            appDirectory: dir, environment: ["PORT": "\(port)", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            logFile: log, hiddenPaths: []
        ))
        #expect(await driver.waitUntilListening(pid: pid, port: port, timeout: .seconds(20)) == nil)
        #expect(driver.isRunning(pid))
        #expect(getsid(pid) == pid, "the replica leads a session of its own")
        await driver.stop(pid, grace: .seconds(5))
        #expect(!driver.isRunning(pid))
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("starting on \(port)"))
    }

    @Test("without a cgroup, rlimits hold memory (as data size) and, for a user of its own, processes")
    func rlimits() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let isolation = Isolation.detect()
        try #require(isolation.prlimitPath != nil, "prlimit (util-linux) is installed with setpriv")
        // A number no other test uses: the processes limit counts every process of the uid.
        let user = isolation.user(number: 900_000 + Int.random(in: 0..<90_000))
        if let user { chown(dir.path, user.uid, user.gid) }
        let driver = ProcessDriver(isolation: isolation, logger: Logger(label: "test"))
        let log = dir.appendingPathComponent("limits.log")
        var spec = ReplicaSpec(
            command: """
                python3 -c '
                import os
                try:
                    hoard = bytearray(200 * 1024 * 1024); print("allocated", flush=True)
                except MemoryError:
                    print("memory refused", flush=True)
                children, refused = [], 0
                for _ in range(60):
                    try:
                        pid = os.fork()
                        if pid == 0:
                            import time; time.sleep(3); os._exit(0)
                        children.append(pid)
                    except OSError:
                        refused += 1
                print("forked", len(children), "refused", refused, flush=True)
                for pid in children: os.waitpid(pid, 0)
                '
                """,
            appDirectory: dir, environment: ["PATH": "/usr/bin:/bin"], logFile: log, hiddenPaths: [], user: user
        )
        spec.rlimits = ResourceLimits(memoryBytes: 64 << 20, cpuMillicores: 500, pids: 20)
        #expect(isolation.argv(for: spec).starts(with: [isolation.prlimitPath!, "--data=\(64 << 20)"] + (user == nil ? [] : ["--nproc=20"])))
        let pid = try driver.start(spec)
        for _ in 0..<300 where driver.isRunning(pid) { try await Task.sleep(for: .milliseconds(50)) }
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("memory refused"), "\(text)")
        if user != nil {
            let refused = text.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            #expect(refused > 0 && text.contains("forked 1"), "20 processes for the user at most: \(text)")
        }
    }

    @Test("a replica inherits no descriptor of the server's, not even one opened without close-on-exec")
    func noLeakedDescriptors() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let driver = ProcessDriver(isolation: .none, logger: Logger(label: "test"))
        let log = dir.appendingPathComponent("fds.log")
        let pid = try driver.start(ReplicaSpec(
            command: "for fd in /proc/$$/fd/*; do echo \"fd ${fd##*/}\"; done", appDirectory: dir,
            environment: ["PATH": "/usr/bin:/bin"], logFile: log, hiddenPaths: []
        ))
        for _ in 0..<100 where driver.isRunning(pid) { try await Task.sleep(for: .milliseconds(20)) }
        let fds = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap { Int32($0.dropFirst(3)) }
        try #require(ends.allSatisfy { $0 > 3 })
        #expect(Set(fds).isSubset(of: [0, 1, 2, 3]), "only stdin, stdout, stderr (and 3, the shell's glob reading /proc): \(fds)")
        #expect(!fds.contains(ends[0]) && !fds.contains(ends[1]))
    }

    @Test("an app that exits before listening is reported with its status")
    func earlyExit() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let driver = ProcessDriver(isolation: .none, logger: Logger(label: "test"))
        let pid = try driver.start(ReplicaSpec(
            command: "echo boom >&2; exit 3", appDirectory: dir, environment: ["PATH": "/usr/bin:/bin"],
            logFile: dir.appendingPathComponent("app.log"), hiddenPaths: []
        ))
        let reason = await driver.waitUntilListening(pid: pid, port: try PortProbe.freePort(), timeout: .seconds(10))
        #expect(reason?.contains("exited with status 3") == true)
        #expect(try String(contentsOf: dir.appendingPathComponent("app.log"), encoding: .utf8).contains("boom"))
    }

    @Test("a process that ignores SIGTERM is killed after the grace period")
    func stubborn() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let driver = ProcessDriver(isolation: .none, logger: Logger(label: "test"))
        let pid = try driver.start(ReplicaSpec(
            command: "trap '' TERM; while true; do sleep 0.1; done", appDirectory: dir, environment: ["PATH": "/usr/bin:/bin"],
            logFile: dir.appendingPathComponent("app.log"), hiddenPaths: []
        ))
        try await Task.sleep(for: .milliseconds(200))
        await driver.stop(pid, grace: .milliseconds(300))
        try await Task.sleep(for: .milliseconds(300))
        #expect(!driver.isRunning(pid))
    }

    @Test("the sandbox argv hides the data dir, binds only the app dir and drops to the service's user")
    func sandboxArgv() {
        let isolation = Isolation(bwrapPath: "/usr/bin/bwrap", userBase: Isolation.defaultUserBase, setprivPath: "/usr/bin/setpriv")
        let user = isolation.user(number: 7)
        #expect(user == AppUser(uid: 1_900_000_007, gid: 1_900_000_007))
        var spec = ReplicaSpec(
            command: "python main.py", appDirectory: URL(fileURLWithPath: "/data/artifacts/d1/app"), environment: [:],
            logFile: URL(fileURLWithPath: "/data/logs/x.log"), hiddenPaths: ["/data"], user: user
        )
        let argv = isolation.argv(for: spec)
        let joined = argv.joined(separator: " ")
        #expect(argv.first == "/usr/bin/bwrap")
        #expect(joined.contains("--ro-bind /usr /usr") && joined.contains("--ro-bind /etc /etc"), "the host's system, read-only")
        #expect(!joined.contains("--ro-bind / /"), "the root is the sandbox's own, so volumes can add paths to it")
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: "/bin")) == "usr/bin" {
            #expect(joined.contains("--symlink usr/bin /bin"))
        }
        #expect(!joined.contains("/proc /proc --ro") && !joined.contains("--ro-bind /tmp"))
        #expect(joined.contains("--tmpfs /data --perms 0755 --dir /data --perms 0755 --dir /data/artifacts --perms 0755 --dir /data/artifacts/d1 --bind /data/artifacts/d1/app /data/artifacts/d1/app"))
        #expect(joined.contains("/usr/bin/setpriv --reuid=1900000007 --regid=1900000007 --clear-groups /bin/sh -c python main.py"))
        #expect(Isolation.none.argv(for: spec) == ["/bin/sh", "-c", "python main.py"])
        spec.user = nil
        #expect(isolation.argv(for: spec).joined(separator: " ").contains("--reuid=65534"), "no service: nobody, never root")
    }

    @Test("the sandbox's passwd names the service's user app, replacing any host line for that uid or name")
    func identityFiles() {
        let user = AppUser(uid: 1_900_000_003, gid: 1_900_000_003)
        let host = "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\nodd:x:1900000003:1:::\n"
        #expect(user.passwd(host: host, home: "/srv/app") == "root:x:0:0:root:/root:/bin/bash\napp:x:1900000003:1900000003:Railyard app:/srv/app:/bin/sh\n")
        #expect(user.group(host: "root:x:0:\nstaff:x:50:\n") == "root:x:0:\nstaff:x:50:\napp:x:1900000003:\n")
    }

    @Test("inside bubblewrap the app cannot see the hidden data dir nor write the system", .enabled(if: Isolation.detect().bwrapPath != nil))
    func sandboxForReal() async throws {
        let data = try tempDir()
        defer { try? FileManager.default.removeItem(at: data) }
        try "top secret".write(to: data.appendingPathComponent("secret.key"), atomically: true, encoding: .utf8)
        let app = data.appendingPathComponent("artifacts/app")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        let isolation = Isolation.detect()
        let user = isolation.user(number: 41)
        if let user { chown(app.path, user.uid, user.gid) }
        let passwd = data.appendingPathComponent("passwd"), group = data.appendingPathComponent("group")
        try (user ?? .nobody).passwd(host: try String(contentsOfFile: "/etc/passwd", encoding: .utf8), home: app.path)
            .write(to: passwd, atomically: true, encoding: .utf8)
        try (user ?? .nobody).group(host: try String(contentsOfFile: "/etc/group", encoding: .utf8)).write(to: group, atomically: true, encoding: .utf8)
        let driver = ProcessDriver(isolation: isolation, logger: Logger(label: "test"))
        let log = data.appendingPathComponent("app.log")
        let pid = try driver.start(ReplicaSpec(
            command: "cat \(data.path)/secret.key || echo no-secret; touch /usr/x 2>/dev/null || echo ro-system; touch ok && echo app-writable; mktemp -d >/dev/null && echo tmp-writable; echo run-entries $(ls -A /run | wc -l); id -u; id -un",
            appDirectory: app, environment: ["PATH": "/usr/bin:/bin"], logFile: log, hiddenPaths: [data.path], user: user,
            identityFiles: user == nil ? nil : (passwd, group)
        ))
        for _ in 0..<100 where driver.isRunning(pid) { try await Task.sleep(for: .milliseconds(50)) }
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(!text.contains("top secret"))
        #expect(text.contains("no-secret"))
        #expect(text.contains("ro-system"))
        #expect(text.contains("app-writable"))
        #expect(text.contains("tmp-writable"), "the app's user must be able to write its private /tmp (Go and many tools need it): \(text)")
        #expect(text.contains("run-entries 0") || text.contains("run-entries 1"), "the host's /run (its service sockets) is not there: \(text)")
        if let user { #expect(text.contains("\(user.uid)\napp\n"), "runs as the service's uid, named app: \(text)") }
    }

    @Test("a volume is writable at its mount path, even one the host does not have, and the data stays on the host", .enabled(if: Isolation.detect().bwrapPath != nil))
    func volumeForReal() async throws {
        let data = try tempDir()
        defer { try? FileManager.default.removeItem(at: data) }
        let app = data.appendingPathComponent("artifacts/app")
        let volume = data.appendingPathComponent("volumes/v1")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: volume, withIntermediateDirectories: true)
        let isolation = Isolation.detect()
        let user = isolation.user(number: 42)
        if let user {
            chown(app.path, user.uid, user.gid)
            chown(volume.path, user.uid, user.gid)
        }
        let mount = "/railyard-test-volume-\(UUID().uuidString.prefix(8))"
        #expect(!FileManager.default.fileExists(atPath: mount))
        let driver = ProcessDriver(isolation: isolation, logger: Logger(label: "test"))
        let log = data.appendingPathComponent("app.log")
        let pid = try driver.start(ReplicaSpec(
            command: "echo kept > \(mount)/note && cat \(mount)/note && ls /",
            appDirectory: app, environment: ["PATH": "/usr/bin:/bin"], logFile: log, hiddenPaths: [data.path],
            volumes: [.init(source: volume, path: mount)], user: user
        ))
        for _ in 0..<100 where driver.isRunning(pid) { try await Task.sleep(for: .milliseconds(50)) }
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("kept"), "\(text)")
        #expect(try String(contentsOf: volume.appendingPathComponent("note"), encoding: .utf8) == "kept\n")
        #expect(!FileManager.default.fileExists(atPath: mount), "the mount point exists only inside the sandbox")
    }
}

@Suite("Isolation without setpriv")
struct IsolationRootTests {
    @Test("as root without setpriv the app is refused, never run with root's privileges")
    func refusesRoot() {
        let isolation = Isolation(bwrapPath: "/usr/bin/bwrap", userBase: Isolation.defaultUserBase, setprivPath: nil)
        let spec = ReplicaSpec(
            command: "python main.py", appDirectory: URL(fileURLWithPath: "/d/app"), environment: [:],
            logFile: URL(fileURLWithPath: "/d/x.log"), hiddenPaths: ["/d"]
        )
        let argv = isolation.argv(for: spec).joined(separator: " ")
        #expect(argv.contains("refusing to run the app as root"))
        #expect(!argv.contains("python main.py"))
    }
}

@Suite("PortProbe")
struct PortProbeTests {
    @Test("free ports are not handed out twice in a row")
    func distinct() throws {
        let ports = try (0..<50).map { _ in try PortProbe.freePort() }
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy { $0 > 0 && $0 < 65536 })
    }
}
