"""Plain SQL on a SQLAlchemy connection's DB-API cursor: one text for SQLite and PostgreSQL.

The write path is hot (hundreds of documents a second), so it skips statement
construction and speaks SQL through the connection's own DB-API cursor (the
same transaction as the SQLAlchemy ``Connection``). Statements use ``:name``
parameters, turned into ``%(name)s`` for psycopg. Bulk writes
(:meth:`Sql.bulk`) are one ``executemany`` on SQLite and one
``INSERT ... SELECT FROM unnest(arrays)`` statement on PostgreSQL, where each
row of an ``executemany`` would cost a server round of parse, bind and execute.
On PostgreSQL a batch of documents runs in pipeline mode (:meth:`Sql.pipeline`):
statements whose results are not read do not wait for the server.
"""
from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]
PG_CHUNK = 20_000  # rows per unnest statement


@lru_cache(maxsize=1024)
def _pg(sql: str) -> str:
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


class Sql:
    """Plain SQL on a SQLAlchemy connection's DB-API cursor, one dialect-neutral text for both databases."""

    def __init__(self, conn: Connection):
        self.pg = conn.dialect.name == "postgresql"
        self.dbapi: Any = conn.connection.dbapi_connection
        self.errors: tuple[type[BaseException], ...] = (conn.dialect.dbapi.Error,)  # type: ignore[union-attr]
        self.cur = self.dbapi.cursor()
        self._pipe = None

    @classmethod
    def of(cls, conn: Connection) -> "Sql":
        """The helper for ``conn``'s current DB-API connection (one cursor, reused)."""
        sql = conn.info.get("newsgraph_sql")
        if sql is None or sql.dbapi is not conn.connection.dbapi_connection:
            sql = conn.info["newsgraph_sql"] = cls(conn)
        return sql

    def _q(self, sql: str) -> str:
        return _pg(sql) if self.pg else sql

    def run(self, sql: str, params: dict | None = None):
        self.cur.execute(self._q(sql), params or {})
        return self.cur

    def many(self, sql: str, rows: Sequence[dict]) -> None:
        if rows:
            self.cur.executemany(self._q(sql), rows)

    def all(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self.run(sql, params).fetchall()

    def first(self, sql: str, params: dict | None = None) -> tuple | None:
        return self.run(sql, params).fetchone()

    def scalar(self, sql: str, params: dict | None = None) -> Any:
        row = self.first(sql, params)
        return row[0] if row else None

    def inlist(self, column: str, name: str, values: Iterable, params: dict) -> str:
        """``column IN (...)`` for a list parameter: expanded on SQLite, ``= ANY`` on PostgreSQL."""
        values = list(values)
        if self.pg:
            params[name] = values
            return f"{column} = ANY(:{name})"
        if not values:
            return "1 = 0"
        for i, v in enumerate(values):
            params[f"{name}_{i}"] = v
        return f"{column} IN ({', '.join(f':{name}_{i}' for i in range(len(values)))})"

    def json(self, value: Any) -> str:
        if isinstance(value, list) and all(type(v) is str for v in value):  # the common case, fast
            return "[" + ", ".join(map(_encode_str, value)) + "]"
        return json.dumps(value, ensure_ascii=False)

    def true(self) -> str:
        return "TRUE" if self.pg else "1"

    # ------------------------------------------------------------------ bulk

    def bulk(self, table: str, columns: Sequence[str], types: Sequence[str], rows: Sequence[tuple],
             tail: str = "") -> None:
        """``INSERT INTO table (columns) <rows> tail`` for many rows of positional values.

        ``types`` are the PostgreSQL array element types (``int``, ``text``,
        ``json``...); ``tail`` an ``ON CONFLICT`` clause, the same on both."""
        if not rows:
            return
        cols = ", ".join(columns)
        if not self.pg:
            marks = ", ".join("?" * len(columns))
            self.cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) {tail}", rows)
            return
        arrays = ", ".join(f"%s::{'text' if t == 'json' else t}[]" for t in types)
        names = ", ".join(f"c{i}" for i in range(len(columns)))
        exprs = ", ".join(f"c{i}::json" if t == "json" else f"c{i}" for i, t in enumerate(types))
        stmt = f"INSERT INTO {table} ({cols}) SELECT {exprs} FROM unnest({arrays}) AS u({names}) {tail}"
        for chunk in _chunks(rows, PG_CHUNK):
            self.cur.execute(stmt, [list(col) for col in zip(*chunk)])

    def bulk_update(self, table: str, key: str, column: str, rows: Sequence[tuple[int, int]]) -> None:
        """``column = column + delta`` for ``(key value, delta)`` rows."""
        if not rows:
            return
        if not self.pg:
            self.cur.executemany(f"UPDATE {table} SET {column} = {column} + ? WHERE {key} = ?",
                                 [(d, k) for k, d in rows])
            return
        for chunk in _chunks(rows, PG_CHUNK):
            keys, deltas = zip(*chunk)
            self.cur.execute(f"UPDATE {table} SET {column} = {table}.{column} + u.d FROM unnest(%s::int[], %s::int[])"
                             f" AS u(k, d) WHERE {table}.{key} = u.k", [list(keys), list(deltas)])

    def bulk_delete(self, table: str, columns: Sequence[str], types: Sequence[str], rows: Sequence[tuple],
                    extra: str = "") -> None:
        """Delete the rows whose ``columns`` equal one of ``rows`` (and ``extra`` holds)."""
        if not rows:
            return
        if not self.pg:
            cond = " AND ".join(f"{c} = ?" for c in columns)
            self.cur.executemany(f"DELETE FROM {table} WHERE {cond} {extra}", rows)
            return
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        names = ", ".join(f"c{i}" for i in range(len(columns)))
        cond = " AND ".join(f"{table}.{c} = u.c{i}" for i, c in enumerate(columns))
        for chunk in _chunks(rows, PG_CHUNK):
            self.cur.execute(f"DELETE FROM {table} USING unnest({arrays}) AS u({names}) WHERE {cond} {extra}",
                             [list(col) for col in zip(*chunk)])

    # ------------------------------------------------------------------ PostgreSQL pipeline

    @contextlib.contextmanager
    def pipeline(self, prepare: bool = True) -> Iterator[None]:
        """Pipeline mode on PostgreSQL for the block (nothing on SQLite).

        ``prepare=False``: statements are not prepared on the server meanwhile.
        When an error aborts a pipeline, psycopg may take a ``PREPARE`` that the
        server skipped for done, and later uses of that statement on the
        connection fail: a block that may see errors and go on (a savepoint per
        document) does not prepare; after an error in one that does, the
        connection is to be discarded."""
        if not self.pg or self._pipe is not None:
            yield
            return
        threshold = self.dbapi.prepare_threshold
        if not prepare:
            self.dbapi.prepare_threshold = None
        try:
            with self.dbapi.pipeline() as pipe:
                self._pipe = pipe
                try:
                    yield
                except BaseException:
                    try:  # let an aborted pipeline come to its end, quietly
                        pipe.sync()
                    except self.errors:
                        pass
                    raise
                finally:
                    self._pipe = None
        finally:
            self.dbapi.prepare_threshold = threshold

    def sync(self) -> None:
        """Wait for the statements sent so far; their errors are raised here (PostgreSQL pipeline)."""
        if self._pipe is not None:
            self._pipe.sync()


def _chunks(rows: Sequence[tuple], size: int) -> Iterator[Sequence[tuple]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


__all__ = ["Sql"]
