"""``Store``: the knowledge store over one database (SQLite file by default, or PostgreSQL)."""
from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from newsgraph.record import Record
from newsgraph.store import curation, db, queries
from newsgraph.store.batch import Batch, lock_writer
from newsgraph.store.gcpause import collector_paused
from newsgraph.store.signing import SignaturePool
from newsgraph.store.sql import Sql
from newsgraph.store.writer import BATCH_KEY, EA, AddResult, D, E, Settings, batch_keys, store_document

RecordInput = Record | dict | tuple


class Store:
    """The knowledge store: documents, entities, graph facts and analyst judgements.

    ``Store()`` opens ``$NEWSGRAPH_DB`` or ``./newsgraph.db``; ``Store("postgresql://...")``
    a PostgreSQL database. The schema is brought up to date on open (``upgrade=False``
    to leave it, e.g. to run ``newsgraph db upgrade`` by hand). ``minhash_workers``:
    processes that compute the MinHash signatures of a large batch while it is
    written (default: one where the machine has a second core; 0 for none).
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, *, schema: str | None = None,
                 upgrade: bool = True, echo: bool = False,
                 near_duplicate_threshold: float | None = None, event_window_days: int = 7,
                 minhash_workers: int | None = None):
        self.url = db.resolve_url(url)
        self.engine: Engine = db.make_engine(self.url, schema=schema, echo=echo)
        self.settings = Settings(event_window_days=event_window_days)
        if near_duplicate_threshold is not None:
            self.settings.near_duplicate_threshold = near_duplicate_threshold
        self._fuzzy_cache: tuple[tuple, list[str], list[list[tuple[int, str, int]]]] | None = None
        self._signer = SignaturePool(minhash_workers)
        weakref.finalize(self, self._signer.close)  # a store dropped unclosed stops its worker
        if upgrade:
            db.upgrade(self.engine)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self._signer.close()
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self, revision: str = "head") -> str | None:
        return db.upgrade(self.engine, revision)

    # ------------------------------------------------------------------ writing

    def add_record(self, record: Record | dict, raw: str | None = None, source: str | None = None, *,
                   fmt: str | None = None, replace: bool = False) -> AddResult:
        """Store one record in one transaction: all of it, or nothing (the error is raised).

        Identical content (same text at the same URL) is a no-op (``unchanged``)
        unless ``replace``, which re-derives the facts from the new record. A
        changed text at a stored URL is a ``new_version`` linked to the old one.
        """
        if isinstance(record, dict):
            record = Record.model_validate(record)
        with db.writer(self.engine) as conn, conn.begin():
            lock_writer(Sql.of(conn))
            return store_document(conn, record, raw, source, fmt, replace=replace, settings=self.settings)

    def add_records(self, items: Iterable[RecordInput], *, batch_size: int = 1000, replace: bool = False,
                    on_result=None) -> list[AddResult]:
        """Store many records, each one all-or-nothing, committed in batches of ``batch_size``.

        ``items`` are records, dicts, or tuples ``(record, raw, source[, format])``.
        A record that fails is reported as ``failed`` and leaves nothing behind;
        the others are stored (the batch's transaction is rolled back and the
        batch stored again without it, or, after more failures, with a savepoint
        per record). ``on_result(result)`` is called for each record once its batch
        is committed. Large batches write much less: a commit writes every index
        page the batch touched, and a large store's indexes are touched all over.
        """
        results: list[AddResult] = []
        batch: list[tuple] = []
        for item in items:
            batch.append(_unpack(item))
            if len(batch) >= batch_size:
                results.extend(self._store_batch(batch, replace, on_result))
                batch = []
        if batch:
            results.extend(self._store_batch(batch, replace, on_result))
        return results

    def _store_batch(self, batch: list[tuple], replace: bool, on_result) -> list[AddResult]:
        with collector_paused():
            out = self._store_batch_with_retries(batch, replace)
        if on_result is not None:
            for result in out:
                on_result(result)
        return out

    def _store_batch_with_retries(self, batch: list[tuple], replace: bool) -> list[AddResult]:
        failed: dict[int, AddResult] = {}
        out = None
        for _ in range(3):  # a record that fails is left out and the batch written again, twice at most
            try:
                out = self._write_batch(batch, replace, failed, strict=False)
                break
            except _Failed as f:
                failed[f.index] = f.result
            except _Redo:
                break
        if out is None:
            # store the batch again, each record in a savepoint and written whole (and, on PostgreSQL,
            # waited for) before the next begins, so that any error is its own
            out = self._write_batch(batch, replace, failed, strict=True)
        return out

    def _write_batch(self, batch: list[tuple], replace: bool, failed: dict[int, AddResult],
                     strict: bool) -> list[AddResult]:
        """The batch in one transaction, its deferred rows written at the end; ``failed`` records left out.

        Not ``strict``: a failure rolls the transaction back and raises ``_Failed`` (the record
        is known) or ``_Redo`` (an error of the database that may be an earlier record's: on
        PostgreSQL statements are not waited for, and deferred rows are written at the end).
        ``strict``: each record in a savepoint; one that fails leaves nothing and is reported."""
        out: list[AddResult | None] = [None] * len(batch)
        records: list[tuple[int, Record, str | None, str | None, str | None]] = []
        for i, (record, raw, source, fmt) in enumerate(batch):
            if i in failed:
                out[i] = failed[i]
                continue
            try:
                if isinstance(record, dict):
                    record = Record.model_validate(record)
                elif not isinstance(record, Record):
                    raise TypeError(f"not a record: {type(record).__name__}")
                records.append((i, record, raw, source, fmt))
            except Exception as exc:
                out[i] = failed[i] = _failed(record, exc)
        with db.writer(self.engine) as conn:
            trans = conn.begin()
            sql = Sql.of(conn)
            unit = Batch(sql)
            conn.info[BATCH_KEY] = unit
            unit.ahead = self._signer.ahead([r[1].text for r in records])
            try:
                lock_writer(sql)
                if sql.pg and len(records) > 1:  # saves round trips; in-process SQLite asks as it goes
                    _prefetch(unit, [r[1] for r in records])
                with sql.pipeline(prepare=not strict):
                    for i, record, raw, source, fmt in records:
                        if not strict:
                            unit.begin_document(shared=True)
                            try:
                                out[i] = store_document(conn, record, raw, source, fmt, replace=replace,
                                                        settings=self.settings)
                            except Exception as exc:
                                if sql.pg and isinstance(exc, sql.errors):
                                    raise _Redo from exc
                                raise _Failed(i, _failed(record, exc)) from exc
                            continue
                        sql.run("SAVEPOINT ng_document")
                        unit.begin_document()
                        try:
                            result = store_document(conn, record, raw, source, fmt, replace=replace,
                                                    settings=self.settings)
                            unit.flush_all()
                            sql.sync()
                        except Exception as exc:  # one bad record must not sink the batch
                            try:  # PostgreSQL: let the pipeline that the error aborted come to its end
                                sql.sync()
                            except sql.errors:
                                pass
                            sql.run("ROLLBACK TO SAVEPOINT ng_document")
                            sql.run("RELEASE SAVEPOINT ng_document")
                            unit.drop_document()
                            out[i] = _failed(record, exc)
                            continue
                        sql.run("RELEASE SAVEPOINT ng_document")
                        unit.end_document()
                        out[i] = result
                    unit.flush()
                    sql.sync()
            except (_Failed, _Redo):
                _abandon(conn, trans, sql)
                raise
            except Exception as exc:
                _abandon(conn, trans, sql)
                if strict:
                    raise
                raise _Redo from exc
            except BaseException:
                _abandon(conn, trans, sql)
                raise
            finally:
                conn.info.pop(BATCH_KEY, None)
                if unit.ahead is not None:
                    unit.ahead.cancel()
            trans.commit()
        return [r for r in out if r is not None]

    def merge_entities(self, a: str | int, b: str | int, *, note: str | None = None) -> int:
        """Merge entity ``b`` into ``a`` (kept as a judgement); returns ``a``'s id."""
        with db.writer(self.engine) as conn, conn.begin():
            lock_writer(Sql.of(conn))
            keep = self._find(conn, a)
            other = self._find(conn, b)
            return curation.merge(conn, keep, other, note)

    def split_entity(self, entity: str | int, names: list[str] | str, *, note: str | None = None,
                     new_name: str | None = None) -> int:
        """Split the mentions named ``names`` off ``entity`` into a new entity (kept as a judgement)."""
        if isinstance(names, str):
            names = [names]
        with db.writer(self.engine) as conn, conn.begin():
            lock_writer(Sql.of(conn))
            eid = self._find(conn, entity, fuzzy=False)
            return curation.split(conn, eid, names, note, new_name)

    def judgements(self) -> list[dict]:
        from newsgraph.store.writer import J

        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(J).order_by(J.c.id))]

    # ------------------------------------------------------------------ reading

    def connect(self) -> Connection:
        return self.engine.connect()

    def _find(self, conn: Connection, name_or_id: str | int, fuzzy: bool = True) -> int:
        return queries.find_entity(conn, name_or_id, fuzzy=self._fuzzy if fuzzy else None)

    def find_entity(self, name_or_id: str | int) -> int:
        """The id of the entity a name, alias, KB id or id stands for (``EntityNotFound`` if none)."""
        with self.engine.connect() as conn:
            return self._find(conn, name_or_id)

    def entity(self, name_or_id: str | int) -> dict:
        with self.engine.connect() as conn:
            eid = self._find(conn, name_or_id)
            return queries.entity_summary(conn, [eid])[eid]

    def entity_profile(self, name_or_id: str | int, *, limit: int = 25) -> dict:
        """Aliases, kind, roles over time, events as actor and recipient, quotes by and about,
        narratives of the documents that mention it, and neighbours with evidence counts."""
        with self.engine.connect() as conn:
            return queries.entity_profile(conn, self._find(conn, name_or_id), limit=limit)

    def timeline(self, entity: str | int | None = None, start: str | None = None, end: str | None = None,
                 type: str | None = None, *, limit: int = 100) -> list[dict]:
        with self.engine.connect() as conn:
            eid = self._find(conn, entity) if entity is not None else None
            return queries.timeline(conn, entity=eid, start=start, end=end, type=type, limit=limit)

    def narrative_trends(self, by: str = "month") -> list[dict]:
        with self.engine.connect() as conn:
            return queries.narrative_trends(conn, by)

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return queries.stats(conn)

    def search_text(self, query: str, *, limit: int = 20, include_old: bool = False) -> list[dict]:
        """Full-text search over document text and quotes (web-search syntax: phrases, OR, -word)."""
        with self.engine.connect() as conn:
            return queries.search_text(conn, query, limit=limit, include_old=include_old)

    def search_entities(self, name: str, *, limit: int = 10) -> list[dict]:
        """Entities whose name or an alias is close to ``name`` (rapidfuzz), best first."""
        return self._fuzzy(name, limit)

    def _fuzzy(self, name: str, limit: int) -> list[dict]:
        from rapidfuzz import fuzz, process

        from newsgraph.store.util import name_key

        with self.engine.connect() as conn:
            version = tuple(conn.execute(select(func.count(), func.max(EA.c.entity_id), func.sum(EA.c.count))
                                         .select_from(EA)).one())
            version += tuple(conn.execute(select(func.count(), func.max(E.c.id)).select_from(E)
                                          .where(E.c.merged_into_id.is_(None))).one())
            if self._fuzzy_cache is None or self._fuzzy_cache[0] != version:
                by_key: dict[str, list[tuple[int, str, int]]] = {}
                for r in conn.execute(select(EA.c.alias_key, EA.c.alias, EA.c.entity_id, EA.c.count)
                                      .where(EA.c.count > 0)):
                    by_key.setdefault(r.alias_key, []).append((r.entity_id, r.alias, r.count))
                for r in conn.execute(select(E.c.name_key, E.c.name, E.c.id, E.c.doc_count)
                                      .where(E.c.merged_into_id.is_(None), E.c.doc_count > 0)):
                    by_key.setdefault(r.name_key, []).append((r.id, r.name, r.doc_count))
                keys = list(by_key)
                self._fuzzy_cache = (version, keys, [by_key[k] for k in keys])
            _, keys, owners = self._fuzzy_cache
            query = name_key(name)
            best: dict[int, tuple[float, str, int]] = {}
            for _, score, idx in process.extract(query, keys, scorer=fuzz.WRatio, limit=max(limit * 5, 20),
                                                 score_cutoff=50):
                for eid, alias, count in owners[idx]:
                    prev = best.get(eid)
                    if prev is None or (score, count) > (prev[0], prev[2]):
                        best[eid] = (score, alias, count)
            summary = queries.entity_summary(conn, list(best))
        hits = []
        for eid, (score, alias, _count) in best.items():
            if eid in summary:
                hits.append({**summary[eid], "score": round(float(score), 1), "matched": alias})
        hits.sort(key=lambda h: (-h["score"], -h["documents"], h["id"]))
        return hits[:limit]

    def document(self, doc: str | int) -> dict | None:
        """A stored document (latest version for a ``doc_id``) with its record and versions."""
        with self.engine.connect() as conn:
            q = select(D).where(D.c.id == doc) if isinstance(doc, int) else \
                select(D).where(D.c.doc_id == doc).order_by(D.c.is_current.desc(), D.c.id.desc())
            row = conn.execute(q.limit(1)).first()
            if row is None:
                return None
            data = dict(row._mapping)
            data.pop("minhash", None)
            from newsgraph.store.writer import RAW

            raw = conn.execute(select(RAW.c.raw, RAW.c.format).where(RAW.c.document_id == row.id)).first()
            data["raw"] = raw.raw if raw else None
            data["raw_format"] = raw.format if raw else None
            data["versions"] = self._versions(conn, row)
            return data

    def _versions(self, conn: Connection, row) -> list[dict]:
        if not row.url_key:
            return [{"document_id": row.id, "version": row.version, "current": bool(row.is_current)}]
        return [{"document_id": r.id, "version": r.version, "current": bool(r.is_current),
                 "previous_id": r.previous_id, "ingested_at": r.ingested_at.isoformat()}
                for r in conn.execute(select(D.c.id, D.c.version, D.c.is_current, D.c.previous_id, D.c.ingested_at)
                                      .where(D.c.url_key == row.url_key).order_by(D.c.version))]

    def record(self, doc: str | int) -> Record | None:
        data = self.document(doc)
        if data is None:
            return None
        return Record.model_validate({**data["record_json"], "text": data["text"]})

    def raw(self, doc: str | int) -> str | None:
        data = self.document(doc)
        return data["raw"] if data else None

    def iter_records(self, current_only: bool = True) -> Iterator[Record]:
        with self.engine.connect() as conn:
            q = select(D.c.record_json, D.c.text).order_by(D.c.id)
            if current_only:
                q = q.where(D.c.is_current.is_(True))
            for r in conn.execute(q):
                yield Record.model_validate({**r.record_json, "text": r.text})

    def check(self) -> list[str]:
        """The store's consistency (``newsgraph.store.integrity``): each document whole, no dangling rows,
        search index and MinHash bands in step, aggregates equal to a recount; the problems found
        (empty when consistent)."""
        from newsgraph.store.integrity import check

        with self.engine.connect() as conn:
            return check(conn)

    # ------------------------------------------------------------------ graph

    def contradictions(self, **kwargs) -> list[dict]:
        """Conflicting roles, conflicting dates within an event cluster, and KB conflicts, with their sources."""
        from newsgraph.graph import contradictions

        return contradictions.find(self, **kwargs)

    def event_clusters(self, *, min_sources: int = 1, type: str | None = None, limit: int | None = None) -> list[dict]:
        """Corroboration clusters: one entry per occurrence, with its reporting documents."""
        from newsgraph.graph import clusters

        return clusters.event_clusters(self, min_sources=min_sources, type=type, limit=limit)

    def graph(self, **kwargs):
        """The entity graph as a networkx ``MultiDiGraph`` (see ``newsgraph.graph.build_graph``)."""
        from newsgraph.graph import build_graph

        return build_graph(self, **kwargs)


