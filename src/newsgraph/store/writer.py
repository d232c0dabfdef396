"""Storing one record: everything of a document, all or nothing, on a Connection.

The public entry point is :func:`store_document`; :class:`newsgraph.store.Store`
wraps it in a transaction (a savepoint per document inside a batch). Facts
(entities, mentions, roles, events, quotes, narratives, signals) exist only for
the current version of a document; older versions keep their text, record and
raw input. The co-mention aggregates are updated in the same transaction.

Inside a batch (:mod:`newsgraph.store.batch`) the rows that no later document
reads are written once for the whole batch, and lookups go through the
batch's caches; a document stored on its own is written the same way, with
its deferred rows written before :func:`store_document` returns. Statements
are plain SQL through the connection's DB-API cursor (:class:`Sql`).
"""
from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from sqlalchemy.engine import Connection

from newsgraph.record import Record
from newsgraph.store import dedup
from newsgraph.store.batch import Batch, Pending
from newsgraph.store.models import (
    DocEntity,
    DocNarrative,
    Document,
    DocumentRaw,
    EntityAlias,
    EntityEdge,
    EntityKey,
    EntityNarrative,
    EntityRow,
    EventCluster,
    EventParty,
    EventRow,
    Judgement,
    LshBand,
    Mention,
    NearDuplicate,
    QuoteMention,
    QuoteRow,
    RoleRow,
    SignalRow,
)
from newsgraph.store.sql import Sql
from newsgraph.store.util import (
    content_hash,
    date_interval,
    kb_key,
    sha256,
    title_key,
    translit_entity_key,
)
from newsgraph.store.util import name_key as _name_key

D = Document.__table__
RAW = DocumentRaw.__table__
LSH = LshBand.__table__
ND = NearDuplicate.__table__
E = EntityRow.__table__
EK = EntityKey.__table__
EA = EntityAlias.__table__
DE = DocEntity.__table__
M = Mention.__table__
R = RoleRow.__table__
EC = EventCluster.__table__
EV = EventRow.__table__
EP = EventParty.__table__
Q = QuoteRow.__table__
QM = QuoteMention.__table__
DN = DocNarrative.__table__
S = SignalRow.__table__
J = Judgement.__table__
EE = EntityEdge.__table__
EN = EntityNarrative.__table__

SYMMETRIC_EVENTS = frozenset({"CONSULT", "COOPERATE"})
CLUSTERED_STATUS = frozenset({"asserted", "future"})
MAX_CLUSTER_SPAN_DAYS = 31  # year-precision dates never cluster
BATCH_KEY = "newsgraph_batch"  # Connection.info key of the batch being written
name_key = lru_cache(maxsize=65536)(_name_key)  # names repeat across documents


@lru_cache(maxsize=65536)
def entity_name_key(type_: str, name: str) -> str:
    return f"name:{type_}:{name_key(name)}"


_translit = lru_cache(maxsize=65536)(translit_entity_key)


@dataclass
class Settings:
    near_duplicate_threshold: float = dedup.DEFAULT_THRESHOLD
    event_window_days: int = 7


@dataclass
class AddResult:
    """What storing one record did: ``added``, ``unchanged``, ``new_version``, ``replaced`` or ``failed``."""

    status: str
    doc_id: str
    document_id: int | None = None
    previous_id: int | None = None
    story_id: int | None = None
    duplicate_of: list[int] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


@contextlib.contextmanager
def unit(conn: Connection) -> Iterator[tuple[Sql, Batch]]:
    """The connection's batch, or a batch for this call alone whose rows are written when it ends."""
    sql = Sql.of(conn)
    batch = conn.info.get(BATCH_KEY)
    if batch is not None and batch.sql is sql:
        yield sql, batch
        return
    batch = conn.info[BATCH_KEY] = Batch(sql)
    try:
        yield sql, batch
        batch.flush_all()
    finally:
        conn.info.pop(BATCH_KEY, None)


def batch_keys(record: Record) -> tuple[set[str], list[str]]:
    """The resolution keys a record's names will be looked up by (for a batch's prefetch)."""
    keys: set[str] = set()
    for ent in record.entities:
        if ent.id:
            keys.add(kb_key(ent.id))
        keys.add(entity_name_key(ent.type, ent.name))
        t = _translit(ent.type, ent.name)
        if t:
            keys.add(t)
    names = [r.person for r in record.roles] + [r.of for r in record.roles if r.of]
    names += [p.name for ev in record.events for p in (*ev.actor, *ev.recipient)]
    names += [q.speaker for q in record.quotes]
    for n in set(names):
        k = name_key(n)
        keys.update(f"name:{t}:{k}" for t in _TYPE_ORDER)
    return keys, names


# --------------------------------------------------------------------------- documents


def store_document(conn: Connection, record: Record, raw: str | None = None, source: str | None = None,
                   fmt: str | None = None, *, replace: bool = False, settings: Settings | None = None) -> AddResult:
    """Store ``record`` (and its raw input) on ``conn``; the caller owns the transaction."""
    settings = settings or Settings()
    with unit(conn) as (sql, batch):
        return _store(conn, sql, batch, record, raw, source, fmt, replace, settings)


