"""A batch of documents written in one transaction: deferred rows, ids known ahead, caches, overlays.

Storing a document reads what earlier documents wrote (entity keys, aliases,
MinHash bands, events to cluster with), so documents are stored in turn. What
no later document reads as it is stored is not written at once but kept in a
:class:`Pending` and written for the whole batch at the end, in key order, one
statement per table (:meth:`Batch.flush`): mentions, roles, signals, quote
mentions, near-duplicate links, LSH bands, and the aggregates as deltas
(co-mention edges, entity-narrative counts, entity document counts, alias
counts). The two that later documents do read (aliases, for name lookups; LSH
bands, for near-duplicate candidates) are read through an overlay: the rows
stored plus the pending ones. Before a document's facts are removed (a new
version of a URL, ``replace``) the pending rows are written, so that the
deletes find them.

New rows get their ids here (:meth:`Batch.next_id`), so rows that refer to
them are written without waiting for the database: on PostgreSQL, where the
batch runs in pipeline mode, a document then rarely waits for a reply.

The batch's transaction is all or nothing for each document: the store writes
the batch in one go, and if any record fails it rolls the transaction back and
writes the batch again in strict mode, a savepoint per document, each
document's rows written inside its savepoint (:meth:`begin_document`,
:meth:`end_document`, :meth:`drop_document`), so that a failure takes only its
document with it.

Caches hold what the batch has read or written of entity keys, entity
attributes and merge judgements and, on PostgreSQL, a prefetch of what the
batch's records will look up (content hashes, URL keys, text hashes, band keys,
entity keys), so that a document costs no round trip for them. The writer
holds the store's write lock for the transaction (``BEGIN IMMEDIATE`` on
SQLite, an advisory lock on PostgreSQL): no other writer changes what is cached.
A document that fails clears the caches, which may hold what it wrote.
"""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

from newsgraph.store import dedup
from newsgraph.store.signing import Ahead
from newsgraph.store.sql import Sql

SQLITE_MAX_PARAMS = 30_000
ID_TABLES = frozenset({"documents", "entities", "doc_entities", "events", "event_clusters", "quotes"})
PG_WRITE_LOCK = 0x6E67_7772  # pg_advisory_xact_lock(key, hashtext(schema)): the store's writers ("ngwr")

# deferred plain inserts: table -> (columns, PostgreSQL types)
ROWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mentions": (("document_id", "start", '"end"', "doc_entity_id", "entity_id", "text"),
                 ("int", "int", "int", "int", "int", "text")),
    "roles": (("document_id", "person_id", "person_name", "title", "title_key", "of_id", "of_name", "date",
               "date_start", "start", '"end"', "evidence"),
              ("int", "int", "text", "text", "text", "int", "text", "text", "date", "int", "int", "text")),
    "signals": (("document_id", "kind", "detail", "start", '"end"', "evidence"),
                ("int", "text", "text", "int", "int", "text")),
    "quote_mentions": (("quote_id", "entity_id"), ("int", "int")),
    "near_duplicates": (("document_id", "duplicate_of_id", "similarity"), ("int", "int", "float8")),
}
SORTED = frozenset({"mentions", "quote_mentions", "near_duplicates"})  # written in key order (B-tree locality)


