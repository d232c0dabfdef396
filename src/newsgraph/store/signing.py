"""MinHash signatures computed ahead of the writer, in a worker process.

A signature is a pure function of a document's text and costs about as much
CPU as a sixth of storing the document; nothing in it needs the database. A
batch of records hands its texts to a :class:`SignaturePool` when it begins,
and the writer takes each signature when it reaches the record
(:meth:`Ahead.take`), usually long after the worker computed it: on a machine
with two cores or more the store's one writing process spends that time on
the database instead. A signature the pool cannot give (a worker that died,
a text it was not given) is computed in the writer, the same function on the
same text: the store's contents never depend on where it was computed.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future

from newsgraph.store import dedup

CHUNK = 50  # texts a task: small enough that the writer rarely waits for the first
MIN_TEXTS = 64  # smaller batches are signed in the writer
START_AFTER = 1000  # texts a store signs before it starts a worker: its start (~1.5 CPU-s) must pay off


def default_workers() -> int:
    """One worker where there is a second core (the writer is one process; one worker keeps up with it)."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


def sign(texts: list[str]) -> list[bytes | None]:
    """The signatures of ``texts`` as bytes (the worker's task)."""
    out: list[bytes | None] = []
    for text in texts:
        sig = dedup.signature(text)
        out.append(sig.to_bytes() if sig is not None else None)
    return out


class Ahead:
    """The signatures of one batch's texts, as the pool computes them (looked up by the text itself)."""

    def __init__(self, pool: "SignaturePool", texts: list[str]):
        self._pool = pool
        self._where: dict[str, tuple[int, int]] = {}  # text -> (task, position in it)
        unique = list(dict.fromkeys(texts))
        self._tasks: list[Future | list[bytes | None] | None] = []  # a future until its result is taken
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            for pos, text in enumerate(chunk):
                self._where[text] = (len(self._tasks), pos)
            self._tasks.append(pool.submit(chunk))

    def take(self, text: str) -> dedup.Signature | None:
        """The signature of ``text``: from the pool, else computed here."""
        where = self._where.get(text)
        if where is not None:
            values = self._result(where[0])
            if values is not None:
                blob = values[where[1]]
                return dedup.Signature.from_bytes(blob) if blob is not None else None
        return dedup.signature(text)

    def _result(self, task: int) -> list[bytes | None] | None:
        value = self._tasks[task]
        if isinstance(value, Future):
            try:
                value = value.result()
            except Exception:  # the worker stopped: the writer signs what is left
                self._pool.broken()
                value = None
            self._tasks[task] = value
        return value

    def cancel(self) -> None:
        for value in self._tasks:
            if isinstance(value, Future):
                value.cancel()


class SignaturePool:
    """A worker process that signs texts for the writer (started when a large batch first needs it).

    The worker is ``python -m newsgraph.store.signing_worker``, spoken to over a pipe
    (pickled tasks in, pickled signatures out), not a ``multiprocessing``
    child: a spawned child would run the calling script again, and a forked one
    would copy whatever locks the caller's threads held."""

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else max(0, workers)
        self._proc: subprocess.Popen | None = None
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._next = 0
        self._broken = False
        self._seen = 0  # texts of the batches so far

    @property
    def usable(self) -> bool:
        return self.workers > 0 and not self._broken

    def ahead(self, texts: list[str]) -> Ahead | None:
        """Start signing a batch's texts; ``None`` when the batch is small, when the store has signed
        fewer than ``START_AFTER`` texts (tests, small imports: no process started) or there is no worker."""
        if not self.usable or len(texts) < MIN_TEXTS:
            return None
        self._seen += len(texts)
        if self._proc is None and self._seen < START_AFTER:
            return None
        try:
            return Ahead(self, texts)
        except OSError:  # the worker could not start: sign in the writer
            self.broken()
            return None

    def submit(self, texts: list[str]) -> Future:
        """A future of the signatures of ``texts`` (as bytes, ``None`` for a text too short)."""
        if self._proc is None:
            self._start()
        future: Future = Future()
        with self._lock:
            if self._broken:
                future.set_exception(RuntimeError("the signing worker has stopped"))
                return future
            task, self._next = self._next, self._next + 1
            self._waiting[task] = future
        self._tasks.put((task, texts))
        return future

    @property
    def worker_pid(self) -> int | None:
        """The worker's process id while it runs (benchmarks read its CPU time)."""
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))  # the caller's imports
        self._proc = subprocess.Popen([sys.executable, "-m", "newsgraph.store.signing_worker"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env=env)
        threading.Thread(target=self._send, args=(self._proc,), name="newsgraph-sign-send", daemon=True).start()
        threading.Thread(target=self._receive, args=(self._proc,), name="newsgraph-sign-recv", daemon=True).start()

    def _send(self, proc: subprocess.Popen) -> None:
        stream = proc.stdin
        assert stream is not None
        try:
            while True:
                item = self._tasks.get()
                if item is None:
                    break
                pickle.dump(item, stream, protocol=pickle.HIGHEST_PROTOCOL)
                stream.flush()
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError, ValueError):
                stream.close()

    def _receive(self, proc: subprocess.Popen) -> None:
        stream = proc.stdout
        assert stream is not None
        try:
            while True:
                task, result = pickle.load(stream)
                with self._lock:
                    future = self._waiting.pop(task, None)
                if future is not None and not future.cancelled():
                    future.set_result(result)
        except Exception:  # EOF or a broken pipe: the worker is gone
            pass
        with self._lock:
            if self._proc is proc:  # not stopped by close(): it died
                self._broken = True
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(RuntimeError("the signing worker has stopped"))

    def broken(self) -> None:
        self._broken = True
        self.close()

    def close(self) -> None:
        """Stop the worker (pending signatures are then computed by the writer)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._tasks.put(None)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._tasks = queue.SimpleQueue()


__all__ = ["Ahead", "SignaturePool", "default_workers", "sign"]