def _store(conn: Connection, sql: Sql, batch: Batch, record: Record, raw: str | None, source: str | None,
           fmt: str | None, replace: bool, settings: Settings) -> AddResult:
    url = (record.url or "").strip() or None
    chash = content_hash(url, record.text)
    found = None
    if batch.maybe_content(chash):
        found = sql.first("SELECT id, story_id, is_current FROM documents WHERE content_hash = :h", {"h": chash})
    if found is not None:
        doc, story, current = found[0], found[1], bool(found[2])
        if not replace:
            return AddResult("unchanged", record.doc_id, doc, story_id=story)
        if current:
            remove_facts(conn, doc)
        sql.run("UPDATE documents SET doc_id = :doc_id, title = :title, published = :published, outlet = :outlet,"
                " language = :language, source = :source, record_json = :record_json WHERE id = :id",
                {**_meta(record, source), "id": doc})
        if raw is not None:
            sql.run("DELETE FROM document_raw WHERE document_id = :d", {"d": doc})
            sql.run("INSERT INTO document_raw (document_id, format, raw) VALUES (:d, :f, :r)",
                    {"d": doc, "f": fmt, "r": raw})
        if current:
            insert_facts(conn, doc, story, record, settings)
        return AddResult("replaced", record.doc_id, doc, story_id=story)

    previous = None
    url_key = sha256(url) if url else None
    if url_key is not None and batch.maybe_url(url_key):
        previous = sql.first(f"SELECT id, story_id, version FROM documents WHERE url_key = :u AND is_current = "
                             f"{sql.true()} ORDER BY id DESC", {"u": url_key})
    text_hash = sha256(record.text)
    sig = batch.signature(text_hash, record.text)
    doc = batch.next_id("documents")
    if previous is not None:
        remove_facts(conn, previous[0])
        _drop_lsh(sql, batch, previous[0])
        sql.run("UPDATE documents SET is_current = :f WHERE id = :d", {"f": False, "d": previous[0]})
    # the story first, so that the row is written once (an update would index its text again on PostgreSQL)
    story, dups = _link_near_duplicates(sql, batch, doc, text_hash, sig, previous[1] if previous else None,
                                        settings)
    sql.run(
        "INSERT INTO documents (id, doc_id, content_hash, text_hash, url, url_key, version, previous_id, is_current,"
        " story_id, title, published, outlet, language, source, text, record_json, minhash, ingested_at)"
        " VALUES (:id, :doc_id, :content_hash, :text_hash, :url, :url_key, :version, :previous_id, :is_current,"
        " :story_id, :title, :published, :outlet, :language, :source, :text, :record_json, :minhash, :ingested_at)",
        {**_meta(record, source), "id": doc, "content_hash": chash, "text_hash": text_hash, "url": url,
         "url_key": url_key, "version": previous[2] + 1 if previous else 1,
         "previous_id": previous[0] if previous else None, "is_current": True, "story_id": story,
         "text": record.text, "minhash": sig.to_bytes() if sig else None, "ingested_at": _now()})
    if not sql.pg:  # SQLite's full-text rows are ours to write (see migration 0004)
        sql.run("INSERT INTO documents_fts (rowid, title, text) VALUES (:id, :title, :text)",
                {"id": doc, "title": record.title or "", "text": record.text})
    batch.stored_document(chash, url_key, text_hash)
    if raw is not None:
        sql.run("INSERT INTO document_raw (document_id, format, raw) VALUES (:d, :f, :r)",
                {"d": doc, "f": fmt, "r": raw})
    if story == doc:  # a story of its own: no other document shares its co-mentions
        batch.alone = doc
    try:
        insert_facts(conn, doc, story, record, settings)
    finally:
        batch.alone = None
    return AddResult("new_version" if previous else "added", record.doc_id, doc,
                     previous_id=previous[0] if previous else None, story_id=story, duplicate_of=dups)


def _meta(record: Record, source: str | None) -> dict:
    return {"doc_id": record.doc_id, "title": record.title, "published": record.published, "outlet": record.outlet,
            "language": record.language, "source": source or record.source,
            "record_json": record.model_dump_json(exclude={"text"})}


def _drop_lsh(sql: Sql, batch: Batch, doc: int) -> None:
    if batch.holds_rows_of(doc):
        batch.flush()
    blob = sql.scalar("SELECT minhash FROM documents WHERE id = :d", {"d": doc})
    if blob is not None:
        keys = sorted(set(dedup.Signature.from_bytes(bytes(blob)).band_keys()))
        sql.bulk_delete("lsh_bands", ("key", "document_id"), ("int8", "int"), [(k, doc) for k in keys])
        batch.bands_dropped(doc, keys)


