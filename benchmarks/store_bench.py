#!/usr/bin/env python3
"""Knowledge-store benchmark: records stored per second, query latency, database size.

    .venv/bin/python benchmarks/store_bench.py [--n 100000] [--db sqlite|PATH|postgresql://...] [--json FILE]

Builds a synthetic store of N documents from generated records
(``newsgraph.store.synthetic``, deterministic for a seed: a skewed cast of
people, organizations and states, roles, events reported by several outlets,
quotes, narratives, syndicated copies and updated versions), then times:

* storing: records/s over the time spent in ``Store.add_records`` for the whole
  run (near-duplicate detection, clustering and aggregates included; record
  generation excluded; each record all-or-nothing, commits every
  ``--batch-size``), also per CPU-second of this process (SQLite works inside
  it) and of the MinHash worker that signs texts ahead of it and, for a local
  PostgreSQL, of the server processes serving it, since the machine may be
  shared: the load average during the run is reported;
* ``entity_profile`` and ``timeline`` latency, p50/p95 over ``--queries``
  entities, half drawn from the 100 most-mentioned (hubs), half uniformly;
* the database size.

Targets (issue 5): >= 300 records/s stored on SQLite, profile p95 <= 50 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class ServerCpu:
    """CPU time of the PostgreSQL backends serving the store's connections (when the server is local)."""

    def __init__(self, store) -> None:
        from sqlalchemy import event

        self.pids: set[int] = set()
        self.start: dict[int, float] = {}

        @event.listens_for(store.engine, "connect")
        def _backend(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
            cur.close()
            dbapi_conn.rollback()  # leave no transaction open: the store sets each connection's isolation level
            self.pids.add(pid)
            self.start.setdefault(pid, self._cpu(pid) or 0.0)

        store.engine.dispose()  # connections opened from now on are seen

    @staticmethod
    def _cpu(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # not local, or gone
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float | None:
        now = {pid: self._cpu(pid) for pid in self.pids}
        if not now or any(v is None for v in now.values()):
            return None
        return sum(v - self.start[pid] for pid, v in now.items())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="documents to store (default 100000)")
    ap.add_argument("--db", default="sqlite", help="'sqlite' (a temporary file), a SQLite path, or a postgresql:// URL")
    ap.add_argument("--schema", help="PostgreSQL schema to build in (default: a fresh one, dropped at the end)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--batch-size", type=int, default=2000, help="records per transaction (default 2000)")
    ap.add_argument("--chunk", type=int, default=2000,
                    help="records generated ahead of each timed store call (at least --batch-size)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--minhash-workers", type=int, default=None,
                    help="processes signing texts ahead of the writer (default: the store's, 1 with a second core)")
    ap.add_argument("--keep", action="store_true", help="keep the database (and PostgreSQL schema)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    args.chunk = max(args.chunk, args.batch_size)

    from newsgraph.store import Store
    from newsgraph.store.synthetic import Generator

    tmpdir = None
    schema = None
    if args.db == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="newsgraph-bench-")
        url = str(Path(tmpdir) / "bench.db")
    elif args.db.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
        url = args.db
        schema = args.schema or f"ng_bench_{uuid.uuid4().hex[:8]}"
    else:
        url = args.db
    store = Store(url, schema=schema, minhash_workers=args.minhash_workers)
    backend = store.dialect
    server = ServerCpu(store) if backend == "postgresql" else None
    print(f"store: {store!r}{f' schema {schema}' if schema else ''}; n={args.n} seed={args.seed}", file=sys.stderr)

    gen = Generator(args.seed, n=args.n)
    store_wall = store_cpu = gen_s = 0.0
    statuses: dict[str, int] = {}
    done = 0
    loads: list[float] = []
    t_start = time.perf_counter()
    while done < args.n:
        t0 = time.perf_counter()
        chunk = [gen.record(i) for i in range(done, min(args.n, done + args.chunk))]
        gen_s += time.perf_counter() - t0
        w0, c0 = time.perf_counter(), time.process_time()
        for r in store.add_records(chunk, batch_size=args.batch_size):
            statuses[r.status] = statuses.get(r.status, 0) + 1
        store_wall += time.perf_counter() - w0
        store_cpu += time.process_time() - c0
        done += len(chunk)
        loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))
        if done % 10_000 < args.chunk or done == args.n:
            print(f"  {done:>8} stored  {done / store_wall:7.1f} records/s (store time), load {loads[-1]:.1f}",
                  file=sys.stderr)
    server_cpu = server.seconds() if server else None
    signer = store._signer.worker_pid  # the MinHash worker, if it ran: its CPU counts too
    signer_cpu = ServerCpu._cpu(signer) if signer is not None else None
    total_wall = time.perf_counter() - t_start
    if statuses.get("failed"):
        print(f"warning: {statuses['failed']} record(s) failed", file=sys.stderr)

    # queries over a fixed sample of entities: hubs and the long tail
    rng = random.Random(args.seed)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, name FROM entities WHERE doc_count > 0 AND merged_into_id IS NULL ORDER BY doc_count DESC, id"
        ).all()
    hubs, tail = rows[:100], rows
    sample = [rng.choice(hubs) for _ in range(args.queries // 2)] + [rng.choice(tail) for _ in range(args.queries - args.queries // 2)]
    rng.shuffle(sample)
    store.entity_profile(sample[0][0])  # warm the connection pool and caches
    profile_ms, timeline_ms, search_ms = [], [], []
    years = list(range(2019, 2026))
    words = ["security", "Russia", "agreement", "instructors", "Republished", "Mali"]
    for eid, name in sample:
        t0 = time.perf_counter()
        store.entity_profile(name)
        profile_ms.append((time.perf_counter() - t0) * 1000)
        start = f"{rng.choice(years)}-{rng.randint(1, 12):02d}" if rng.random() < 0.5 else None
        t0 = time.perf_counter()
        store.timeline(entity=name, start=start, limit=100)
        timeline_ms.append((time.perf_counter() - t0) * 1000)
    for _ in range(max(10, args.queries // 10)):
        t0 = time.perf_counter()
        store.search_text(rng.choice(words), limit=20)
        search_ms.append((time.perf_counter() - t0) * 1000)

    stats = store.stats()
    size = stats.get("database_bytes")
    if backend == "sqlite":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(store.engine.url.database)
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    figures = {
        "backend": backend, "n": args.n, "seed": args.seed, "statuses": statuses,
        "records_per_s": round(args.n / store_wall, 1),
        "records_per_cpu_s": round(args.n / store_cpu, 1),
        "server_cpu_s": round(server_cpu, 1) if server_cpu is not None else None,
        "records_per_cpu_s_with_server": round(args.n / (store_cpu + server_cpu), 1) if server_cpu else None,
        "minhash_worker_cpu_s": round(signer_cpu, 1) if signer_cpu is not None else None,
        "records_per_cpu_s_with_worker": round(args.n / (store_cpu + (server_cpu or 0) + signer_cpu), 1)
        if signer_cpu is not None else None,
        "load_average_during_store": {"mean": round(statistics.mean(loads), 2), "max": round(max(loads), 2)},
        "cpus": os.cpu_count(),
        "store_s": round(store_wall, 1), "generate_s": round(gen_s, 1), "total_s": round(total_wall, 1),
        "profile_ms": {"p50": round(pct(profile_ms, 0.5), 2), "p95": round(pct(profile_ms, 0.95), 2),
                       "max": round(max(profile_ms), 2)},
        "timeline_ms": {"p50": round(pct(timeline_ms, 0.5), 2), "p95": round(pct(timeline_ms, 0.95), 2),
                        "max": round(max(timeline_ms), 2)},
        "search_ms": {"p50": round(pct(search_ms, 0.5), 2), "p95": round(pct(search_ms, 0.95), 2)},
        "database_bytes": size, "database_mb": round((size or 0) / 2**20, 1),
        "counts": {k: stats[k] for k in ("documents", "versions", "stories", "entities", "mentions", "events",
                                         "event_clusters", "corroborated_clusters", "quotes", "edges")},
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "mean_profile_ms": round(statistics.mean(profile_ms), 2),
    }
    server_line = "" if server_cpu is None else \
        f", {figures['records_per_cpu_s_with_server']} counting the server's {figures['server_cpu_s']} CPU-s too"
    if signer_cpu is not None:
        server_line += (f", {figures['records_per_cpu_s_with_worker']} counting the MinHash worker's "
                        f"{figures['minhash_worker_cpu_s']} CPU-s too")
    print(f"""
backend               {backend}
documents             {args.n} ({statuses})
stored                {figures['records_per_s']} records/s (store time {figures['store_s']} s; \
{figures['records_per_cpu_s']} records per CPU-second of this process{server_line}; \
generation {figures['generate_s']} s not counted)
machine load          {figures['load_average_during_store']['mean']} on average while storing \
(max {figures['load_average_during_store']['max']}; {figures['cpus']} CPUs)
entity profile        p50 {figures['profile_ms']['p50']} ms, p95 {figures['profile_ms']['p95']} ms \
(max {figures['profile_ms']['max']} ms; {len(profile_ms)} queries, half on the 100 biggest hubs)
timeline              p50 {figures['timeline_ms']['p50']} ms, p95 {figures['timeline_ms']['p95']} ms
full-text search      p50 {figures['search_ms']['p50']} ms, p95 {figures['search_ms']['p95']} ms
database size         {figures['database_mb']} MiB
counts                {figures['counts']}""")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    store.close()
    if not args.keep:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if schema and not args.schema:
            s = Store(url, schema=schema, upgrade=False)
            with s.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
