"""MinHash signatures computed ahead of the writer in a worker process (newsgraph.store.signing)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from newsgraph.store import Store, dedup, signing


def _texts(n: int) -> list[str]:
    words = "army junta Wagner instructors Bamako Niamey agreement ministry convoy drone".split()
    out = []
    for i in range(n):
        body = " ".join(words[(i * 7 + j * 3) % len(words)] + str((i + j) % 13) for j in range(40 + i % 9))
        out.append(f"Story {i}. {body}.")
    out.append("too short")  # no signature
    out.append(out[0])  # a repeated text
    return out


@pytest.fixture(autouse=True)
def _start_at_once(monkeypatch):
    monkeypatch.setattr(signing, "START_AFTER", 0)  # the worker starts with the first batch


def _expected(text: str) -> bytes | None:
    sig = dedup.signature(text)
    return sig.to_bytes() if sig is not None else None


def test_sign_is_the_store_signature():
    texts = _texts(5)
    assert signing.sign(texts) == [_expected(t) for t in texts]


def test_worker_signs_ahead_of_the_writer():
    pool = signing.SignaturePool(1)
    try:
        texts = _texts(signing.MIN_TEXTS + 30)
        ahead = pool.ahead(texts)
        assert ahead is not None
        for text in texts:
            sig = ahead.take(text)
            assert (sig.to_bytes() if sig is not None else None) == _expected(text)
        assert pool._proc is not None and pool._proc.poll() is None  # the worker did the work and lives on
        assert pool.ahead(texts[:signing.MIN_TEXTS - 1]) is None  # small batches are signed in the writer
    finally:
        pool.close()
    assert pool._proc is None


def test_worker_that_dies_leaves_the_writer_to_sign():
    pool = signing.SignaturePool(1)
    try:
        texts = _texts(signing.MIN_TEXTS * 4)
        pool.submit(["warm up " * 20]).result(timeout=60)  # the worker is up
        proc = pool._proc
        proc.kill()
        proc.wait()
        ahead = pool.ahead(texts)
        for text in texts:  # every signature still right: computed here
            sig = ahead.take(text) if ahead else dedup.signature(text)
            assert (sig.to_bytes() if sig is not None else None) == _expected(text)
        assert not pool.usable and pool.ahead(texts) is None
    finally:
        pool.close()


def test_no_workers_configured():
    pool = signing.SignaturePool(0)
    assert not pool.usable and pool.ahead(_texts(100)) is None


def test_worker_starts_once_the_store_has_signed_enough(monkeypatch):
    monkeypatch.setattr(signing, "START_AFTER", 250)
    pool = signing.SignaturePool(1)
    try:
        texts = _texts(signing.MIN_TEXTS + 36)  # 102 texts a batch
        assert pool.ahead(texts) is None and pool.ahead(texts) is None and pool._proc is None
        assert pool.ahead(texts) is not None and pool._proc is not None  # 306 texts: started
    finally:
        pool.close()


def test_a_store_dropped_unclosed_stops_its_worker(tmp_path):
    import gc

    store = Store(tmp_path / "s.db", minhash_workers=1)
    ahead = store._signer.ahead(_texts(signing.MIN_TEXTS))
    assert ahead is not None
    proc = store._signer._proc
    ahead.take(_texts(1)[0])
    del store, ahead
    gc.collect()
    assert proc.wait(timeout=30) == 0


@pytest.mark.parametrize("workers", [0, 1])
def test_store_is_the_same_with_and_without_the_worker(tmp_path, workers):
    from newsgraph.store.integrity import fingerprint
    from newsgraph.store.synthetic import generate_records

    recs = list(generate_records(150, seed=5, syndication=0.2, updates=0.05))
    prints = []
    for name, w in (("a", workers), ("b", 0)):
        with Store(tmp_path / f"{name}.db", minhash_workers=w) as store:
            results = store.add_records(recs, batch_size=500)
            assert not [r for r in results if r.status == "failed"]
            assert store.check() == []
            assert store.stats()["near_duplicate_links"] > 0
            with store.engine.connect() as conn:
                prints.append(fingerprint(conn))
    assert prints[0] == prints[1]


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """The worker is its own module: the calling script is not run again (as a spawned child would)."""
    marker = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        from newsgraph.store.synthetic import generate_records
        from newsgraph.store import Store, signing
        signing.START_AFTER = 0
        with open({str(marker)!r}, "a") as f:
            f.write("run\\n")
        store = Store({str(tmp_path / "s.db")!r}, minhash_workers=1)
        results = store.add_records(list(generate_records(80, seed=2)), batch_size=100)
        assert store._signer._proc is not None, "the worker was not used"
        store.close()
        print(sum(r.status == "added" for r in results))
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "run\n"
    assert int(done.stdout.split()[-1]) > 0