def _link_near_duplicates(sql: Sql, batch: Batch, doc: int, text_hash: str, sig: dedup.Signature | None,
                          base_story: int | None, settings: Settings) -> tuple[int, list[int]]:
    """Link ``doc`` (about to be written) to the current documents it nearly duplicates.

    Returns its story and the copies; stories it bridges become one."""
    matches: dict[int, float] = {}
    stories: set[int] = {base_story} if base_story is not None else set()
    if batch.maybe_text(text_hash):
        for other, story in sql.all(f"SELECT id, story_id FROM documents WHERE text_hash = :h AND is_current = "
                                    f"{sql.true()} AND id <> :d", {"h": text_hash, "d": doc}):
            matches[other] = 1.0
            stories.add(story)
    pending = batch.pending
    if sig is not None:
        keys = sorted(set(sig.band_keys()))
        cands = batch.band_documents(keys) - set(matches) - {doc}
        if cands:
            params: dict = {}
            rows = sql.all(f"SELECT id, story_id, minhash FROM documents WHERE "
                           f"{sql.inlist('id', 'c', sorted(cands), params)} AND is_current = {sql.true()}", params)
            for other, story, blob in rows:
                if blob is None:
                    continue
                sim = sig.jaccard(dedup.Signature.from_bytes(bytes(blob)))
                if sim >= settings.near_duplicate_threshold:
                    matches[other] = sim
                    stories.add(story)
        lsh = pending.lsh
        for k in keys:
            lsh.setdefault(k, []).append(doc)
        pending.docs.add(doc)
    story = min(stories) if stories else doc
    if matches:
        pending.rows["near_duplicates"].extend((doc, o, s) for o, s in sorted(matches.items()))
        pending.docs.add(doc)
    for other_story in sorted(stories - {story}):  # this document bridges two stories: they are one
        _move_story(sql, pending, other_story, story)
    return story, sorted(matches)


def _move_story(sql: Sql, pending: Pending, old: int, new: int) -> None:
    current = [r[0] for r in sql.all(f"SELECT id FROM documents WHERE story_id = :s AND is_current = {sql.true()}"
                                     " ORDER BY id", {"s": old})]
    for d in current:  # one at a time: the story counts see which documents are where
        ents, narrs = _aggregate_inputs_sql(sql, d)
        _apply(sql, pending, d, ents, old, narrs, -1)
        sql.run("UPDATE documents SET story_id = :n WHERE id = :d", {"n": new, "d": d})
        _apply(sql, pending, d, ents, new, narrs, +1)
    sql.run("UPDATE documents SET story_id = :n WHERE story_id = :o", {"n": new, "o": old})


# --------------------------------------------------------------------------- entities


class _Resolver:
    """Resolves the names of one record to cross-document entities, creating what is new."""

    def __init__(self, sql: Sql, batch: Batch, document_id: int):
        self.sql = sql
        self.batch = batch
        self.document_id = document_id
        self.local: dict[str, int] = {}  # name key -> entity id, this document
        self.doc_entities: dict[int, int] = {}  # entity id -> a doc_entities row id
        self.entity_country: dict[int, str | None] = {}

    def resolve_record_entities(self, record: Record) -> list[int]:
        sql, batch = self.sql, self.batch
        wanted: list[tuple[str | None, str, str | None]] = []
        for ent in record.entities:
            wanted.append((kb_key(ent.id) if ent.id else None, entity_name_key(ent.type, ent.name),
                           _translit(ent.type, ent.name)))
        keys = {k for triple in wanted for k in triple if k}
        mapped = batch.key_map(keys)  # as stored when the document begins
        info = batch.info
        batch.entity_info(mapped.values())
        via: dict[str, int] = {}
        unmapped = keys - mapped.keys()
        if unmapped:
            partners = batch.judged_partners()
            wanted_partners = {k: partners[k] for k in unmapped if k in partners}
            if wanted_partners:
                partner_map = batch.key_map(wanted_partners.values())
                via = {k: partner_map[p] for k, p in wanted_partners.items() if p in partner_map}
                batch.entity_info(via.values())
        created: dict[str, int] = {}
        result: list[int] = []
        new_keys: list[tuple[str, int]] = []
        for ent, (kk, nk, tk) in zip(record.entities, wanted):
            eid = None
            if kk:
                eid = mapped.get(kk) or created.get(kk) or via.get(kk)
            for k in (nk, tk):
                if eid is None and k:
                    cand = mapped.get(k) or created.get(k) or via.get(k)
                    if cand is not None and (kk is None or info[cand]["kb_id"] in (None, ent.id)):
                        eid = cand
            if eid is None:
                eid = _new_entity(sql, batch, ent.name, ent.type, ent.kind, ent.country, ent.id)
            else:
                _refine_entity(sql, batch, eid, info[eid], ent.name, ent.kind, ent.country, ent.id)
            for k in (kk, nk, tk):
                if k and k not in mapped and k not in created:
                    new_keys.append((k, eid))
                    created[k] = eid
            result.append(eid)
            self.entity_country[eid] = info[eid].get("country") or ent.country
        _add_keys(sql, batch, new_keys)
        # names of this document: aliases first, canonical names win
        for ent, eid in zip(record.entities, result):
            for alias in ent.aliases:
                self.local.setdefault(name_key(alias), eid)
        for ent, eid in zip(record.entities, result):
            self.local[name_key(ent.name)] = eid
        return result

    def named(self, name: str, type_hint: str | None, country: str | None = None) -> int:
        """The entity a role, party or speaker name stands for: this document's, else the corpus's, else new.

        ``type_hint`` None: a state if the name is one, else an organization."""
        sql, batch = self.sql, self.batch
        key = name_key(name)
        eid = self.local.get(key)
        if eid is None:
            type_hint = type_hint or _place_or_org(name)
            eid = _lookup_name(batch, key, type_hint)
            if eid is None:
                eid = _new_entity(sql, batch, name, type_hint, None, country, None)
                _add_keys(sql, batch, [(entity_name_key(type_hint, name), eid)])
            self.local[key] = eid
        if eid not in self.doc_entities:
            type_hint = type_hint or _place_or_org(name)
            de = batch.next_id("doc_entities")
            sql.run("INSERT INTO doc_entities (id, document_id, entity_id, name, key, type, kind, country, kb_id,"
                    " aliases, mention_count, implicit) VALUES (:id, :d, :e, :n, :k, :t, NULL, :c, NULL, :a, 0, :i)",
                    {"id": de, "d": self.document_id, "e": eid, "n": name, "k": entity_name_key(type_hint, name),
                     "t": type_hint, "c": country, "a": sql.json([name]), "i": True})
            self.doc_entities[eid] = de
            _bump(batch.pending, ((eid, name),), +1)
        if eid not in self.entity_country:
            self.entity_country[eid] = batch.entity_info((eid,))[eid]["country"]
        return eid


