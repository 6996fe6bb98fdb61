#!/usr/bin/env python3
"""Alternating wrk runs against the upstream, nginx-as-proxy and the prototype; CPU µs/request from /proc."""
import os, re, subprocess, sys, json
W = os.path.dirname(os.path.abspath(__file__)) + "/run"
DUR = int(os.environ.get("DUR", "5")); ROUNDS = int(os.environ.get("ROUNDS", "3"))
TICK = os.sysconf("SC_CLK_TCK")

def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        x = f.read().rsplit(")", 1)[1].split()
    return int(x[11]), int(x[12])  # utime, stime in ticks

def pids_of(master):
    kids = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [master] + [int(k) for k in kids]

def wrk(url, c):
    out = subprocess.run(["wrk", "-t2", f"-c{c}", f"-d{DUR}s", "--latency", url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errs = re.search(r"Socket errors: (.*)", out); non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, reqs, p99, (errs.group(1) if errs else "") + (f" non2xx={non2.group(1)}" if non2 else "")

up = int(open(f"{W}/up.master").read()); px = int(open(f"{W}/proxy.master").read()); pr = int(open(f"{W}/proto.pid").read())
targets = [("direct", "http://127.0.0.1:18081/", pids_of(up)), ("nginx", "http://127.0.0.1:18082/", pids_of(px)),
           ("proto", "http://127.0.0.1:18083/", [pr])]
print("nginx proxy pids", targets[1][2])
res = {}
for c in (64, 256):
    for r in range(ROUNDS):
        for name, url, pids in targets:
            b = [cpu(p) for p in pids]; bu = [cpu(p) for p in pids_of(up)]
            rps, reqs, p99, err = wrk(url, c)
            a = [cpu(p) for p in pids]; au = [cpu(p) for p in pids_of(up)]
            ut = sum(x[0] for x in a) - sum(x[0] for x in b); st = sum(x[1] for x in a) - sum(x[1] for x in b)
            upc = sum(x[0] + x[1] for x in au) - sum(x[0] + x[1] for x in bu)
            k = 1e6 / TICK / reqs
            row = dict(rps=rps, p99=p99, cpu=(ut + st) * k, user=ut * k, sys=st * k, upcpu=upc * k, err=err)
            res.setdefault(f"{c}/{name}", []).append(row)
            print(f"c={c:<3} r{r+1} {name:<6} {rps:>9.0f} req/s p99 {p99:6.2f} ms  cpu {row['cpu']:5.1f} µs/req "
                  f"(user {row['user']:4.1f} sys {row['sys']:4.1f})  upstream {row['upcpu']:4.1f} µs/req {err}", flush=True)
json.dump(res, open(f"{W}/results-{os.environ.get('TAG','x')}.json", "w"), indent=1)
print()
med = lambda v: sorted(v)[len(v) // 2]
print(f"{'c':<5}{'target':<8}{'req/s':>9}{'p99 ms':>8}{'cpu µs':>8}{'user':>7}{'sys':>7}")
for c in (64, 256):
    m = {}
    for name, _, _ in targets:
        rows = res[f"{c}/{name}"]
        m[name] = {k: med([x[k] for x in rows]) for k in ("rps", "p99", "cpu", "user", "sys")}
        print(f"{c:<5}{name:<8}{m[name]['rps']:>9.0f}{m[name]['p99']:>8.2f}" + ("" if name == "direct" else
              f"{m[name]['cpu']:>8.1f}{m[name]['user']:>7.1f}{m[name]['sys']:>7.1f}"))
    print(f"{c:<5}{'ratio':<8}{m['proto']['rps']/m['nginx']['rps']:>9.2f}{m['proto']['p99']/m['nginx']['p99']:>8.2f}{m['proto']['cpu']/m['nginx']['cpu']:>8.2f}"
          f"{m['proto']['user']/m['nginx']['user']:>7.2f}{m['proto']['sys']/m['nginx']['sys']:>7.2f}   (proto/nginx)")
