"""Extraction on all local cores: worker processes that load the models once each.

``extract_parallel(sources, spec, workers)`` sends chunks of documents to a
pool of ``workers`` processes and yields their records (or
``ExtractionError``s) in input order, like ``Extractor.extract_many`` does in
one process. Each worker builds its ``Extractor`` once, in the pool's
initializer, from an :class:`ExtractorSpec` (the KB folders and stages), so
spaCy, the KB rulers and the embedding model load once per worker, not per
document. At most a few chunks per worker are in flight: a corpus of any size
streams through in bounded memory.

Processes are started with ``spawn``: forking a parent that has already loaded
onnxruntime or a BLAS thread pool is not safe. A worker that dies (killed,
out of memory, a crash in native code) costs only the documents it held: the
pool is restarted, the chunk is retried one document at a time, and a document
that kills a worker again is reported as an ``ExtractionError``.
"""
from __future__ import annotations

import os
import resource
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from newsgraph.ingest.base import SourceDocument
    from newsgraph.pipeline import ExtractionError, Extractor, StageClock
    from newsgraph.record import Record

CHUNK_SIZE = 8          # documents per task: one spaCy batch, small enough to balance the load
IN_FLIGHT_PER_WORKER = 3
AUTO_MIN_DOCS_PER_WORKER = 16  # below this, starting a worker costs more than it saves
MAX_RESTARTS = 5        # consecutive pool failures without a finished chunk before giving up
# One thread per process for the numeric libraries: parallelism comes from the processes.
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NEWSGRAPH_EMBED_THREADS")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), not all the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ExtractorSpec:
    """What a worker needs to build the same extractor as the parent (picklable)."""

    kb_dirs: tuple[str, ...] = ()
    stages: tuple[str, ...] | None = None
    plugins: tuple[str, ...] = ()  # modules to import first: they register extra stages
    factory: str | None = None     # "module:function(spec) -> Extractor" for a custom extractor

    @classmethod
    def of(cls, kb_dirs: Iterable[os.PathLike | str] = (), stages: Iterable[str] | None = None,
           plugins: Iterable[str] = (), factory: str | None = None) -> "ExtractorSpec":
        # absolute paths: a Dask worker may run in another directory
        return cls(tuple(os.path.abspath(p) for p in kb_dirs), tuple(stages) if stages is not None else None,
                   tuple(plugins), factory)

    def build(self) -> "Extractor":
        import importlib

        from newsgraph.kb import load_kb
        from newsgraph.pipeline import DEFAULT_STAGES, Extractor

        for module in self.plugins:
            importlib.import_module(module)
        if self.factory:
            module, _, name = self.factory.partition(":")
            return getattr(importlib.import_module(module), name)(self)

        kb = load_kb([os.fspath(p) for p in self.kb_dirs])
        return Extractor(kb, stages=self.stages if self.stages is not None else DEFAULT_STAGES)


@dataclass
class ChunkResult:
    """A worker's answer for one chunk, with what it cost."""

    results: list
    clock: "StageClock"
    cpu_s: float
    wall_s: float
    peak_rss_mib: float
    pid: int


@dataclass
class RunStats:
    """Totals over the chunks of a run (for ``newsgraph bench`` and progress output)."""

    documents: int = 0
    cpu_s: float = 0.0
    peak_rss_mib: float = 0.0
    worker_pids: set[int] = field(default_factory=set)
    restarts: int = 0
    clock: "StageClock | None" = None

    def add(self, chunk: ChunkResult) -> None:
        from newsgraph.pipeline import StageClock

        self.documents += len(chunk.results)
        self.cpu_s += chunk.cpu_s
        self.peak_rss_mib = max(self.peak_rss_mib, chunk.peak_rss_mib)
        self.worker_pids.add(chunk.pid)
        if self.clock is None:
            self.clock = StageClock()
        self.clock.merge(chunk.clock)


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if os.uname().sysname == "Darwin" else peak / 1024


# --------------------------------------------------------------------------- worker side

_EXTRACTORS: dict[ExtractorSpec, "Extractor"] = {}
_INIT_ERROR: str | None = None
# An extractor serves one document batch at a time (a Dask worker may run tasks in threads).
_EXTRACTOR_LOCK = threading.Lock()


def worker_extractor(spec: ExtractorSpec) -> "Extractor":
    """This process's extractor for ``spec``, built on first use."""
    with _EXTRACTOR_LOCK:
        extractor = _EXTRACTORS.get(spec)
        if extractor is None:
            extractor = _EXTRACTORS[spec] = spec.build()
        return extractor


def _init_worker(spec: ExtractorSpec) -> None:
    global _INIT_ERROR
    try:
        worker_extractor(spec)
    except Exception as exc:  # reported with the first chunk, not as a dead pool
        _INIT_ERROR = f"{type(exc).__name__}: {exc}"


def extract_chunk(spec: ExtractorSpec, chunk: list["SourceDocument"]) -> ChunkResult:
    """Extract one chunk in this process (a pool or Dask worker)."""
    from newsgraph.pipeline import ExtractionError, StageClock

    wall, cpu = time.perf_counter(), time.process_time()
    if _INIT_ERROR is not None:
        results: list = [ExtractionError(s.origin, f"worker could not start: {_INIT_ERROR}") for s in chunk]
        clock = StageClock()
    else:
        extractor = worker_extractor(spec)
        with _EXTRACTOR_LOCK:
            before = StageClock()
            before.merge(extractor.clock)
            results = list(extractor.extract_many(chunk, batch_size=max(1, len(chunk))))
            clock = _difference(extractor.clock, before)
    return ChunkResult(results, clock, time.process_time() - cpu, time.perf_counter() - wall, peak_rss_mib(),
                       os.getpid())


