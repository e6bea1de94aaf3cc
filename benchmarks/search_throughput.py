"""Search throughput: the API under gunicorn vs Elasticsearch direct, at a fixed concurrency.

    .venv/bin/python benchmarks/search_throughput.py [--synthetic 100000] [--seconds 20]
        [--connections 16] [--keep]

The same stack as benchmarks/search_latency.py (its own alias, gunicorn on loopback as
`make serve` runs it, the searches of its mix with the calls the API makes for each, recorded
through the app). The load generator is wrk (Debian package `wrk`; installed with apt-get when
missing and running as root), one thread, `--connections` keep-alive connections, for a fixed
time, cycling through the searches with a Lua script: (a) POST /v1/search, (b) the same
searches' bodies POSTed to the alias's _search. Each side runs twice, alternating (API,
direct, API, direct), and prints requests/s, p50 and p95, non-2xx answers, and the CPU
seconds used meanwhile by wrk, the gunicorn processes and the Elasticsearch node (from
/proc/<pid>/stat): on a machine of two cores they share them. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search_latency import Stack, stack  # noqa: E402
from linkage.search.client import nodes  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")

# Each thread reads the bodies (one a line) and sends them in turn; the summary line is read
# back by run_wrk. Latencies are in microseconds.
LUA = r"""
local bodies, n = {}, 0
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
request = function()
  n = n % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[n])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def ensure_wrk() -> str:
    """wrk's path, installing the Debian package when missing (as root), as scripts/browser
    does for Chromium."""
    found = shutil.which("wrk")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is needed: sudo apt-get install wrk")
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def gunicorn_pids() -> list[int]:
    """The gunicorn this process started (tests.servers.gunicorn) and its workers."""
    masters = [p for p in children_of(os.getpid())
               if b"gunicorn" in Path(f"/proc/{p}/cmdline").read_bytes()]  # fmt: skip
    return [*masters, *(w for m in masters for w in children_of(m))]


def node_pid(es: str) -> int | None:
    """The Elasticsearch node's process id, when it runs on this machine."""
    nodes = requests.get(f"{es}/_nodes/_local/process", timeout=10).json()["nodes"]
    pid = next(iter(nodes.values()))["process"]["id"]
    return pid if Path(f"/proc/{pid}").exists() else None


def run_wrk(wrk: str, url: str, bodies: list[bytes], auth: str, seconds: int,
            connections: int, folder: Path, node: int | None) -> dict:  # fmt: skip
    """One wrk run: its figures and the CPU seconds each process used meanwhile."""
    script, lines = folder / "bodies.lua", folder / "bodies.ndjson"
    script.write_text(LUA)
    lines.write_bytes(b"\n".join(bodies) + b"\n")
    env = {**os.environ, "BENCH_BODIES": str(lines), "BENCH_AUTH": auth}
    workers = gunicorn_pids()
    before = {"api": sum(map(cpu_seconds, workers)), "node": node and cpu_seconds(node)}
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
         url],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("RESULT "))
    done, micros, p50, p95, status, errors = (int(x) for x in line.split()[1:])
    if not done:
        return {"rps": 0.0, "output": out.stdout + out.stderr}
    return {
        "rps": (done - status) / (micros / 1e6),  # answered 2xx (a 503 is quick, not served)
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "non2xx": status,
        "errors": errors,
        "cpu_wrk": used.ru_utime + used.ru_stime - own.ru_utime - own.ru_stime,
        "cpu_api": sum(map(cpu_seconds, workers)) - before["api"],
        "cpu_node": cpu_seconds(node) - before["node"] if node else float("nan"),
        "seconds": micros / 1e6,
    }


def searches(st: Stack) -> tuple[list[bytes], list[bytes]]:
    """The API bodies and the direct bodies of the searches that take one _search each."""
    api, direct = [], []
    for case in st.cases:
        if case.path == "/v1/search" and [c.endpoint for c in case.calls] == ["_search"]:
            api.append(json.dumps(case.body).encode())
            direct.append(case.calls[0].body)
    return api, direct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, help="load N synthetic services instead of the sample"
    )
    parser.add_argument("--seconds", type=int, default=20, help="each run's length")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark index (a later run reuses it)"
    )
    opts = parser.parse_args()
    wrk = ensure_wrk()
    rows = []
    with stack(opts.synthetic, opts.keep) as st, tempfile.TemporaryDirectory() as tmp:
        api_bodies, direct_bodies = searches(st)
        node = node_pid(nodes(st.settings)[0])
        sides = {
            "API": (st.api_url + "/v1/search", api_bodies, f"Bearer {st.key}"),
            "Elasticsearch direct": (st.es_url + "/_search", direct_bodies, ""),
        }
        # Warm both paths (connections, caches), then API, direct, API, direct.
        for url, bodies, auth in sides.values():
            run_wrk(wrk, url, bodies, auth, 5, opts.connections, Path(tmp), node)
        for _ in range(2):
            for name, (url, bodies, auth) in sides.items():
                found = run_wrk(wrk, url, bodies, auth, opts.seconds, opts.connections,
                                Path(tmp), node)  # fmt: skip
                if not found["rps"]:
                    sys.exit(f"no answer from {url} in {opts.seconds} s:\n{found['output']}")
                rows.append((name, found))
                time.sleep(1)
    print(f"\n{st.documents} documents behind {st.alias}; {len(api_bodies)} searches in turn; "
          f"load generator: wrk, 1 thread, {opts.connections} connections, {opts.seconds} s a run; "
          f"gunicorn 2 workers x 4 threads; CPU seconds used during each run (the node's "
          f"include any other client's); load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'side':<22}{'2xx/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'non-2xx':>8}{'errors':>7}"
          f"{'CPU wrk':>9}{'CPU API':>9}{'CPU node':>9}{'CPU/req ms':>11}")  # fmt: skip
    for name, r in rows:
        total = r["cpu_wrk"] + r["cpu_api"] + r["cpu_node"]
        per_request = total / (r["rps"] * r["seconds"]) * 1000
        print(f"{name:<22}{r['rps']:>8.1f}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['non2xx']:>8}"
              f"{r['errors']:>7}{r['cpu_wrk']:>9.1f}{r['cpu_api']:>9.1f}{r['cpu_node']:>9.1f}"
              f"{per_request:>11.2f}")  # fmt: skip
    api = sorted(r["rps"] for n, r in rows if n == "API")
    direct = sorted(r["rps"] for n, r in rows if n != "API")
    print(
        f"throughput API / direct (mean of the runs): {sum(api) / sum(direct):.2f}  (target >= 0.7)"
    )


if __name__ == "__main__":
    main()