def _abandon(conn: Connection, trans, sql: Sql) -> None:
    """Roll the batch back. PostgreSQL: and discard the connection, whose statements psycopg prepared in the
    pipeline may not all exist after an error (see ``Sql.pipeline``)."""
    try:
        trans.rollback()
    finally:
        if sql.pg:
            conn.invalidate()


class _Redo(Exception):
    """The batch must be stored again in strict mode."""


class _Failed(Exception):
    """Record ``index`` of the batch failed (the transaction is rolled back)."""

    def __init__(self, index: int, result: AddResult):
        super().__init__(result.error)
        self.index = index
        self.result = result


def _failed(record: Any, exc: BaseException) -> AddResult:
    doc_id = getattr(record, "doc_id", None) or (record.get("doc_id") if isinstance(record, dict) else None) or "?"
    return AddResult("failed", str(doc_id), error=f"{type(exc).__name__}: {exc}")


def _prefetch(unit: Batch, records: list[Record]) -> None:
    """What the batch's records will look up, in a few queries (and their MinHash signatures, computed once)."""
    from newsgraph.store.util import content_hash, sha256

    hashes, urls, bands, keys = set(), set(), set(), set()
    text_hashes = [sha256(record.text) for record in records]
    for record in records:
        url = (record.url or "").strip() or None
        hashes.add(content_hash(url, record.text))
        if url:
            urls.add(sha256(url))
        keys |= batch_keys(record)[0]
    for record, text_hash in zip(records, text_hashes):  # after the keys: a worker may have signed them meanwhile
        if text_hash not in unit.signatures:
            unit.signatures[text_hash] = sig = unit.signature(text_hash, record.text)
            if sig is not None:
                bands.update(sig.band_keys())
    unit.prefetch(hashes, urls, set(text_hashes), bands, keys)
    unit.reserve({"documents": len(records), "doc_entities": sum(len(r.entities) for r in records),
                  "events": sum(len(r.events) for r in records),
                  "event_clusters": sum(len(r.events) for r in records),
                  "quotes": sum(len(r.quotes) for r in records)})


def _unpack(item: RecordInput) -> tuple[Any, str | None, str | None, str | None]:
    if isinstance(item, tuple):
        parts = list(item) + [None] * (4 - len(item))
        return parts[0], parts[1], parts[2], parts[3]
    if isinstance(item, dict) and "record" in item:
        return item["record"], item.get("raw"), item.get("source"), item.get("format")
    return item, None, None, None
