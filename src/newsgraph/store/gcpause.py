"""Python's cyclic garbage collector held off while a batch is written.

A batch of 2,000 records allocates hundreds of thousands of row tuples and
dicts that live until its deferred rows are written. Each burst of
allocations sets off collections, and every third-generation one walks all
the objects of the process (a million where the caller holds its records):
a sixth of the write time in ``benchmarks/store_bench.py``. The writer makes
no reference cycles that must be found within a batch (reference counting
frees its garbage), so collection waits until the batch ends. Process-wide,
so nested and concurrent pauses are counted; a collector that the caller
had turned off stays off.
"""
from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_resume = False  # whether the collector was on when the first pause began


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()


__all__ = ["collector_paused"]
