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

`--ingest N` measures reads during a write: a fresh store is seeded with
`--seed-docs` synthetic records (`newsgraph.store.synthetic`), served, and
`newsgraph ingest --records` of N further records runs as a separate process
while the clients load the server (defaults then: 20 clients, 30 s). Reported
besides the latencies: the records the ingest stored during the window and
its rate, its exit status and failed count; afterwards the store must pass
`Store.check()` and hold every record (seed + N distinct versions). The store
is a temporary SQLite file, or with `--db postgresql://USER@HOST/DB` a fresh
database created on that server for the run and dropped after it:

    .venv/bin/python benchmarks/api_load.py --ingest 8000
    .venv/bin/python benchmarks/api_load.py --ingest 8000 --db postgresql://postgres@127.0.0.1:5432/test

The exit status is 1 when any request failed (a status other than 200/304,
or no answer) or, with `--ingest`, when the ingest or the final check failed.
"""
from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "corpus"
NEWSGRAPH = Path(sys.executable).with_name("newsgraph")
#: Failed requests shown in the report (status and the start of the body, or the exception).
ERROR_SAMPLES = 5


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


def describe_failure(kind: str, url: str, response: httpx.Response | None, exc: Exception | None) -> str:
    """One line for the report: what was asked and what came back (escaped: bodies are the server's)."""
    if response is not None:
        return f"{kind} {url}: HTTP {response.status_code}: {ascii(response.text[:200])}"
    return f"{kind} {url}: {type(exc).__name__}: {ascii(str(exc)[:200])}"


def run(base: str, clients: int, seconds: float, etag: bool, seed: int) -> dict:
    with httpx.Client(base_url=base, timeout=30) as c:
        entities = [e["id"] for e in c.get("/entities", params={"limit": 50}).json()["items"]]
        names = [e["name"] for e in c.get("/entities", params={"limit": 200}).json()["items"]]
    words = sorted({w for n in names for w in n.split() if len(w) > 3})
    queries = names[:60] + words[:60]
    results: dict[str, list[float]] = {"entity_profile": [], "search": []}
    errors: dict[str, int] = {"entity_profile": 0, "search": 0}
    not_modified = {"entity_profile": 0, "search": 0}
    error_samples: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    start_barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(seed + n)
        tags: dict[str, str] = {}
        local: dict[str, list[float]] = {k: [] for k in results}
        local_err = {k: 0 for k in results}
        local_304 = {k: 0 for k in results}
        samples: list[str] = []
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
                        if len(samples) < ERROR_SAMPLES:
                            samples.append(describe_failure(kind, url, r, None))
                except (httpx.HTTPError, ValueError) as exc:  # ValueError: a 200 whose body is not JSON
                    local_err[kind] += 1
                    if len(samples) < ERROR_SAMPLES:
                        samples.append(describe_failure(kind, url, None, exc))
        with lock:
            for k in results:
                results[k] += local[k]
                errors[k] += local_err[k]
                not_modified[k] += local_304[k]
            error_samples.extend(samples)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {"clients": clients, "seconds": round(wall, 1), "etag": etag, "kinds": {},
           "error_samples": error_samples[:ERROR_SAMPLES]}
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


@contextlib.contextmanager
def serving(db: str, log: Path) -> Iterator[tuple[str, int]]:
    """`newsgraph serve` on ``db`` at a free loopback port: (base URL, server pid). Its stderr goes to
    ``log`` (a pipe nobody reads could fill up and stall the server)."""
    port = free_port()
    env = {**os.environ, "NEWSGRAPH_API_TOKEN": ""}
    with open(log, "wb") as err:
        server = subprocess.Popen([str(NEWSGRAPH), "serve", "--db", db, "--port", str(port), "--log-level",
                                   "warning"], env=env, stdout=subprocess.DEVNULL, stderr=err)
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
                raise SystemExit(f"the server did not start: {ascii(log.read_text(errors='replace')[-2000:])}")
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure(base: str, pid: int, args: argparse.Namespace) -> dict:
    """The load run (after a warm-up), with the server's CPU time over it."""
    if args.warmup:
        run(base, args.clients, args.warmup, args.etag, args.seed + 1000)
    cpu0 = cpu_seconds(pid)
    result = run(base, args.clients, args.seconds, args.etag, args.seed)
    cpu = cpu_seconds(pid) - cpu0
    total = sum(k["requests"] for k in result["kinds"].values())
    result.update({"server_cpu_seconds": round(cpu, 2),
                   "server_cpu_ms_per_request": round(1000 * cpu / max(total, 1), 2),
                   "machine_cpus": os.cpu_count(), "load_average": os.getloadavg()[0]})
    return result


# --------------------------------------------------------------------------- reads during an ingest


def write_records(seed_docs: int, n: int, seed: int, folder: Path) -> tuple[Path, Path, int]:
    """Synthetic records as JSON lines: the first ``seed_docs`` in ``seed/``, the next ``n`` in ``ingest/``
    (one corpus, so later records copy and update earlier ones). Also the number of distinct versions
    (text at a URL) the store must hold once both are stored."""
    from newsgraph.store.synthetic import generate_records

    seed_dir, ingest_dir = folder / "seed", folder / "ingest"
    seed_dir.mkdir()
    ingest_dir.mkdir()
    versions: set[tuple[str, str]] = set()
    with open(seed_dir / "records.jsonl", "w", encoding="utf-8") as seed_out, \
            open(ingest_dir / "records.jsonl", "w", encoding="utf-8") as ingest_out:
        for i, record in enumerate(generate_records(seed_docs + n, seed)):
            versions.add(((record.url or "").strip(), record.text))
            out = seed_out if i < seed_docs else ingest_out
            out.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n")
    return seed_dir, ingest_dir, len(versions)


@contextlib.contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new database on the server of ``server_url`` for this run, dropped after it: the URL to it."""
    import psycopg
    from sqlalchemy.engine import make_url

    from newsgraph.store import resolve_url

    url = make_url(resolve_url(server_url))
    name = f"newsgraph_load_{os.getpid()}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stored_versions(db: str) -> int:
    """Every stored version (current or superseded): one row of `documents` each."""
    from sqlalchemy import text

    from newsgraph.store import Store

    store = Store(db, upgrade=False)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM documents")).scalar_one())
    finally:
        store.close()


def run_with_ingest(db: str, work: Path, args: argparse.Namespace) -> dict:
    """Seed ``db``, serve it, and measure the load while `newsgraph ingest --records` writes to it."""
    t = time.perf_counter()
    seed_dir, ingest_dir, expected = write_records(args.seed_docs, args.ingest, args.seed, work)
    print(f"wrote {args.seed_docs} + {args.ingest} synthetic records ({time.perf_counter() - t:.1f} s)",
          file=sys.stderr)
    t = time.perf_counter()
    subprocess.run([str(NEWSGRAPH), "ingest", "--records", str(seed_dir), "--db", db], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"seeded the store with {args.seed_docs} records ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    ingest_log = work / "ingest.log"
    with serving(db, work / "serve.log") as (base, pid):
        if args.warmup:
            run(base, args.clients, args.warmup, args.etag, args.seed + 1000)
        before = stored_versions(db)
        cpu0 = cpu_seconds(pid)
        with open(ingest_log, "wb") as log:
            started = time.perf_counter()
            ingest = subprocess.Popen(
                [str(NEWSGRAPH), "ingest", "--records", str(ingest_dir), "--db", db, "--json",
                 "--batch-size", str(args.batch_size)], stdout=subprocess.PIPE, stderr=log)
            result = run(base, args.clients, args.seconds, args.etag, args.seed)
            window = time.perf_counter() - started
            during = stored_versions(db) - before
            outlasted = ingest.poll() is None
            ingest_cpu = cpu_seconds(ingest.pid) if outlasted else None
            cpu = cpu_seconds(pid) - cpu0
            load = os.getloadavg()[0]
            summary_text, _ = ingest.communicate()
            ingest_wall = time.perf_counter() - started
    try:
        summary = json.loads(summary_text)
    except ValueError:
        summary = {}
    total = sum(k["requests"] for k in result["kinds"].values())
    result.update({"server_cpu_seconds": round(cpu, 2),
                   "server_cpu_ms_per_request": round(1000 * cpu / max(total, 1), 2),
                   "machine_cpus": os.cpu_count(), "load_average": load})
    stored = stored_versions(db)
    from newsgraph.store import Store

    store = Store(db, upgrade=False)
    try:
        problems = store.check()
    finally:
        store.close()
    result["ingest"] = {
        "records": args.ingest, "seed_records": args.seed_docs, "batch_size": args.batch_size,
        "stored_during_window": during, "window_seconds": round(window, 1),
        "records_per_second_during_window": round(during / window, 1),
        "outlasted_window": outlasted, "cpu_seconds_in_window": ingest_cpu, "exit_status": ingest.returncode,
        "failed": summary.get("failed"), "summary": summary, "wall_seconds": round(ingest_wall, 1),
        "records_per_second_overall": round(args.ingest / ingest_wall, 1),
        "stderr_tail": ascii(ingest_log.read_text(errors="replace")[-600:]),
    }
    result["final_check"] = {"problems": problems[:10], "problem_count": len(problems),
                             "stored_versions": stored, "expected_versions": expected}
    return result


def ingest_ok(result: dict) -> bool:
    ingest, final = result["ingest"], result["final_check"]
    return (ingest["exit_status"] == 0 and ingest["failed"] == 0 and not final["problem_count"]
            and final["stored_versions"] == final["expected_versions"])


def run_ingest_mode(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="newsgraph-api-load-"))
    try:
        if args.db and args.db.startswith(("postgresql://", "postgres://", "postgresql+")):
            with fresh_postgres(args.db) as db:
                result = run_with_ingest(db, work, args)
            result["db"] = f"a fresh database on {args.db.rsplit('/', 1)[0]}/ (dropped)"
            return result
        if args.db and Path(args.db).exists():
            raise SystemExit(f"{args.db} exists: --ingest needs a new store (or no --db: a temporary one)")
        db = args.db or str(work / "load.db")
        result = run_with_ingest(db, work, args)
        result["db"] = db if args.db else "a temporary SQLite file"
        return result
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- main


def print_report(args: argparse.Namespace, result: dict) -> None:
    what = "revalidating with ETags" if args.etag else "full answers"
    during = f", during `newsgraph ingest --records` of {args.ingest} records" if args.ingest else ""
    print(f"{args.clients} clients for {result['seconds']} s against `newsgraph serve` ({what}{during}) on "
          f"{result['db']}; machine: {os.cpu_count()} CPUs, load average {result['load_average']:.1f}")
    print(f"{'endpoint':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'errors':>6}")
    for kind, k in result["kinds"].items():
        print(f"{kind:<16} {k['requests']:>8} {k['per_second']:>7} {k['p50_ms']:>8} {k['p95_ms']:>8} "
              f"{k['p99_ms']:>8} {k['max_ms']:>8} {k['errors']:>6}")
    for line in result["error_samples"]:
        print(f"  error: {line}")
    print(f"server CPU: {result['server_cpu_seconds']} s, {result['server_cpu_ms_per_request']} ms per request "
          f"(one process)")
    if "ingest" in result:
        ing, final = result["ingest"], result["final_check"]
        state = (f"still running at its end, having used {ing['cpu_seconds_in_window']:.1f} s of CPU"
                 if ing["outlasted_window"] else "finished before its end")
        print(f"ingest: {ing['stored_during_window']} records stored in the {ing['window_seconds']} s window "
              f"({ing['records_per_second_during_window']}/s, batches of {ing['batch_size']}); {state}; "
              f"all {ing['records']} in {ing['wall_seconds']} s ({ing['records_per_second_overall']}/s); "
              f"exit status {ing['exit_status']}, {ing['failed']} failed")
        if ing["exit_status"] != 0:
            print(f"  ingest stderr: {ing['stderr_tail']}")
        print(f"store after: {final['stored_versions']} versions stored, {final['expected_versions']} expected; "
              f"check: {final['problem_count']} problems")
        for problem in final["problems"]:
            print(f"  problem: {ascii(problem)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="Store to serve (default: the example corpus, extracted into a temporary store); "
                                 "with --ingest, a new SQLite path or the PostgreSQL server to create a database on")
    ap.add_argument("--clients", type=int, help="Concurrent clients (default 10; 20 with --ingest)")
    ap.add_argument("--seconds", type=float, help="Seconds of measured load (default 20; 30 with --ingest)")
    ap.add_argument("--warmup", type=float, default=3, help="Seconds of load before measuring")
    ap.add_argument("--etag", action="store_true", help="Revalidate with If-None-Match as a browser does")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ingest", type=int, default=0, metavar="N",
                    help="Ingest N synthetic records (a separate `newsgraph ingest --records`) during the load")
    ap.add_argument("--seed-docs", type=int, default=200, help="With --ingest: records stored before the load")
    ap.add_argument("--batch-size", type=int, default=200, help="With --ingest: the ingest's --batch-size")
    ap.add_argument("--json", action="store_true", help="Print the result as JSON")
    args = ap.parse_args()
    args.clients = args.clients or (20 if args.ingest else 10)
    args.seconds = args.seconds or (30 if args.ingest else 20)

    if args.ingest:
        result = run_ingest_mode(args)
    else:
        tmp = None
        db = args.db
        if db is None:
            tmp = tempfile.TemporaryDirectory(prefix="newsgraph-api-load-")
            db = str(Path(tmp.name) / "examples.db")
            build_examples_store(Path(db))
        try:
            log = Path(tempfile.mkstemp(prefix="newsgraph-serve-", suffix=".log")[1])
            try:
                with serving(db, log) as (base, pid):
                    result = measure(base, pid, args)
            finally:
                log.unlink(missing_ok=True)
            result["db"] = db
        finally:
            if tmp is not None:
                tmp.cleanup()
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print_report(args, result)
    failed = any(k["errors"] for k in result["kinds"].values())
    if "ingest" in result:
        failed = failed or not ingest_ok(result)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
