"""Extraction on a Dask cluster (``newsgraph extract/ingest --engine dask``).

Documents are read on the client, cut into chunks and sent to the cluster's
workers as ``client.submit`` tasks; each worker process builds its extractor
once (:func:`newsgraph.parallel.worker_extractor`, cached for the life of the
process) and returns records. The client yields them in input order and the
caller writes them to its store in batches, so a cluster feeding a shared
PostgreSQL store needs no database access on the workers. At most a few chunks
per worker are in flight: a backlog of any size streams through.

With no scheduler address a ``LocalCluster`` of one single-threaded worker
process per core is started (and stopped) here. On a real cluster, every
worker needs the same newsgraph installation (and model wheels), and the KB
folders given with ``--kb`` at the same absolute paths; run workers with
``--nthreads 1`` (extraction is CPU-bound Python; parallelism comes from
processes). A task that fails or whose worker dies (Dask retries it on another
worker first) becomes an ``ExtractionError`` for each of its documents; the
run goes on.
"""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from newsgraph.parallel import (
    CHUNK_SIZE,
    IN_FLIGHT_PER_WORKER,
    ChunkResult,
    ExtractorSpec,
    RunStats,
    _lean,
    available_cores,
    chunks,
    extract_chunk,
)

if TYPE_CHECKING:  # pragma: no cover
    from newsgraph.ingest.base import SourceDocument
    from newsgraph.pipeline import ExtractionError
    from newsgraph.record import Record


class DaskUnavailable(RuntimeError):
    """The scheduler cannot be reached (or distributed is not installed)."""


@contextmanager
def dask_client(scheduler: str | None, workers: int | None = None, timeout: float = 30.0):
    """A client of the scheduler at ``scheduler``, or of a LocalCluster started for the run."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise DaskUnavailable("the Dask engine needs the 'distributed' package") from exc
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=timeout)
        else:
            cluster = LocalCluster(n_workers=workers or available_cores(), threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise DaskUnavailable(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _worker_count(client) -> int:
    info = client.scheduler_info()
    return max(1, len(info.get("workers", {})))


def extract_dask(sources: Iterable["SourceDocument"], spec: ExtractorSpec, scheduler: str | None = None,
                 workers: int | None = None, chunk_size: int = CHUNK_SIZE, stats: RunStats | None = None,
                 client=None) -> Iterator["Record | ExtractionError"]:
    """Records of ``sources`` in input order, extracted on a Dask cluster (see module docstring).

    ``client``: an existing ``distributed.Client`` to use (then ``scheduler``
    and ``workers`` are ignored and the client is left open)."""
    if client is not None:
        yield from _run(client, sources, spec, chunk_size, stats)
        return
    with dask_client(scheduler, workers) as own:
        yield from _run(own, sources, spec, chunk_size, stats)


def _run(client, sources, spec: ExtractorSpec, chunk_size: int, stats: RunStats | None):
    from newsgraph.pipeline import ExtractionError

    limit = _worker_count(client) * IN_FLIGHT_PER_WORKER
    pending: deque = deque()

    def collect():
        chunk, future = pending.popleft()
        try:
            result: ChunkResult = future.result()
        except Exception as exc:  # task error, or KilledWorker after Dask's own retries
            reason = f"{type(exc).__name__}: {exc}".strip()
            return [ExtractionError(s.origin, f"Dask worker failed: {reason}") for s in chunk]
        finally:
            future.release()
        if stats is not None:
            stats.add(result)
        return result.results

    for chunk in chunks(sources, chunk_size):
        pending.append((chunk, client.submit(extract_chunk, spec, [_lean(s) for s in chunk], pure=False)))
        while len(pending) >= limit:
            yield from collect()
    while pending:
        yield from collect()
