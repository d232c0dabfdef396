"""Crash safety: `newsgraph ingest` killed (SIGKILL) in the middle of a batch leaves every document whole or
absent; run again, it completes the store exactly as an uninterrupted run would (SQLite, and PostgreSQL at
127.0.0.1:5432 when reachable)."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from newsgraph.record import Record
from newsgraph.store import Store
from newsgraph.store.batch import PG_WRITE_LOCK
from newsgraph.store.integrity import ID_REFS, check, expected_facts, fingerprint
from newsgraph.store.synthetic import generate_records
from newsgraph.store.util import content_hash

from test_store import _postgres_url

RECORDS = 200
BATCH = 20
KILL_AFTER = 2 * BATCH  # documents committed before the kill

def canonical(store: Store) -> dict[str, list[str]]:
    with store.engine.connect() as conn:
        return fingerprint(conn)


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> tuple[Path, list[Record]]:
    folder = tmp_path_factory.mktemp("crash_records")
    recs = list(generate_records(RECORDS, seed=11, syndication=0.1, updates=0.05))
    (folder / "records.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in recs), encoding="utf-8")
    return folder, recs


def _newsgraph() -> list[str]:
    script = Path(sys.executable).with_name("newsgraph")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from newsgraph.cli import main; main()"]


def _ingest(folder: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([*_newsgraph(), "ingest", "--records", str(folder), "--db", url,
                             "--batch-size", str(BATCH), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class SqliteProbe:
    def __init__(self, path: Path):
        self.path = path

    def committed(self) -> int:
        if not self.path.exists():
            return 0
        with sqlite3.connect(self.path, timeout=5) as conn:
            try:
                return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:  # not created yet
                return 0

    def writing(self) -> bool:
        """A writer holds the write lock (a batch's transaction is open)."""
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()


class PostgresProbe:
    def __init__(self, url: str, schema: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True, options=f"-csearch_path={schema}")
        self.schema = schema

    def committed(self) -> int:
        row = self.conn.execute("SELECT to_regclass(%s)", (f'"{self.schema}".documents',)).fetchone()
        if row[0] is None:
            return 0
        return self.conn.execute(f'SELECT count(*) FROM "{self.schema}".documents').fetchone()[0]

    def writing(self) -> bool:
        """A writer holds the schema's write lock (taken, and let go at once, when free)."""
        return not self.conn.execute(
            f"SELECT pg_try_advisory_xact_lock({PG_WRITE_LOCK}, hashtext(current_schema()))").fetchone()[0]


def _kill_mid_batch(proc: subprocess.Popen, probe, deadline_s: float = 120) -> int:
    """SIGKILL the ingest once some batches are committed and the next one is being written."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"the ingest ended before it could be killed: {proc.stderr.read()[-2000:]}")
        if probe.committed() >= KILL_AFTER and probe.writing():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
            return probe.committed()
        time.sleep(0.005)
    proc.kill()
    pytest.fail("the ingest did not get far enough in time")


def _whole_or_absent(store: Store, recs: list[Record]) -> None:
    """Each stored document is one of the records, with all of its facts; nothing else is stored."""
    by_hash = {content_hash((r.url or "").strip() or None, r.text): r for r in recs}
    with store.engine.connect() as conn:
        assert check(conn, limit=50) == []
        rows = conn.exec_driver_sql("SELECT id, content_hash, is_current, record_json, text FROM documents").all()
        counts = {t: dict(conn.exec_driver_sql(f"SELECT document_id, count(*) FROM {t} GROUP BY document_id").all())
                  for t in ("mentions", "events", "quotes", "roles", "signals")}
    assert rows, "nothing was committed before the kill"
    for doc, chash, current, record_json, text in rows:
        source = by_hash.get(chash)
        assert source is not None, f"document {doc} is none of the records"
        stored = Record.model_validate({**(json.loads(record_json) if isinstance(record_json, str) else record_json),
                                        "text": text})
        assert stored == source
        want = expected_facts(json.loads(source.model_dump_json()))
        for table in counts:
            assert counts[table].get(doc, 0) == (want[table] if current else 0), (doc, table)


def _run_crash_test(url: str, probe, folder: Path, recs: list[Record], reference: Store, open_store) -> None:
    proc = _ingest(folder, url)
    committed = _kill_mid_batch(proc, probe)
    assert KILL_AFTER <= committed < len(recs)
    store = open_store()
    try:
        _whole_or_absent(store, recs)
    finally:
        store.close()

    again = _ingest(folder, url)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    summary = json.loads(out)
    assert summary["failed"] == 0 and summary["input_errors"] == 0
    assert summary["unchanged"] >= committed  # what the killed run committed is not stored twice

    store = open_store()
    try:
        _whole_or_absent(store, recs)
        got, want = canonical(store), canonical(reference)
        for table in ID_REFS:  # as if it had never been killed
            assert got[table] == want[table], (table, sorted(set(got[table]) ^ set(want[table]))[:4])
    finally:
        store.close()


@pytest.fixture(scope="module")
def reference(records, tmp_path_factory):
    """The store an uninterrupted ingest of the records gives."""
    folder, recs = records
    store = Store(tmp_path_factory.mktemp("crash_reference") / "reference.db")
    origin = folder / "records.jsonl"  # the ingest's source of a record: its file and line
    results = store.add_records([(r, None, f"{origin}:{i}") for i, r in enumerate(recs, 1)], batch_size=BATCH)
    assert not [r for r in results if r.status == "failed"]
    yield store
    store.close()


def test_sqlite_ingest_killed_mid_batch(records, reference, tmp_path):
    folder, recs = records
    path = tmp_path / "crash.db"
    _run_crash_test(str(path), SqliteProbe(path), folder, recs, reference, lambda: Store(path))


def test_postgresql_ingest_killed_mid_batch(records, reference):
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database 'test'); set NEWSGRAPH_TEST_PG")
    import psycopg

    schema = f"ng_crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    probe = PostgresProbe(url, schema)
    try:
        sep = "&" if "?" in url else "?"
        cli_url = f"{url}{sep}options=-csearch_path%3D{schema}"  # the ingest's tables in the schema
        _run_crash_test(cli_url, probe, folder=records[0], recs=records[1], reference=reference,
                        open_store=lambda: Store(url, schema=schema))
    finally:
        probe.conn.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