def _add_keys(sql: Sql, batch: Batch, rows: list[tuple[str, int]]) -> None:
    if rows:
        sql.bulk("entity_keys", ("key", "entity_id"), ("text", "int"), rows, "ON CONFLICT (key) DO NOTHING")
        for k, e in rows:
            batch.key_added(k, e)


def _new_entity(sql: Sql, batch: Batch, name: str, type_: str, kind: str | None, country: str | None,
                kb_id: str | None) -> int:
    eid = batch.next_id("entities")
    sql.run("INSERT INTO entities (id, name, name_key, type, kind, country, kb_id, doc_count, created_at)"
            " VALUES (:id, :n, :k, :t, :kind, :c, :kb, 0, :now)",
            {"id": eid, "n": name, "k": name_key(name), "t": type_, "kind": kind, "c": country, "kb": kb_id,
             "now": _now()})
    batch.info[eid] = {"kb_id": kb_id, "name": name, "kind": kind, "country": country}
    return eid


def _ascii_count(s: str) -> int:
    return sum(1 for c in s if ord(c) < 128)


def _refine_entity(sql: Sql, batch: Batch, eid: int, info: dict, name: str, kind: str | None, country: str | None,
                   kb_id: str | None) -> None:
    """Fill what the entity lacks: a KB id (and the KB's name), kind, country, a name with its accents."""
    changes: dict[str, object] = {}
    if kb_id and info["kb_id"] is None:
        taken = sql.scalar("SELECT id FROM entities WHERE kb_id = :kb", {"kb": kb_id})
        if taken is None:
            changes.update(kb_id=kb_id, name=name, name_key=name_key(name))
        _add_keys(sql, batch, [(kb_key(kb_id), eid)])
    elif info["kb_id"] is None and name != info["name"] and name_key(name) == name_key(info["name"]) \
            and len(name) - _ascii_count(name) > len(info["name"]) - _ascii_count(info["name"]):
        changes["name"] = name  # "Ibrahim Traoré" over "Ibrahim Traore"
    if kind and not info.get("kind"):
        changes["kind"] = kind
    if country and not info.get("country"):
        changes["country"] = country
    if changes:
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        sql.run(f"UPDATE entities SET {sets} WHERE id = :id", {**changes, "id": eid})
        info.update((k, v) for k, v in changes.items() if k != "name_key")


_TYPE_ORDER = ("PERSON", "ORG", "GPE", "LOC", "OTHER")


def _lookup_name(batch: Batch, key: str, type_hint: str) -> int | None:
    keys = [f"name:{t}:{key}" for t in (type_hint, *[t for t in _TYPE_ORDER if t != type_hint])]
    mapped = batch.key_map(keys)
    for k in keys:
        if k in mapped:
            return mapped[k]
    owners = batch.alias_entities(key)
    if len(owners) == 1:
        return next(iter(owners))
    return None


def _bump(pending: Pending, pairs: Iterable[tuple[int, str]], sign: int) -> None:
    """Count (``sign`` +1) or uncount (-1) a document's use of each (entity, surface form)."""
    for e, a in set(pairs):
        alias = a[:512]
        pending.add_alias(e, alias, name_key(alias)[:512], sign)


def _bump_aliases(sql: Sql, pairs: Iterable[tuple[int, str]], sign: int) -> None:
    """:func:`_bump`, written at once (for curation, outside the write path)."""
    pending = Pending()
    _bump(pending, pairs, sign)
    pending.write(sql)


