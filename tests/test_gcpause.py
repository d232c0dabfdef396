"""The cyclic garbage collector is held off while a batch is written, and given back as it was."""
from __future__ import annotations

import gc
import threading

import pytest

from newsgraph.store import Store, writer
from newsgraph.store.gcpause import collector_paused
from newsgraph.store.synthetic import generate_records


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_pause_nests_and_restores():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_pause_restores_after_an_error():
    with pytest.raises(ValueError):
        with collector_paused():
            raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_threads():
    inside, release = threading.Event(), threading.Event()

    def hold():
        with collector_paused():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    inside.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other thread's pause is not over
    release.set()
    t.join()
    assert gc.isenabled()


def test_store_writes_batches_with_the_collector_paused(tmp_path, monkeypatch):
    seen: list[bool] = []
    real = writer.store_document

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "store_document", spy)
    monkeypatch.setattr("newsgraph.store.api.store_document", spy)
    with Store(tmp_path / "s.db", minhash_workers=0) as store:
        results = store.add_records(list(generate_records(30, seed=4)), batch_size=10)
    assert len(results) == 30 and seen and not any(seen)
    assert gc.isenabled()