class Pending:
    """Rows and aggregate deltas not yet written."""

    __slots__ = ("rows", "docs", "edge_docs", "edge_stories", "narratives", "counts", "aliases", "alias_index",
                 "lsh")

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {t: [] for t in ROWS}
        self.docs: set[int] = set()  # documents with rows here
        # co-mentions (a, b), a < b (both directions are written): documents and independent stories
        self.edge_docs: Counter[tuple[int, int]] = Counter()
        self.edge_stories: Counter[tuple[int, int]] = Counter()
        self.narratives: dict[tuple[int, str], int] = {}  # (entity, narrative) -> documents
        self.counts: dict[int, int] = {}  # entity -> documents
        self.aliases: dict[tuple[int, str], list] = {}  # (entity, alias) -> [alias key, documents]
        self.alias_index: dict[str, set[tuple[int, str]]] = {}  # alias key -> (entity, alias)
        self.lsh: dict[int, list[int]] = {}  # band key -> documents

    def __bool__(self) -> bool:
        return bool(self.docs or self.edge_docs or self.edge_stories or self.narratives or self.counts
                    or self.aliases or self.lsh)

    def add_alias(self, entity: int, alias: str, key: str, delta: int) -> None:
        pair = (entity, alias)
        cur = self.aliases.get(pair)
        if cur is None:
            self.aliases[pair] = [key, delta]
            self.alias_index.setdefault(key, set()).add(pair)
        else:
            cur[1] += delta

    def merge(self, other: "Pending") -> None:
        for table, rows in other.rows.items():
            if rows:
                self.rows[table].extend(rows)
        self.docs |= other.docs
        self.edge_docs.update(other.edge_docs)
        self.edge_stories.update(other.edge_stories)
        for (e, n), d in other.narratives.items():
            self.narratives[(e, n)] = self.narratives.get((e, n), 0) + d
        for e, d in other.counts.items():
            self.counts[e] = self.counts.get(e, 0) + d
        for (e, a), (key, d) in other.aliases.items():
            self.add_alias(e, a, key, d)
        for k, docs in other.lsh.items():
            self.lsh.setdefault(k, []).extend(docs)

    def write(self, sql: Sql) -> None:
        """Write everything (the referenced documents, entities and quotes exist already)."""
        for table, (columns, types) in ROWS.items():
            rows = self.rows[table]
            if rows:
                if table in SORTED:
                    rows = sorted(rows)
                sql.bulk(table, columns, types, rows)
        if self.lsh:
            sql.bulk("lsh_bands", ("key", "document_id"), ("int8", "int"),
                     sorted((k, d) for k, docs in self.lsh.items() for d in docs))
        if self.counts:
            sql.bulk_update("entities", "id", "doc_count", sorted((k, v) for k, v in self.counts.items() if v))
        docs, stories = self.edge_docs, self.edge_stories
        edges = []
        for a, b in docs.keys() | stories.keys():
            d, s = docs.get((a, b), 0), stories.get((a, b), 0)
            if d or s:
                edges.append((a, b, d, s))
                edges.append((b, a, d, s))
        edges.sort()
        sql.bulk("entity_edges", ("a", "b", "doc_count", "story_count"), ("int", "int", "int", "int"), edges,
                 "ON CONFLICT (a, b) DO UPDATE SET doc_count = entity_edges.doc_count + excluded.doc_count,"
                 " story_count = entity_edges.story_count + excluded.story_count")
        sql.bulk_delete("entity_edges", ("a", "b"), ("int", "int"), [(a, b) for a, b, d, _ in edges if d < 0],
                        "AND doc_count <= 0")
        narr = sorted((e, n, d) for (e, n), d in self.narratives.items() if d)
        sql.bulk("entity_narratives", ("entity_id", "narrative_id", "doc_count"), ("int", "text", "int"), narr,
                 "ON CONFLICT (entity_id, narrative_id) DO UPDATE SET"
                 " doc_count = entity_narratives.doc_count + excluded.doc_count")
        sql.bulk_delete("entity_narratives", ("entity_id", "narrative_id"), ("int", "text"),
                        [(e, n) for e, n, d in narr if d < 0], "AND doc_count <= 0")
        aliases = sorted((e, a, key, d) for (e, a), (key, d) in self.aliases.items() if d)
        sql.bulk("entity_aliases", ("entity_id", "alias", "alias_key", "count"), ("int", "text", "text", "int"),
                 aliases, "ON CONFLICT (entity_id, alias) DO UPDATE SET count = entity_aliases.count + excluded.count")
        sql.bulk_delete("entity_aliases", ("entity_id", "alias"), ("int", "text"),
                        [(e, a) for e, a, _, d in aliases if d < 0], "AND count <= 0")