@lru_cache(maxsize=4096)
def _place_or_org(name: str) -> str:
    """Type for a name that only a role or an event gives: a state when it names one, else an organization."""
    try:
        import pycountry

        if pycountry.countries.lookup(name) is not None:
            return "GPE"
    except LookupError:
        pass
    return "ORG"


# --------------------------------------------------------------------------- facts

_DE_COLS = ("id", "document_id", "entity_id", "name", "key", "type", "kind", "country", "kb_id", "aliases",
            "mention_count", "implicit")
_DE_TYPES = ("int", "int", "int", "text", "text", "text", "text", "text", "text", "json", "int", "bool")


def insert_facts(conn: Connection, doc: int, story: int, record: Record, settings: Settings) -> None:
    with unit(conn) as (sql, batch):
        _insert_facts(sql, batch, doc, story, record, settings)


def _insert_facts(sql: Sql, batch: Batch, doc: int, story: int, record: Record, settings: Settings) -> None:
    pending = batch.pending
    pending.docs.add(doc)
    res = _Resolver(sql, batch, doc)
    entity_ids = res.resolve_record_entities(record)
    de_ids = [batch.next_id("doc_entities") for _ in record.entities]
    sql.bulk("doc_entities", _DE_COLS, _DE_TYPES,
             [(de, doc, eid, ent.name, entity_name_key(ent.type, ent.name), ent.type, ent.kind, ent.country, ent.id,
               sql.json(list(dict.fromkeys(ent.aliases))), len(ent.mentions), False)
              for de, ent, eid in zip(de_ids, record.entities, entity_ids)])
    mentions: dict[tuple[int, int, int], tuple] = {}  # a span listed twice: once
    alias_pairs: set[tuple[int, str]] = set()
    for ent, eid, de in zip(record.entities, entity_ids, de_ids):
        res.doc_entities.setdefault(eid, de)
        alias_pairs.add((eid, ent.name))
        alias_pairs.update((eid, a) for a in ent.aliases)
        for m in ent.mentions:
            mentions.setdefault((m.start, m.end, de), (doc, m.start, m.end, de, eid, m.text))
    pending.rows["mentions"].extend(mentions.values())
    _bump(pending, alias_pairs, +1)

    published = date_interval(record.published)
    published_start = published[0].isoformat() if published else None
    roles = pending.rows["roles"]
    for role in record.roles:
        pid = res.named(role.person, "PERSON")
        of_id = res.named(role.of, None) if role.of else None
        ev = role.evidence
        roles.append((doc, pid, role.person, role.title, title_key(role.title), of_id, role.of, record.published,
                      published_start, ev.start if ev else None, ev.end if ev else None, ev.text if ev else None))

    events = []
    for event in record.events:
        parties = []
        for side, group in (("actor", event.actor), ("recipient", event.recipient)):
            for party in group:
                eid = res.named(party.name, None)
                parties.append((side, eid, party.name, party.country or res.entity_country.get(eid)))
        when = date_interval(event.date)
        date_from = "text" if when else None
        if when is None and published is not None:
            when, date_from = (published[0], published[0], "day"), "published"
        events.append((event, parties, when, date_from))
    candidates = _cluster_candidates(sql, doc, [(e.type, e.status, when, parties) for e, parties, when, _ in events],
                                     settings)
    clusters_here: set[int] = set()
    for (event, parties, when, date_from), rows in zip(events, candidates):
        cluster = _match_cluster(sql, doc, event.type, event.status, when, parties, clusters_here, settings,
                                 candidates=rows)
        if cluster is None:
            cluster = batch.next_id("event_clusters")
            sql.run("INSERT INTO event_clusters (id, type) VALUES (:id, :t)", {"id": cluster, "t": event.type})
        clusters_here.add(cluster)
        _insert_event(sql, batch, doc, cluster, event, when, date_from, parties)

    about: set[tuple[int, int]] = set()
    if record.quotes:
        speakers = [res.named(q.speaker, "PERSON") for q in record.quotes]
        quote_ids = [batch.next_id("quotes") for _ in record.quotes]
        sql.bulk("quotes", ("id", "document_id", "speaker_id", "speaker_name", "text", "direct", "start", '"end"'),
                 ("int", "int", "int", "text", "text", "bool", "int", "int"),
                 [(qid, doc, sid, q.speaker, q.text, q.direct, q.start, q.end)
                  for qid, q, sid in zip(quote_ids, record.quotes, speakers)])
        if not sql.pg:
            sql.bulk("quotes_fts", ("rowid", "text"), ("int", "text"),
                     [(qid, q.text) for qid, q in zip(quote_ids, record.quotes)])
        spans = _Spans(record, entity_ids)
        for q, sid, qid in zip(record.quotes, speakers, quote_ids):
            about.update((qid, eid) for eid in _quote_about(record, entity_ids, q, spans) if eid != sid)
    pending.rows["quote_mentions"].extend(sorted(about))

    best: dict[str, Any] = {}
    for n in record.narratives:
        if n.id not in best or n.score > best[n.id].score:
            best[n.id] = n
    sql.bulk("doc_narratives", ("document_id", "narrative_id", "score", "evidence"), ("int", "text", "float8", "json"),
             [(doc, n.id, n.score, sql.json([s.model_dump() for s in n.evidence])) for n in best.values()])
    pending.rows["signals"].extend(
        (doc, s.kind, s.detail, s.evidence.start if s.evidence else None, s.evidence.end if s.evidence else None,
         s.evidence.text if s.evidence else None) for s in record.signals)
    _apply(sql, pending, doc, set(entity_ids) | set(res.doc_entities), story, sorted(best), +1,
           alone=batch.alone == doc == story)


