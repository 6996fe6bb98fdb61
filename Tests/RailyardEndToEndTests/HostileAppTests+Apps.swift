extension EndToEndTests.HostileAppTests {
    /// A neighbour that spends about 20 ms of CPU on every request (answering `calm <replica id>`),
    /// so its latency shows whether it must share the CPU with a spinner.
    static let busyNeighbour = """
        import http.server, os
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                x = 0
                for i in range(200000): x += i * i
                body = ("calm " + os.environ["RAILYARD_REPLICA_ID"]).encode()
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
        """

    /// The hostile app's files. `/` answers `hostile <replica id>`; `/snoop` tries to read and list
    /// every path named in `targets.json` and reports its own ids, open descriptors and environment;
    /// `/bomb` and `/spin` start `bomb.py` and `spin.py` in the background; `/report/NAME` returns
    /// what they wrote once they are done (404 before).
    static let hostileApp: [String: String] = [
        "main.py": """
            import http.server, json, os, subprocess, sys

            def attempt_read(path):
                try:
                    with open(path, "rb") as f:
                        return {"read": f.read(65536).decode("latin-1")}
                except Exception as e:
                    return {"error": type(e).__name__}

            def attempt_list(path):
                try:
                    return {"entries": sorted(os.listdir(path))}
                except Exception as e:
                    return {"error": type(e).__name__}

            def descriptors():
                found = {}
                for fd in os.listdir("/proc/self/fd"):
                    try:
                        found[fd] = {"target": os.readlink("/proc/self/fd/" + fd), "read": os.pread(int(fd), 65536, 0).decode("latin-1")}
                    except OSError as e:
                        found.setdefault(fd, {})["error"] = type(e).__name__
                return found

            def snoop():
                with open("targets.json") as f:
                    targets = json.load(f)
                return {
                    "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups(),
                    "reads": {p: attempt_read(p) for p in targets["read"]},
                    "lists": {p: attempt_list(p) for p in targets["list"]},
                    "descriptors": descriptors(), "environment": dict(os.environ),
                }

            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    code, body = 200, ("hostile " + os.environ["RAILYARD_REPLICA_ID"]).encode()
                    if self.path == "/snoop":
                        body = json.dumps(snoop()).encode()
                    elif self.path in ("/bomb", "/spin"):
                        subprocess.Popen([sys.executable, self.path[1:] + ".py"])
                        body = b"started"
                    elif self.path.startswith("/report/"):
                        try:
                            with open("/tmp/" + self.path[len("/report/"):] + ".json", "rb") as f:
                                body = f.read()
                        except OSError:
                            code, body = 404, b"not yet"
                    self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """,
        // Forks as fast as it can for 12 s, each child a sleeper; counts the forks the kernel refused,
        // then kills and reaps its children so the bomb ends by itself.
        "bomb.py": """
            import errno, json, os, time
            kids, refused, other = [], 0, 0
            deadline = time.time() + 12
            while time.time() < deadline:
                try:
                    pid = os.fork()
                except OSError as e:
                    if e.errno == errno.EAGAIN: refused += 1
                    else: other += 1
                    time.sleep(0.002)
                    continue
                if pid == 0:
                    try: os.execv("/bin/sleep", ["sleep", "60"])
                    finally: os._exit(0)
                kids.append(pid)
            for pid in kids:
                try: os.kill(pid, 9)
                except OSError: pass
            for pid in kids:
                try: os.waitpid(pid, 0)
                except OSError: pass
            with open("/tmp/bomb.part", "w") as f:
                json.dump({"forked": len(kids), "refused": refused, "other": other}, f)
            os.rename("/tmp/bomb.part", "/tmp/bomb.json")
            """,
        // Four processes busy-looping for 15 s; reports the CPU time they got against the wall time.
        "spin.py": """
            import json, os, resource, time
            start, kids = time.time(), []
            for _ in range(4):
                pid = os.fork()
                if pid == 0:
                    end = time.time() + 15
                    while time.time() < end: pass
                    os._exit(0)
                kids.append(pid)
            for pid in kids: os.waitpid(pid, 0)
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            with open("/tmp/spin.part", "w") as f:
                json.dump({"wall": time.time() - start, "cpu": usage.ru_utime + usage.ru_stime}, f)
            os.rename("/tmp/spin.part", "/tmp/spin.json")
            """,
    ]
}
