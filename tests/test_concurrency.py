"""Reads while an ingest writes: `newsgraph serve` and `newsgraph ingest --records` as two processes on one
store, SQLite (WAL) always and PostgreSQL at 127.0.0.1:5432 when reachable.

For each backend one run is made (module fixture): a store seeded with synthetic records is served, client
threads read entity profiles, searches, the document list, document details and /stats until a separate
ingest of further records (a commit every few records) has ended. The tests then look at what the clients saw:
no failed or malformed answer, counts that never go backwards, no document seen half-written, and a whole
store at the end. Latency is measured by ``benchmarks/api_load.py --ingest``, not here.
"""
from __future__ import annotations

import functools
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from newsgraph.api import reads  # noqa: E402
from newsgraph.store import Store  # noqa: E402
from newsgraph.store.synthetic import generate_records  # noqa: E402

NEWSGRAPH = Path(sys.executable).with_name("newsgraph")
SEED_RECORDS = 40
INGEST_RECORDS = 48
CLIENTS = 4
#: Records per commit: many commits, so that readers meet the store between them.
INGEST_BATCH = 4
#: Share of ingested records that are a new version of a stored URL (the version path under reads).
UPDATES = 0.05

PG_URL = os.environ.get("NEWSGRAPH_TEST_PG", "")
_PG_CANDIDATES = [PG_URL] if PG_URL else [
    "postgresql://postgres@127.0.0.1:5432/test", "postgresql://root@127.0.0.1:5432/test"]


@functools.cache
def _postgres_url() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    for candidate in _PG_CANDIDATES:
        try:
            psycopg.connect(candidate, connect_timeout=3).close()
            return candidate
        except Exception:
            continue
    return None


