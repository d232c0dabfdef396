"""Weak ETags for read endpoints, from the store's data version.

Every GET answer of the API depends only on the request and the store's
contents, so its validator is ``W/"<digest of data version, path, query>"``.
The version is cheap to know: on SQLite, the size and modification time of
the database file and its write-ahead log (any commit appends to the log),
together with a fingerprint query (row counts and highest ids of documents,
events, quotes, entities and judgements) run again only when they move (or
every two seconds); on PostgreSQL, the fingerprint query on every request. A request whose ``If-None-Match`` holds the
current tag gets ``304 Not Modified`` without running the endpoint at all.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import anyio
from sqlalchemy import text
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SQLITE_FINGERPRINT = (
    "SELECT (SELECT count(*) FROM documents), (SELECT max(id) FROM documents),"
    " (SELECT count(*) FROM events), (SELECT max(id) FROM events), (SELECT max(id) FROM quotes),"
    " (SELECT max(id) FROM entities), (SELECT count(*) FROM judgements), (SELECT max(id) FROM judgements)")
# count(*) is a scan on PostgreSQL: highest ids only (sequences never reuse an id)
_PG_FINGERPRINT = (
    "SELECT (SELECT max(id) FROM documents), (SELECT max(id) FROM events), (SELECT max(id) FROM quotes),"
    " (SELECT max(id) FROM entities), (SELECT max(id) FROM judgements), (SELECT count(*) FROM judgements)")


class DataVersion:
    """The store's current data version, a short string that changes with every write."""

    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._files: list[Path] = []
        self._seen: tuple | None = None
        self._value: str | None = None
        self._when = 0.0
        # two commits within one tick of the file clock can leave size and mtime alike: look again after this
        self.max_age = 2.0
        url = store.engine.url
        if store.dialect == "sqlite" and url.database and url.database != ":memory:":
            db = Path(url.database)
            self._files = [db, db.with_name(db.name + "-wal")]

    def _stat(self) -> tuple:
        out: list[tuple[int, int, int] | None] = []
        for f in self._files:
            try:
                st = os.stat(f)
                out.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def cached(self) -> str | None:
        """The version without touching the database, when the files say nothing changed (else None)."""
        if not self._files:
            return None
        stat = self._stat()
        with self._lock:
            if stat == self._seen and self._value is not None and time.monotonic() - self._when < self.max_age:
                return self._value
        return None

    def current(self) -> str:
        stat = self._stat() if self._files else None
        now = time.monotonic()
        with self._lock:
            if (stat is not None and stat == self._seen and self._value is not None
                    and now - self._when < self.max_age):
                return self._value
        query = _SQLITE_FINGERPRINT if self.store.dialect == "sqlite" else _PG_FINGERPRINT
        with self.store.engine.connect() as conn:
            row = tuple(conn.execute(text(query)).one())
        # the file state is part of the version: a write the counts cannot see still moves it
        value = hashlib.sha256(repr((row, stat)).encode()).hexdigest()[:16]
        with self._lock:
            self._seen, self._value, self._when = stat, value, now
        return value


def etag_for(version: str, scope: Scope) -> str:
    blob = f"{version}|{scope['path']}|{scope.get('query_string', b'').decode('latin-1')}"
    return 'W/"' + hashlib.sha256(blob.encode()).hexdigest()[:24] + '"'


def _matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    bare = etag[2:]  # weak comparison: W/"x" and "x" match
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == bare:
            return True
    return False


class ETagMiddleware:
    """ETag + ``Cache-Control: no-cache`` on successful GETs of the API; 304 on a match.

    ``skip`` are path prefixes served otherwise (static files carry their own validators).
    """

    def __init__(self, app: ASGIApp, version: DataVersion, skip: tuple[str, ...] = ("/static/",),
                 skip_exact: tuple[str, ...] = ("/", "/docs")):
        self.app = app
        self.version = version
        self.skip = skip
        self.skip_exact = skip_exact

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET" or scope["path"] in self.skip_exact
                or scope["path"].startswith(self.skip)):
            await self.app(scope, receive, send)
            return
        # a stat() is cheap enough for the event loop; a query goes to a worker thread
        version = self.version.cached()
        if version is None:
            version = await anyio.to_thread.run_sync(self.version.current)
        etag = etag_for(version, scope)
        inm = Headers(scope=scope).get("if-none-match")
        if inm and _matches(inm, etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in (b"etag",)]
                headers.append((b"etag", etag.encode()))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-cache"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_tagged)