class Batch:
    """The deferred rows, caches and overlays of one write transaction (see the module's text)."""

    def __init__(self, sql: Sql):
        self.sql = sql
        self.committed = Pending()  # of the documents stored whole so far
        self.doc: Pending | None = None  # of the document being stored
        self._flushed_in_doc: list[Pending] = []
        self.signatures: dict[str, Any] = {}  # text hash -> MinHash signature, computed for the prefetch
        self.ahead: Ahead | None = None  # signatures of the batch's texts being computed by a worker
        self.alone: int | None = None  # a new document known to be the only one of its story
        self._ids: dict[str, deque[int]] = {}  # PostgreSQL: ids drawn from each table's sequence
        self._next: dict[str, int] = {}  # SQLite: the next free id of each table
        self._refill: dict[str, int] = {}
        self.clear_caches()

    def signature(self, text_hash: str, text: str) -> dedup.Signature | None:
        """The MinHash signature of a text about to be stored: prefetched, from the worker, or computed now."""
        if text_hash in self.signatures:
            return self.signatures.pop(text_hash)
        if self.ahead is not None:
            return self.ahead.take(text)
        return dedup.signature(text)

    # ------------------------------------------------------------------ ids

    def next_id(self, table: str) -> int:
        """An id for a new row of ``table`` (one of ``ID_TABLES``), known before the row is written.

        So rows that refer to it are written without waiting for it. SQLite: the
        next id after the largest (the batch holds the write lock); PostgreSQL:
        drawn from the table's sequence, a block at a time."""
        if not self.sql.pg:
            value = self._next.get(table)
            if value is None:
                value = (self.sql.scalar(f"SELECT max(id) FROM {table}") or 0) + 1
            self._next[table] = value + 1
            return value
        pool = self._ids.get(table)
        if not pool:
            size = self._refill.get(table, 8)
            self._refill[table] = min(size * 2, 1024)
            self.reserve({table: size})
            pool = self._ids[table]
        return pool.popleft()

    def reserve(self, wanted: dict[str, int]) -> None:
        """Draw ids ahead, in one query (PostgreSQL)."""
        wanted = {t: n for t, n in wanted.items() if n > 0}
        if not self.sql.pg or not wanted:
            return
        parts, params = [], {}
        for i, (table, n) in enumerate(sorted(wanted.items())):
            if table not in ID_TABLES:
                raise ValueError(f"no id sequence for {table!r}")
            parts.append(f"SELECT {i} AS t, nextval(pg_get_serial_sequence('{table}', 'id')) AS id"
                         f" FROM generate_series(1, :n{i})")
            params[f"n{i}"] = n
        tables = sorted(wanted)
        for t, value in self.sql.all(" UNION ALL ".join(parts) + " ORDER BY 1, 2", params):
            self._ids.setdefault(tables[t], deque()).append(value)

    # ------------------------------------------------------------------ documents

    @property
    def pending(self) -> Pending:
        """Where the document being stored puts its rows."""
        if self.doc is None:
            self.doc = Pending()
        return self.doc

    def begin_document(self, shared: bool = False) -> None:
        """A document begins. ``shared``: its rows go straight to the batch's (a failure fails the batch)."""
        self.doc = self.committed if shared else Pending()
        self._flushed_in_doc = []

    def end_document(self) -> None:
        """The document is stored whole: its rows join the batch's."""
        if self.doc is not None and self.doc is not self.committed:
            self.committed.merge(self.doc)
        self.doc = None
        self._flushed_in_doc = []

    def _sources(self) -> tuple[Pending, ...]:
        doc = self.doc
        return (self.committed,) if doc is None or doc is self.committed else (self.committed, doc)

    def drop_document(self) -> None:
        """The document failed (its savepoint is rolled back): drop its rows, undo flushes, clear the caches."""
        self.doc = None
        if self._flushed_in_doc:
            restored = Pending()
            for p in self._flushed_in_doc:
                restored.merge(p)
            restored.merge(self.committed)
            self.committed = restored
        self._flushed_in_doc = []
        self.clear_caches()

    def flush(self) -> None:
        """Write the rows of the documents stored whole so far (undone with the current document if it fails)."""
        if not self.committed:
            return
        done = self.committed
        self.committed = Pending()
        if self.doc is done:  # rows shared with the batch: the document goes on with the new ones
            self.doc = self.committed
        elif self.doc is not None:
            self._flushed_in_doc.append(done)
        self._write(done)

    def flush_all(self) -> None:
        """Write everything, the current document's rows too (a document stored alone, or strict mode)."""
        self.flush()
        if self.doc is not None and self.doc is not self.committed and self.doc:
            own, self.doc = self.doc, Pending()
            self._write(own)

    def _write(self, pending: Pending) -> None:
        pending.write(self.sql)
        if self.lsh_db is not None:
            for key, docs in pending.lsh.items():
                if key in self.lsh_db:
                    self.lsh_db[key].update(docs)
        self.alias_db.clear()

    def holds_rows_of(self, document_id: int) -> bool:
        return document_id in self.committed.docs

    # ------------------------------------------------------------------ caches

    def clear_caches(self) -> None:
        self.keys: dict[str, int | None] = {}  # resolution key -> entity (None: no such key)
        self.info: dict[int, dict[str, Any]] = {}  # entity -> kb_id, name, kind, country
        self.partners: dict[str, str] | None = None  # merge judgements: key -> its first partner
        self.alias_db: dict[str, dict[tuple[int, str], int]] = {}  # alias key -> stored counts
        # prefetched supersets of what is stored (None: not prefetched, ask the database)
        self.content_hashes: set[str] | None = None
        self.url_keys: set[str] | None = None
        self.text_hashes: set[str] | None = None
        self.lsh_db: dict[int, set[int]] | None = None

    def prefetch(self, content_hashes: set[str], url_keys: set[str], text_hashes: set[str], band_keys: set[int],
                 entity_keys: set[str]) -> None:
        """Look up, in a few queries, what the batch's records will look up one by one."""
        sql = self.sql
        self.content_hashes = {r[0] for r in self._select_in("SELECT content_hash FROM documents WHERE {}",
                                                             "content_hash", content_hashes)}
        self.url_keys = {r[0] for r in self._select_in("SELECT url_key FROM documents WHERE {} AND is_current = "
                                                       + sql.true(), "url_key", url_keys)}
        self.text_hashes = {r[0] for r in self._select_in("SELECT text_hash FROM documents WHERE {} AND is_current = "
                                                          + sql.true(), "text_hash", text_hashes)}
        lsh: dict[int, set[int]] = {k: set() for k in band_keys}
        for key, doc in self._select_in("SELECT key, document_id FROM lsh_bands WHERE {}", "key", band_keys):
            lsh[key].add(doc)
        self.lsh_db = lsh
        self.entity_info(self.key_map(entity_keys).values())

    def _select_in(self, query: str, column: str, values: Iterable) -> list[tuple]:
        values = sorted(values)
        out: list[tuple] = []
        step = SQLITE_MAX_PARAMS if not self.sql.pg else 100_000
        for i in range(0, len(values), step):
            params: dict = {}
            out.extend(self.sql.all(query.format(self.sql.inlist(column, "v", values[i:i + step], params)), params))
        return out

    # -- content hashes, URLs, text hashes: ``False`` when surely absent

    def maybe_content(self, h: str) -> bool:
        return self.content_hashes is None or h in self.content_hashes

    def maybe_url(self, k: str) -> bool:
        return self.url_keys is None or k in self.url_keys

    def maybe_text(self, h: str) -> bool:
        return self.text_hashes is None or h in self.text_hashes

    def stored_document(self, content_hash: str, url_key: str | None, text_hash: str) -> None:
        for known, value in ((self.content_hashes, content_hash), (self.url_keys, url_key),
                             (self.text_hashes, text_hash)):
            if known is not None and value is not None:
                known.add(value)

    # -- entity keys and attributes

    def key_map(self, keys: Iterable[str]) -> dict[str, int]:
        """The entity each key resolves to (keys without one left out)."""
        keys = [k for k in keys if k]
        missing = {k for k in keys if k not in self.keys}
        if missing:
            found = dict(self._select_in("SELECT key, entity_id FROM entity_keys WHERE {}", "key", missing))
            for k in missing:
                self.keys[k] = found.get(k)
        out = {}
        for k in keys:
            e = self.keys[k]
            if e is not None:
                out[k] = e
        return out

    def key_added(self, key: str, entity: int) -> None:
        """``INSERT INTO entity_keys ... ON CONFLICT DO NOTHING`` was sent for ``key``."""
        if key in self.keys:
            if self.keys[key] is None:
                self.keys[key] = entity
        # not cached: the database says (the key may have been there)

    def entity_info(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        info = self.info
        ids = set(ids)
        missing = [i for i in ids if i not in info]
        if missing:
            for r in self._select_in("SELECT id, kb_id, name, kind, country FROM entities WHERE {}", "id", missing):
                self.info[r[0]] = {"kb_id": r[1], "name": r[2], "kind": r[3], "country": r[4]}
        return {i: info[i] for i in ids if i in info}

    def judged_partners(self) -> dict[str, str]:
        """Each key named in a merge judgement and its first partner (by judgement id)."""
        if self.partners is None:
            partners: dict[str, str] = {}
            for a, b in self.sql.all("SELECT key_a, key_b FROM judgements WHERE kind = 'merge' ORDER BY id"):
                partners.setdefault(a, b)
                partners.setdefault(b, a)
            self.partners = partners
        return self.partners

    # -- overlays

    def alias_entities(self, alias_key: str) -> set[int]:
        """Entities with a current alias of this key: stored counts plus pending deltas."""
        stored = self.alias_db.get(alias_key)
        if stored is None:
            stored = {(r[0], r[1]): r[2] for r in self.sql.all(
                "SELECT entity_id, alias, count FROM entity_aliases WHERE alias_key = :k", {"k": alias_key})}
            self.alias_db[alias_key] = stored
        counts = dict(stored)
        for p in self._sources():
            for pair in p.alias_index.get(alias_key, ()):
                counts[pair] = counts.get(pair, 0) + p.aliases[pair][1]
        return {e for (e, _), n in counts.items() if n > 0}

    def band_documents(self, keys: list[int]) -> set[int]:
        """Documents sharing an LSH band key: stored bands plus pending ones."""
        found: set[int] = set()
        lsh_db = self.lsh_db
        if lsh_db is not None and all(k in lsh_db for k in keys):
            for k in keys:
                found |= lsh_db[k]
        else:
            params: dict = {}
            found = {r[0] for r in self.sql.all(
                f"SELECT DISTINCT document_id FROM lsh_bands WHERE {self.sql.inlist('key', 'k', keys, params)}",
                params)}
        for p in self._sources():
            if p.lsh:
                for k in keys:
                    found.update(p.lsh.get(k, ()))
        return found

    def bands_dropped(self, document_id: int, keys: Iterable[int]) -> None:
        if self.lsh_db is not None:
            for k in keys:
                if k in self.lsh_db:
                    self.lsh_db[k].discard(document_id)


def lock_writer(sql: Sql) -> None:
    """One writer at a time for the transaction (SQLite's ``BEGIN IMMEDIATE`` does it there).

    On PostgreSQL an advisory lock of the store's schema (stores in other schemas go on)."""
    if sql.pg:
        sql.run(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK}, hashtext(current_schema()))").fetchall()


__all__ = ["Batch", "Pending", "lock_writer"]