def _insert_event(sql: Sql, batch: Batch, doc: int, cluster: int, event, when, date_from: str | None,
                  parties: list[tuple]) -> None:
    ev = event.evidence
    start = when[0].isoformat() if when else None
    event_id = batch.next_id("events")
    sql.run("INSERT INTO events (id, document_id, cluster_id, type, mode, status, date, date_start, date_end,"
            ' date_precision, date_from, location, start, "end", evidence) VALUES (:id, :d, :c, :t, :m, :st, :date,'
            " :ds, :de, :dp, :df, :loc, :s, :x, :ev)",
            {"id": event_id, "d": doc, "c": cluster, "t": event.type, "m": event.mode, "st": event.status,
             "date": event.date, "ds": start, "de": when[1].isoformat() if when else None,
             "dp": when[2] if when else None, "df": date_from, "loc": event.location,
             "s": ev.start if ev else None, "x": ev.end if ev else None, "ev": ev.text if ev else None})
    sql.bulk("event_parties", ("event_id", "entity_id", "side", "name", "country", "type", "date_start"),
             ("int", "int", "text", "text", "text", "text", "date"),
             [(event_id, p[1], p[0], p[2], p[3], event.type, start) for p in parties])


def _quote_about(record: Record, entity_ids: list[int], quote, spans: "_Spans | None" = None) -> set[int]:
    """The entities a quote names: mentions inside its span, else its text naming them."""
    found: set[int] = set()
    if quote.start is not None and quote.end is not None:
        spans = spans or _Spans(record, entity_ids)
        return spans.inside(quote.start, quote.end)
    folded = quote.text.casefold()
    for ent, eid in zip(record.entities, entity_ids):
        for form in {ent.name, *ent.aliases}:
            if len(form) > 2 and re.search(rf"(?<!\w){re.escape(form.casefold())}(?!\w)", folded):
                found.add(eid)
                break
    return found


class _Spans:
    """A record's mention spans by start, for the mentions inside a quote."""

    def __init__(self, record: Record, entity_ids: list[int]):
        self.spans = sorted((m.start, m.end, eid) for ent, eid in zip(record.entities, entity_ids)
                            for m in ent.mentions)
        self.starts = [s[0] for s in self.spans]

    def inside(self, start: int, end: int) -> set[int]:
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_right(self.starts, end)
        return {eid for _, e, eid in self.spans[lo:hi] if e <= end}


# --------------------------------------------------------------------------- event clusters


def _party_tokens(parties: Iterable[tuple[str, int, str | None]]) -> tuple[set, set]:
    """Actor and recipient tokens: entity ids (ints) and the countries they act for (strings)."""
    actors: set = set()
    recipients: set = set()
    for side, eid, country in parties:
        target = actors if side == "actor" else recipients
        target.add(eid)
        if country:
            target.add(country)
    return actors, recipients


def parties_match(event_type: str, a: tuple[set, set], b: tuple[set, set]) -> bool:
    """Whether two events' parties can be one occurrence (entities, or the states they act for, in common)."""
    if event_type in SYMMETRIC_EVENTS:
        ua, ub = a[0] | a[1], b[0] | b[1]
        if not ua or not ub:
            return False
        return len(ua & ub) >= min(2, len(ua), len(ub))
    if not (a[0] & b[0]):
        return False
    if a[1] and b[1] and not (a[1] & b[1]):
        return False
    return True


def _clusterable(status: str, when: tuple[dt.date, dt.date, str] | None, parties: list[tuple]) -> bool:
    return when is not None and status in CLUSTERED_STATUS and (when[1] - when[0]).days <= MAX_CLUSTER_SPAN_DAYS \
        and bool(parties)