@dataclass
class Target:
    """A store for one run: the URL the CLI is given, and how to open it here."""
    cli_url: str
    store_url: str
    schema: str | None

    def open(self, *, upgrade: bool = True) -> Store:
        return Store(self.store_url, schema=self.schema, upgrade=upgrade)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request, tmp_path_factory) -> Iterator[Target]:
    if request.param == "sqlite":
        path = str(tmp_path_factory.mktemp("conc") / "store.db")
        yield Target(path, path, None)
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database 'test', user postgres or root, trust auth)"
                    "; set NEWSGRAPH_TEST_PG to another URL")
    import psycopg

    schema = f"ng_conc_{uuid.uuid4().hex[:10]}"  # its own schema in `test`: other tests' data untouched
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    try:
        # the CLI takes a URL only: the schema goes on the search path through libpq's options
        yield Target(f"{url}{sep}options=-csearch_path%3D{schema}", url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# --------------------------------------------------------------------------- what the clients saw


@dataclass
class DetailSeen:
    """The facts of one document as a client saw them while the ingest ran."""
    current: bool
    counts: dict[str, int]
    #: the facts of the answer that its own record lists too, as counts, for a current document
    record_counts: dict[str, int] | None = None


@dataclass
class Observations:
    failures: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    went_back: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    stats_counts: set[int] = field(default_factory=set)
    details: dict[int, list[DetailSeen]] = field(default_factory=dict)
    requests: int = 0


@dataclass
class Run:
    target: Target
    seed_ids: set[int]
    expected_versions: int
    expected_current: int
    ingest_status: int
    ingest_summary: dict
    ingest_stderr: str
    seen: Observations
    final_details: dict[int, DetailSeen | None]


def fact_counts(detail: dict) -> dict[str, int]:
    return {k: len(detail[k]) for k in ("entities", "events", "quotes", "highlights", "signals")}


def facts_against_record(detail: dict) -> tuple[dict[str, int], dict[str, int]]:
    """(stored facts, the record's facts) of one answer: events, quotes, signals and entity mentions,
    which the store keeps one for one."""
    record = detail["record"]
    stored = {k: len(detail[k]) for k in ("events", "quotes", "signals")}
    stored["mentions"] = sum(1 for h in detail["highlights"] if h.get("kind") == "entity")
    listed = {k: len(record.get(k) or []) for k in ("events", "quotes", "signals")}
    listed["mentions"] = sum(len(e.get("mentions") or []) for e in record.get("entities") or [])
    return stored, listed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_jsonl(path: Path, records) -> None:
    path.write_text("".join(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def wait_for_server(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"newsgraph serve did not start: {ascii(log.read_text(errors='replace')[-1500:])}")


class Reader:
    """One client: its own connection, reading until told to stop, checking every answer."""

    def __init__(self, n: int, base: str, entity_ids: list[int], names: list[str], seen: Observations,
                 lock: threading.Lock):
        self.rng = random.Random(n)
        self.base, self.entity_ids, self.names = base, entity_ids, names
        self.seen, self.lock = seen, lock
        self.last_stats: dict[str, int] = {}
        self.probed: set[int] = set()

    def get(self, client, url: str) -> dict | None:
        with self.lock:
            self.seen.requests += 1
        try:
            r = client.get(url)
        except httpx.HTTPError as exc:
            self.note("failures", f"{url}: {type(exc).__name__}: {exc}")
            return None
        if r.status_code != 200:
            self.note("failures", f"{url}: HTTP {r.status_code}: {r.text[:300]}")
            return None
        try:
            return r.json()
        except ValueError:
            self.note("malformed", f"{url}: not JSON: {r.text[:200]}")
            return None

    def note(self, kind: str, message: str) -> None:
        with self.lock:
            getattr(self.seen, kind).append(ascii(message))

    def expect(self, ok: bool, url: str, what: str) -> bool:
        if not ok:
            self.note("malformed", f"{url}: {what}")
        return ok

    def read_stats(self, c) -> None:
        data = self.get(c, "/stats")
        if data is None or not self.expect(all(isinstance(data.get(k), int) for k in ("documents", "versions")),
                                           "/stats", f"no counts in {data}"):
            return
        for key in ("documents", "versions"):
            if data[key] < self.last_stats.get(key, 0):
                self.note("went_back", f"/stats {key}: {self.last_stats[key]} then {data[key]}")
        self.last_stats = {k: data[k] for k in ("documents", "versions")}
        with self.lock:
            self.seen.stats_counts.add(data["versions"])

    def read_documents(self, c) -> None:
        url = "/documents?limit=500&include_old=true"
        data = self.get(c, url)
        if data is None or not self.expect(isinstance(data.get("items"), list), url, "no items"):
            return
        ids = [d.get("document_id") for d in data["items"]]
        if not self.expect(all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids), url,
                           "document ids missing or repeated"):
            return
        with self.lock:
            self.seen.stats_counts.add(len(ids))
        # every document the list shows must open, whole
        for doc in [i for i in ids if i not in self.probed][:8]:
            self.probed.add(doc)
            self.read_detail(c, doc)

    def read_detail(self, c, doc: int) -> None:
        url = f"/documents/{doc}"
        data = self.get(c, url)
        if data is None:
            return
        meta = data.get("document") or {}
        if not self.expect(meta.get("document_id") == doc and isinstance(data.get("text"), str)
                           and all(isinstance(data.get(k), list) for k in ("entities", "events", "quotes",
                                                                            "highlights", "signals")),
                           url, "not the document asked for, or lists missing"):
            return
        current = bool(meta.get("current"))
        stored, listed = facts_against_record(data) if current else (None, None)
        if current and stored != listed:
            self.note("half_written", f"{url}: facts {stored}, its record {listed}")
        with self.lock:
            self.seen.details.setdefault(doc, []).append(DetailSeen(current, fact_counts(data), listed))

    def read_entity(self, c) -> None:
        entity = self.rng.choice(self.entity_ids)
        url = f"/entities/{entity}"
        data = self.get(c, url)
        if data is not None:
            self.expect(data.get("id") == entity and isinstance(data.get("name"), str)
                        and all(isinstance(data.get(k), list) for k in ("aliases", "roles", "neighbours"))
                        and all(isinstance(data.get(k), dict) for k in ("events", "quotes")),
                        url, "not a profile of the entity asked for")

    def search(self, c) -> None:
        url = "/search?" + str(httpx.QueryParams({"q": self.rng.choice(self.names)}))
        data = self.get(c, url)
        if data is not None:
            self.expect(isinstance(data.get("entities"), list) and isinstance(data.get("documents"), list)
                        and len(data["entities"]) > 0, url, "no entity found for a stored name")

    def loop(self, stop: threading.Event, started: threading.Barrier) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as c:
            started.wait()
            while not stop.is_set():
                self.read_stats(c)
                self.read_documents(c)
                self.read_entity(c)
                self.search(c)
            self.read_stats(c)  # once more after the ingest: the final count, in order after the others


def run_ingest_under_reads(target: Target, work: Path) -> Run:
    records = list(generate_records(SEED_RECORDS + INGEST_RECORDS, seed=5, updates=UPDATES))
    expected = len({((r.url or "").strip(), r.text) for r in records})
    urls = len({(r.url or "").strip() for r in records})  # one current version per URL
    batch = work / "ingest"
    batch.mkdir()
    write_jsonl(batch / "records.jsonl", records[SEED_RECORDS:])

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = work / "serve.log"
    with target.open() as store:  # the schema in place before the server opens the store
        with open(server_log, "wb") as log:
            server = subprocess.Popen([str(NEWSGRAPH), "serve", "--db", target.cli_url, "--port", str(port),
                                       "--log-level", "warning"], env={**os.environ, "NEWSGRAPH_API_TOKEN": ""},
                                      stdout=subprocess.DEVNULL, stderr=log)
        try:
            store.add_records(records[:SEED_RECORDS])  # while the server starts
            with store.connect() as conn:
                seed_ids = {row[0] for row in conn.exec_driver_sql("SELECT id FROM documents")}
            wait_for_server(base, server, server_log)
            seen, ingest = read_during_ingest(base, target, batch)
        finally:
            server.terminate()
            server.wait(timeout=20)
        # what the finished store holds for each document the clients opened, by the endpoint's own code
        final: dict[int, DetailSeen | None] = {}
        with store.connect() as conn:
            for doc in seen.details:
                data = reads.document_detail(conn, doc, {})
                final[doc] = DetailSeen(bool(data["document"]["current"]), fact_counts(data)) if data else None
    try:
        summary = json.loads(ingest.stdout)
    except ValueError:
        summary = {}
    return Run(target, seed_ids, expected, urls, ingest.returncode, summary, ascii(ingest.stderr[-1500:]), seen,
               final)


def read_during_ingest(base: str, target: Target, batch: Path) -> tuple[Observations, subprocess.CompletedProcess]:
    """Client threads read from the server from before `newsgraph ingest --records` starts until it has ended."""
    top = httpx.get(base + "/entities", params={"limit": 30}, timeout=60).json()["items"]
    entity_ids, names = [e["id"] for e in top], [e["name"] for e in top]
    seen, lock, stop = Observations(), threading.Lock(), threading.Event()
    started = threading.Barrier(CLIENTS + 1)
    readers = [Reader(n, base, entity_ids, names, seen, lock) for n in range(CLIENTS)]
    threads = [threading.Thread(target=r.loop, args=(stop, started), daemon=True) for r in readers]
    for t in threads:
        t.start()
    started.wait()
    try:
        ingest = subprocess.run(
            [str(NEWSGRAPH), "ingest", "--records", str(batch), "--db", target.cli_url, "--json",
             "--batch-size", str(INGEST_BATCH)], capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    return seen, ingest


@pytest.fixture(scope="module")
def run(target, tmp_path_factory) -> Run:
    return run_ingest_under_reads(target, tmp_path_factory.mktemp("conc-run"))


# --------------------------------------------------------------------------- tests


def test_ingest_succeeds_beside_the_server(run):
    assert run.ingest_status == 0, run.ingest_stderr
    assert run.ingest_summary.get("failed") == 0 and run.ingest_summary.get("input_errors") == 0, run.ingest_summary
    stored = sum(run.ingest_summary.get(k, 0) for k in ("added", "new_version"))
    assert stored == INGEST_RECORDS, run.ingest_summary


def test_reads_during_ingest_never_fail(run):
    assert run.seen.requests > 0
    assert run.seen.failures == [], run.seen.failures[:5]
    assert run.seen.malformed == [], run.seen.malformed[:5]


def test_reads_overlapped_the_ingest(run):
    """Some answer showed the store between its seeded and its final state: the reads ran during the writes."""
    between = {n for n in run.seen.stats_counts if SEED_RECORDS < n < run.expected_versions}
    assert between, sorted(run.seen.stats_counts)


def test_counts_never_go_backwards(run):
    assert run.seen.went_back == [], run.seen.went_back[:5]
    assert max(run.seen.stats_counts) == run.expected_versions


def test_store_whole_after_ingest(run):
    with run.target.open(upgrade=False) as store:
        assert store.check() == []
        stats = store.stats()
    assert stats["versions"] == run.expected_versions == SEED_RECORDS + INGEST_RECORDS
    assert stats["documents"] == run.expected_current


def test_no_document_seen_half_written(run):
    """Each document is written in one transaction: from the moment a reader can list it, its detail
    holds every fact the finished store holds for it."""
    new = [doc for doc in run.seen.details if doc not in run.seed_ids]
    assert new, "no document stored by the ingest was read during it"
    # each answer for a current document holds every event, quote, signal and mention of its record
    assert run.seen.half_written == [], run.seen.half_written[:5]
    for doc, views in run.seen.details.items():
        final = run.final_details[doc]
        assert final is not None, f"document {doc} was read during the ingest but is not in the store"
        if not final.current:
            continue  # superseded by a later version since: its facts now come from its record
        for view in views:
            assert view.current, f"document {doc} was read as superseded, and is current now"
            assert view.counts == final.counts, doc


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_store(request, tmp_path) -> Iterator[Store]:
    if request.param == "sqlite":
        store = Store(str(tmp_path / "store.db"))
        yield store
        store.close()
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database 'test', user postgres or root, trust auth)"
                    "; set NEWSGRAPH_TEST_PG to another URL")
    import psycopg

    schema = f"ng_conc_{uuid.uuid4().hex[:10]}"
    store = Store(url, schema=schema)
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_one_read_sees_one_state_of_the_store(fresh_store):
    """All the statements of one read (one API answer) see the store as it was when the read began, even when
    a new version supersedes the document between them: no answer mixes the old document with its facts
    half removed (PostgreSQL reads are REPEATABLE READ; READ COMMITTED took a new snapshot per statement)."""
    record = next(generate_records(1, seed=3))
    first = fresh_store.add_record(record)
    assert first.status == "added" and first.document_id is not None
    with fresh_store.connect() as conn:
        before = reads.document_detail(conn, first.document_id, {})
        newer = fresh_store.add_record(record.model_copy(update={"text": record.text + "\n\nCorrection."}))
        assert newer.status == "new_version" and newer.previous_id == first.document_id
        during = reads.document_detail(conn, first.document_id, {})
    assert before is not None and before["document"]["current"] and before["entities"]
    assert during == before
    with fresh_store.connect() as conn:  # the next read sees the new version
        after = reads.document_detail(conn, first.document_id, {})
    assert after is not None and after["document"]["current"] is False