def _difference(after: "StageClock", before: "StageClock") -> "StageClock":
    from newsgraph.pipeline import StageClock

    out = StageClock(documents=after.documents - before.documents)
    for name, wall in after.wall.items():
        out.add(name, wall - before.wall.get(name, 0.0), after.cpu.get(name, 0.0) - before.cpu.get(name, 0.0))
    return out


# --------------------------------------------------------------------------- parent side


def _lean(source: "SourceDocument") -> "SourceDocument":
    """The document without its raw original, which extraction does not read (less to pickle)."""
    return replace(source, raw="") if source.raw else source


def chunks(sources: Iterable["SourceDocument"], size: int) -> Iterator[list["SourceDocument"]]:
    it = iter(sources)
    while batch := list(islice(it, size)):
        yield batch


def _set_thread_env() -> None:
    for name in _THREAD_ENV:
        os.environ.setdefault(name, "1")


class LocalPool:
    """A restartable pool of extraction worker processes."""

    def __init__(self, spec: ExtractorSpec, workers: int):
        import multiprocessing

        self.spec = spec
        self.workers = max(1, int(workers))
        self._context = multiprocessing.get_context("spawn")
        self._executor: ProcessPoolExecutor | None = None
        self.restarts = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            _set_thread_env()
            self._executor = ProcessPoolExecutor(self.workers, mp_context=self._context,
                                                 initializer=_init_worker, initargs=(self.spec,))
        return self._executor

    def submit(self, chunk: list["SourceDocument"]) -> Future:
        return self._pool().submit(extract_chunk, self.spec, [_lean(s) for s in chunk])

    def restart(self) -> None:
        self.close(wait=False)
        self.restarts += 1

    def warm(self) -> None:
        """Start every worker and wait until each has loaded its models."""
        futures = [self._pool().submit(_ready, self.spec, 0.2) for _ in range(self.workers)]
        for f in futures:
            f.result()

    def close(self, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> "LocalPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, sources: Iterable["SourceDocument"], chunk_size: int = CHUNK_SIZE,
            stats: RunStats | None = None) -> Iterator["Record | ExtractionError"]:
        """Records in input order (see module docstring)."""
        pending: deque[tuple[list, Future]] = deque()
        limit = self.workers * IN_FLIGHT_PER_WORKER
        failures = 0
        for chunk in chunks(sources, chunk_size):
            pending.append((chunk, self.submit(chunk)))
            while len(pending) >= limit:
                _, results, failures = self._collect(pending, failures, stats)
                yield from results
        while pending:
            _, results, failures = self._collect(pending, failures, stats)
            yield from results

    def _collect(self, pending: deque, failures: int, stats: RunStats | None) -> tuple[list, list, int]:
        from newsgraph.pipeline import ExtractionError

        chunk, future = pending.popleft()
        try:
            result: ChunkResult = future.result()
        except BrokenProcessPool:
            failures += 1
            if failures > MAX_RESTARTS:
                raise RuntimeError(f"extraction workers keep dying ({failures} times in a row); giving up") from None
            # Every chunk in flight was lost with the pool: restart it, retry this chunk
            # one document at a time, and send the others again.
            self.restart()
            if stats is not None:
                stats.restarts += 1
            retried = [(c, None) for c, _ in pending]
            pending.clear()
            results = [self._one_by_one(doc, stats) for doc in chunk]
            for c, _ in retried:
                pending.append((c, self.submit(c)))
            recovered = any(hasattr(r, "doc_id") for r in results)
            return chunk, results, 0 if recovered else failures
        except Exception as exc:  # the task itself failed (it should not: stages are guarded)
            return chunk, [ExtractionError(s.origin, f"worker failed: {type(exc).__name__}: {exc}") for s in chunk], 0
        if stats is not None:
            stats.add(result)
        return chunk, result.results, 0

    def _one_by_one(self, doc: "SourceDocument", stats: RunStats | None):
        from newsgraph.pipeline import ExtractionError

        try:
            result: ChunkResult = self.submit([doc]).result()
        except BrokenProcessPool:
            self.restart()
            if stats is not None:
                stats.restarts += 1
            return ExtractionError(doc.origin, "the extraction worker died on this document (crash or out of memory)")
        if stats is not None:
            stats.add(result)
        return result.results[0]


def _ready(spec: ExtractorSpec, pause: float) -> int:
    """Warm-up task: the initializer has loaded the models; hold the worker briefly so
    that each warm-up task lands on a different worker."""
    if _INIT_ERROR is None:
        worker_extractor(spec)
    time.sleep(pause)
    return os.getpid()


def extract_parallel(sources: Iterable["SourceDocument"], spec: ExtractorSpec, workers: int,
                     chunk_size: int = CHUNK_SIZE, stats: RunStats | None = None
                     ) -> Iterator["Record | ExtractionError"]:
    """Records of ``sources`` in input order, extracted by ``workers`` processes."""
    with LocalPool(spec, workers) as pool:
        yield from pool.run(sources, chunk_size, stats)


def plan_workers(requested: int | None, sources: Iterable["SourceDocument"]) -> tuple[int, Iterator["SourceDocument"]]:
    """How many workers to use, and the sources (a peeked iterator).

    ``requested`` None means "all cores", but never more workers than the input
    keeps busy: a few documents are extracted faster in this process than by
    workers that each load the models first."""
    if requested is not None:
        return max(1, requested), iter(sources)
    cores = available_cores()
    it = iter(sources)
    head = list(islice(it, cores * AUTO_MIN_DOCS_PER_WORKER))
    workers = max(1, min(cores, len(head) // AUTO_MIN_DOCS_PER_WORKER))

    def chained() -> Iterator["SourceDocument"]:
        yield from head
        yield from it

    return workers, chained()