def _cluster_candidates(sql: Sql, doc: int, events: list[tuple[str, str, Any, list[tuple]]],
                        settings: Settings) -> list[list[tuple]]:
    """For each (type, status, dates, parties): the events of other documents it may report too, with their
    parties, as rows (event, cluster, side, entity, country); one query for all.

    Only events that share a party token (an entity, or a country a party acts for) with this one can match
    (:func:`parties_match`: an actor for directed events, any party for symmetric ones): the others are left
    out in the query."""
    out: list[list[tuple]] = [[] for _ in events]
    parts: list[str] = []
    params: dict[str, Any] = {"d": doc}
    window = dt.timedelta(days=settings.event_window_days)
    span = (f"e.date_end - e.date_start <= {MAX_CLUSTER_SPAN_DAYS}" if sql.pg else
            f"julianday(e.date_end) - julianday(e.date_start) <= {MAX_CLUSTER_SPAN_DAYS}")
    for i, (event_type, status, when, parties) in enumerate(events):
        if not _clusterable(status, when, parties):
            continue
        symmetric = event_type in SYMMETRIC_EVENTS
        mine = [p for p in parties if symmetric or p[0] == "actor"]
        ids = sorted({p[1] for p in mine})
        countries = sorted({p[3] for p in mine if p[3]})
        if not ids:
            continue  # no actor: a directed event matches none
        lo, hi = when[0] - window, when[1] + window
        params.update({f"t{i}": event_type, f"st{i}": status, f"hi{i}": hi.isoformat(), f"lo{i}": lo.isoformat(),
                       f"lz{i}": (lo - dt.timedelta(days=MAX_CLUSTER_SPAN_DAYS)).isoformat()})
        where = (f" WHERE e.type = :t{i} AND e.date_start >= :lz{i} AND e.date_start <= :hi{i}"
                 f" AND e.status = :st{i} AND e.date_end >= :lo{i} AND e.cluster_id IS NOT NULL"
                 f" AND e.document_id <> :d AND {span}")
        head = f"SELECT {i} AS q, e.id, e.cluster_id, p.side, p.entity_id, p.country FROM events e" \
               " JOIN event_parties p ON p.event_id = e.id"
        if sql.pg:  # PostgreSQL plans the plain form well; the probe form below cost its server twice the CPU
            shared = sql.inlist("x.entity_id", f"e{i}", ids, params)
            if countries:
                shared = f"({shared} OR {sql.inlist('x.country', f'c{i}', countries, params)})"
            side = "" if symmetric else " AND x.side = 'actor'"
            parts.append(f"{head}{where} AND EXISTS (SELECT 1 FROM event_parties x WHERE x.event_id = e.id{side}"
                         f" AND {shared})")
            continue
        # SQLite: the events that share a party token, found from the parties' side (an index by entity or
        # country, side, type and date): the events of the type in the window are thousands in a large store
        sides = "x.side = 'actor'" if not symmetric else "x.side IN ('actor', 'recipient')"
        probe = f" AND {sides} AND x.type = :t{i} AND x.date_start >= :lz{i} AND x.date_start <= :hi{i}"
        shared_ids = [f"SELECT x.event_id FROM event_parties x WHERE "
                      f"{sql.inlist('x.entity_id', f'e{i}', ids, params)}{probe}"]
        if countries:
            shared_ids.append(f"SELECT x.event_id FROM event_parties x WHERE "
                              f"{sql.inlist('x.country', f'c{i}', countries, params)}{probe}")
        parts.append(f"{head}{where} AND e.id IN ({' UNION '.join(shared_ids)})")
    if parts:
        for q, *row in sql.all(" UNION ALL ".join(parts), params):
            out[q].append(tuple(row))
    return out


def _match_cluster(sql: Sql, doc: int, event_type: str, status: str, when: tuple[dt.date, dt.date, str] | None,
                   parties: list[tuple], clusters_here: set[int], settings: Settings,
                   candidates: list[tuple] | None = None) -> int | None:
    """The cluster of other documents' events that this event reports too, or None (a new occurrence).

    ``candidates``: the rows :func:`_cluster_candidates` gave for it (else they are read here)."""
    if not _clusterable(status, when, parties):
        return None
    rows = candidates if candidates is not None else \
        _cluster_candidates(sql, doc, [(event_type, status, when, parties)], settings)[0]
    if not rows:
        return None
    theirs: dict[int, tuple[int, set, set]] = {}  # event -> cluster, actor tokens, recipient tokens
    for ev, cluster, side, eid, country in rows:
        if cluster in clusters_here:
            continue
        entry = theirs.get(ev)
        if entry is None:
            entry = theirs[ev] = (cluster, set(), set())
        target = entry[1] if side == "actor" else entry[2]
        target.add(eid)
        if country:
            target.add(country)
    if not theirs:
        return None
    mine = _party_tokens((p[0], p[1], p[3]) for p in parties)
    votes: dict[int, int] = {}
    for cluster, actors, recipients in theirs.values():
        if parties_match(event_type, mine, (actors, recipients)):
            votes[cluster] = votes.get(cluster, 0) + 1
    if not votes:
        return None
    return min(votes, key=lambda c: (-votes[c], c))


def _assign_cluster(sql: Sql, doc: int, event_type: str, status: str, when: tuple[dt.date, dt.date, str] | None,
                    parties: list[tuple], clusters_here: set[int], settings: Settings) -> int:
    """The cluster for an event: the one it reports too, else a new one (its id)."""
    cluster = _match_cluster(sql, doc, event_type, status, when, parties, clusters_here, settings)
    if cluster is None:
        cluster = sql.scalar("INSERT INTO event_clusters (type) VALUES (:t) RETURNING id", {"t": event_type})
    return cluster


# --------------------------------------------------------------------------- removal


def _aggregate_inputs_sql(sql: Sql, doc: int) -> tuple[set[int], list[str]]:
    ents = {r[0] for r in sql.all("SELECT entity_id FROM doc_entities WHERE document_id = :d", {"d": doc})}
    narrs = sorted(r[0] for r in sql.all("SELECT narrative_id FROM doc_narratives WHERE document_id = :d", {"d": doc}))
    return ents, narrs


