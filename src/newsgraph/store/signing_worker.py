"""The signing worker: ``python -m newsgraph.store.signing_worker`` (started by :class:`SignaturePool`).

Reads pickled ``(task, texts)`` from standard input until it closes and writes
``(task, signatures)`` for each; a module of its own, so that the package does
not import it before it runs.
"""
from __future__ import annotations

import os
import pickle
import sys

from newsgraph.store.signing import sign


def _serve() -> None:
    """The worker: sign each task read from standard input until it closes."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to standard error, not into the replies
    src = sys.stdin.buffer
    while True:
        try:
            task, texts = pickle.load(src)
        except EOFError:
            return
        pickle.dump((task, sign(texts)), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


if __name__ == "__main__":
    _serve()
