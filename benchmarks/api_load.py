"""API latency under a simple load: N concurrent clients against `newsgraph serve`.

Starts `newsgraph serve` (one uvicorn process, as a user runs it) on a store,
then runs CLIENTS threads, each with its own HTTP connection, for SECONDS:
each request is an entity profile (`GET /entities/{id}`, a random one of the
most-named entities) or a search (`GET /search?q=...`, a random entity name or
word of the corpus), alternately. Reports per kind the request count, p50, p95,
p99 and max latency, the error count, throughput, and the server's CPU seconds
per request (from /proc; per-core figure: the server is one process).

    .venv/bin/python benchmarks/api_load.py                      # example corpus, extracted into a temp store
    .venv/bin/python benchmarks/api_load.py --db newsgraph.db --clients 10 --seconds 30 [--etag] [--json]

`--etag` sends back the ETag each client last saw for a URL (If-None-Match),
as a browser does: the revalidation path (304) instead of a full answer.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "corpus"
NEWSGRAPH = Path(sys.executable).with_name("newsgraph")


def build_examples_store(path: Path) -> None:
    """Extract and store the example corpus (as `newsgraph ingest examples/corpus` does)."""
    t = time.perf_counter()
    subprocess.run([str(NEWSGRAPH), "ingest", str(EXAMPLES), "--db", str(path)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"stored the example corpus in {path} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(base: str, clients: int, seconds: float, etag: bool, seed: int) -> dict:
    with httpx.Client(base_url=base, timeout=30) as c:
        entities = [e["id"] for e in c.get("/entities", params={"limit": 50}).json()["items"]]
        names = [e["name"] for e in c.get("/entities", params={"limit": 200}).json()["items"]]
    words = sorted({w for n in names for w in n.split() if len(w) > 3})
    queries = names[:60] + words[:60]
    results: dict[str, list[float]] = {"entity_profile": [], "search": []}
    errors: dict[str, int] = {"entity_profile": 0, "search": 0}
    not_modified = {"entity_profile": 0, "search": 0}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    start_barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(seed + n)
        tags: dict[str, str] = {}
        local = {k: [] for k in results}
        local_err = {k: 0 for k in results}
        local_304 = {k: 0 for k in results}
        with httpx.Client(base_url=base, timeout=30) as c:
            start_barrier.wait()
            i = n
            while time.perf_counter() < stop:
                kind = "entity_profile" if i % 2 == 0 else "search"
                i += 1
                url = f"/entities/{rng.choice(entities)}" if kind == "entity_profile" else \
                    "/search?" + str(httpx.QueryParams({"q": rng.choice(queries)}))
                headers = {"If-None-Match": tags[url]} if etag and url in tags else {}
                t = time.perf_counter()
                try:
                    r = c.get(url, headers=headers)
                    if r.status_code == 200:
                        r.json()
                    elapsed = time.perf_counter() - t
                    if r.status_code in (200, 304):
                        local[kind].append(elapsed)
                        local_304[kind] += r.status_code == 304
                        if "etag" in r.headers:
                            tags[url] = r.headers["etag"]
                    else:
                        local_err[kind] += 1
                except httpx.HTTPError:
                    local_err[kind] += 1
        with lock:
            for k in results:
                results[k] += local[k]
                errors[k] += local_err[k]
                not_modified[k] += local_304[k]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out = {"clients": clients, "seconds": round(wall, 1), "etag": etag, "kinds": {}}
    for kind, lat in results.items():
        out["kinds"][kind] = {
            "requests": len(lat), "errors": errors[kind], "not_modified": not_modified[kind],
            "per_second": round(len(lat) / wall, 1),
            "p50_ms": round(percentile(lat, 0.50) * 1000, 1), "p95_ms": round(percentile(lat, 0.95) * 1000, 1),
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
            "max_ms": round(max(lat) * 1000, 1) if lat else None,
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="Store to serve (default: the example corpus, extracted into a temporary store)")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=3, help="Seconds of load before measuring")
    ap.add_argument("--etag", action="store_true", help="Revalidate with If-None-Match as a browser does")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="Print the result as JSON")
    args = ap.parse_args()

    tmp = None
    db = args.db
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="newsgraph-api-load-")
        db = str(Path(tmp.name) / "examples.db")
        build_examples_store(Path(db))
    port = free_port()
    env = {**os.environ, "NEWSGRAPH_API_TOKEN": ""}
    server = subprocess.Popen([str(NEWSGRAPH), "serve", "--db", db, "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.time() > deadline:
                raise SystemExit(f"the server did not start: {server.stderr.read().decode(errors='replace')}")
            time.sleep(0.2)
        if args.warmup:
            run(base, args.clients, args.warmup, args.etag, args.seed + 1000)
        cpu0 = cpu_seconds(server.pid)
        result = run(base, args.clients, args.seconds, args.etag, args.seed)
        cpu = cpu_seconds(server.pid) - cpu0
        total = sum(k["requests"] for k in result["kinds"].values())
        result.update({"server_cpu_seconds": round(cpu, 2),
                       "server_cpu_ms_per_request": round(1000 * cpu / max(total, 1), 2),
                       "machine_cpus": os.cpu_count(), "load_average": os.getloadavg()[0], "db": db})
    finally:
        server.terminate()
        server.wait(timeout=10)
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"{args.clients} clients for {result['seconds']} s against `newsgraph serve` "
              f"({'revalidating with ETags' if args.etag else 'full answers'}); machine: {os.cpu_count()} CPUs, "
              f"load average {result['load_average']:.1f}")
        print(f"{'endpoint':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'errors':>6}")
        for kind, k in result["kinds"].items():
            print(f"{kind:<16} {k['requests']:>8} {k['per_second']:>7} {k['p50_ms']:>8} {k['p95_ms']:>8} "
                  f"{k['p99_ms']:>8} {k['max_ms']:>8} {k['errors']:>6}")
        print(f"server CPU: {result['server_cpu_seconds']} s, {result['server_cpu_ms_per_request']} ms per request "
              f"(one process)")
    return 1 if any(k["errors"] for k in result["kinds"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