def _aggregate_inputs(conn: Connection, doc: int) -> tuple[set[int], list[str]]:
    return _aggregate_inputs_sql(Sql.of(conn), doc)


def remove_facts(conn: Connection, doc: int) -> None:
    """Take a document's facts out of the graph (its row, text, record and raw input stay)."""
    with unit(conn) as (sql, batch):
        if batch.holds_rows_of(doc):  # its deferred rows must be there to be deleted
            batch.flush()
        pending = batch.pending
        p = {"d": doc}
        story = sql.scalar("SELECT story_id FROM documents WHERE id = :d", p)
        ents, narrs = _aggregate_inputs_sql(sql, doc)
        if story is not None:
            _apply(sql, pending, doc, ents, story, narrs, -1)
        pairs: set[tuple[int, str]] = set()
        for eid, name, aliases, implicit in sql.all(
                "SELECT entity_id, name, aliases, implicit FROM doc_entities WHERE document_id = :d", p):
            pairs.add((eid, name))
            if not implicit:
                if isinstance(aliases, str):
                    aliases = json.loads(aliases)
                pairs.update((eid, a) for a in aliases or [])
        _bump(pending, pairs, -1)
        sql.run("DELETE FROM quote_mentions WHERE quote_id IN (SELECT id FROM quotes WHERE document_id = :d)", p)
        sql.run("DELETE FROM quotes WHERE document_id = :d", p)
        clusters = {r[0] for r in sql.all("SELECT cluster_id FROM events WHERE document_id = :d", p)} - {None}
        sql.run("DELETE FROM event_parties WHERE event_id IN (SELECT id FROM events WHERE document_id = :d)", p)
        sql.run("DELETE FROM events WHERE document_id = :d", p)
        if clusters:
            params: dict = {}
            sql.run(f"DELETE FROM event_clusters WHERE {sql.inlist('id', 'c', sorted(clusters), params)}"
                    " AND NOT EXISTS (SELECT 1 FROM events WHERE events.cluster_id = event_clusters.id)", params)
        for table in ("roles", "mentions", "doc_entities", "doc_narratives", "signals"):
            sql.run(f"DELETE FROM {table} WHERE document_id = :d", p)


# --------------------------------------------------------------------------- aggregates


def apply_aggregates(conn: Connection, doc: int, entity_ids: Iterable[int], story: int, narratives: list[str],
                     sign: int, exclude: set[int] | frozenset[int] = frozenset()) -> None:
    """Add (``sign=+1``) or take away (``-1``) one document's share of the co-mention aggregates, at once.

    A co-mention's independent-source count changes only when no other current
    document of the same story (other than ``doc`` and those in ``exclude``) has the pair.
    """
    sql = Sql.of(conn)
    pending = Pending()
    _apply(sql, pending, doc, entity_ids, story, narratives, sign, exclude)
    pending.write(sql)


def _apply(sql: Sql, pending: Pending, doc: int, entity_ids: Iterable[int], story: int, narratives: list[str],
           sign: int, exclude: set[int] | frozenset[int] = frozenset(), alone: bool = False) -> None:
    """One document's share of the aggregates, as deltas kept in ``pending``.

    ``alone``: the document is known to be its story's only one (no query for the others)."""
    ids = sorted(set(entity_ids))
    if not ids:
        return
    counts = pending.counts
    for e in ids:
        counts[e] = counts.get(e, 0) + sign
    if narratives:
        narr = pending.narratives
        for e in ids:
            for n in narratives:
                narr[(e, n)] = narr.get((e, n), 0) + sign
    if len(ids) < 2:
        return
    # pairs that another document of the same story already backs: not a new independent source
    shared: set[tuple[int, int]] = set()
    others = [] if alone else [
        r[0] for r in sql.all(f"SELECT id FROM documents WHERE story_id = :s AND is_current = {sql.true()}"
                              " AND id <> :d", {"s": story, "d": doc}) if r[0] not in exclude]
    if others:
        params: dict = {}
        mine = set(ids)
        by_doc: dict[int, list[int]] = {}
        for d, e in sql.all(f"SELECT document_id, entity_id FROM doc_entities WHERE "
                            f"{sql.inlist('document_id', 'o', others, params)}", params):
            if e in mine:
                by_doc.setdefault(d, []).append(e)
        for ents in by_doc.values():
            shared.update(combinations(sorted(set(ents)), 2))
    pairs = list(combinations(ids, 2))  # ids are sorted: a < b
    story_pairs = [p for p in pairs if p not in shared] if shared else pairs
    if sign > 0:
        pending.edge_docs.update(pairs)
        pending.edge_stories.update(story_pairs)
    else:
        pending.edge_docs.subtract(pairs)
        pending.edge_stories.subtract(story_pairs)


__all__ = ["AddResult", "Settings", "Sql", "apply_aggregates", "insert_facts", "parties_match", "remove_facts",
           "store_document"]
