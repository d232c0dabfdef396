"""Storing one record: everything of a document in one transaction, on a Connection.

The public entry point is :func:`store_document`; :class:`newsgraph.store.Store`
wraps it in a transaction (or a savepoint inside a batch). Facts (entities,
mentions, roles, events, quotes, narratives, signals) exist only for the
current version of a document; older versions keep their text, record and
raw input. The co-mention aggregates are updated in the same transaction.

The write path is hot (hundreds of documents a second), so it speaks plain
SQL through the connection's DB-API cursor (the same transaction as the
SQLAlchemy ``Connection``); the SQL is written once for SQLite and PostgreSQL
(``:name`` parameters, turned into ``%(name)s`` for psycopg).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from newsgraph.record import Record
from newsgraph.store import dedup
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
from newsgraph.store.util import (
    content_hash,
    date_interval,
    entity_name_key,
    kb_key,
    name_key,
    sha256,
    title_key,
    translit_entity_key,
)

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


# --------------------------------------------------------------------------- plain SQL on the connection


_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]


@lru_cache(maxsize=1024)
def _pg(sql: str) -> str:
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


class Sql:
    """Plain SQL on a SQLAlchemy connection's DB-API cursor, one dialect-neutral text for both databases."""

    def __init__(self, conn: Connection):
        self.pg = conn.dialect.name == "postgresql"
        self.dbapi = conn.connection.dbapi_connection
        self.cur = self.dbapi.cursor()

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


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


# --------------------------------------------------------------------------- documents


def store_document(conn: Connection, record: Record, raw: str | None = None, source: str | None = None,
                   fmt: str | None = None, *, replace: bool = False, settings: Settings | None = None) -> AddResult:
    """Store ``record`` (and its raw input) on ``conn``; the caller owns the transaction."""
    settings = settings or Settings()
    sql = Sql.of(conn)
    url = (record.url or "").strip() or None
    chash = content_hash(url, record.text)
    found = sql.first("SELECT id, story_id, is_current FROM documents WHERE content_hash = :h", {"h": chash})
    meta = {"doc_id": record.doc_id, "title": record.title, "published": record.published, "outlet": record.outlet,
            "language": record.language, "source": source or record.source,
            "record_json": record.model_dump_json(exclude={"text"})}
    if found is not None:
        doc, story, current = found[0], found[1], bool(found[2])
        if not replace:
            return AddResult("unchanged", record.doc_id, doc, story_id=story)
        if current:
            remove_facts(conn, doc)
        sql.run("UPDATE documents SET doc_id = :doc_id, title = :title, published = :published, outlet = :outlet,"
                " language = :language, source = :source, record_json = :record_json WHERE id = :id",
                {**meta, "id": doc})
        if raw is not None:
            sql.run("DELETE FROM document_raw WHERE document_id = :d", {"d": doc})
            sql.run("INSERT INTO document_raw (document_id, format, raw) VALUES (:d, :f, :r)",
                    {"d": doc, "f": fmt, "r": raw})
        if current:
            insert_facts(conn, doc, story, record, settings)
        return AddResult("replaced", record.doc_id, doc, story_id=story)

    previous = None
    if url is not None:
        previous = sql.first(f"SELECT id, story_id, version FROM documents WHERE url_key = :u AND is_current = "
                             f"{sql.true()} ORDER BY id DESC", {"u": sha256(url)})
    sig = dedup.signature(record.text)
    text_hash = sha256(record.text)
    doc = sql.scalar(
        "INSERT INTO documents (doc_id, content_hash, text_hash, url, url_key, version, previous_id, is_current,"
        " story_id, title, published, outlet, language, source, text, record_json, minhash, ingested_at)"
        " VALUES (:doc_id, :content_hash, :text_hash, :url, :url_key, :version, :previous_id, :is_current,"
        " NULL, :title, :published, :outlet, :language, :source, :text, :record_json, :minhash, :ingested_at)"
        " RETURNING id",
        {**meta, "content_hash": chash, "text_hash": text_hash, "url": url,
         "url_key": sha256(url) if url else None, "version": previous[2] + 1 if previous else 1,
         "previous_id": previous[0] if previous else None, "is_current": True, "text": record.text,
         "minhash": sig.to_bytes() if sig else None, "ingested_at": _now()})
    if raw is not None:
        sql.run("INSERT INTO document_raw (document_id, format, raw) VALUES (:d, :f, :r)",
                {"d": doc, "f": fmt, "r": raw})
    if previous is not None:
        remove_facts(conn, previous[0])
        _drop_lsh(sql, previous[0])
        sql.run("UPDATE documents SET is_current = :f WHERE id = :d", {"f": False, "d": previous[0]})
    story, dups = _link_near_duplicates(sql, doc, text_hash, sig, previous[1] if previous else None, settings)
    insert_facts(conn, doc, story, record, settings)
    return AddResult("new_version" if previous else "added", record.doc_id, doc,
                     previous_id=previous[0] if previous else None, story_id=story, duplicate_of=dups)


def _drop_lsh(sql: Sql, doc: int) -> None:
    blob = sql.scalar("SELECT minhash FROM documents WHERE id = :d", {"d": doc})
    if blob is not None:
        keys = dedup.Signature.from_bytes(bytes(blob)).band_keys()
        sql.many("DELETE FROM lsh_bands WHERE key = :k AND document_id = :d", [{"k": k, "d": doc} for k in set(keys)])


def _link_near_duplicates(sql: Sql, doc: int, text_hash: str, sig: dedup.Signature | None,
                          base_story: int | None, settings: Settings) -> tuple[int, list[int]]:
    """Link ``doc`` to the current documents it nearly duplicates; returns its story and the copies."""
    matches: dict[int, float] = {}
    stories: set[int] = {base_story} if base_story is not None else set()
    for other, story in sql.all(f"SELECT id, story_id FROM documents WHERE text_hash = :h AND is_current = "
                                f"{sql.true()} AND id <> :d", {"h": text_hash, "d": doc}):
        matches[other] = 1.0
        stories.add(story)
    if sig is not None:
        keys = sorted(set(sig.band_keys()))
        params: dict = {}
        cands = {r[0] for r in sql.all(f"SELECT DISTINCT document_id FROM lsh_bands WHERE "
                                       f"{sql.inlist('key', 'k', keys, params)}", params)} - set(matches)
        if cands:
            params = {}
            rows = sql.all(f"SELECT id, story_id, minhash FROM documents WHERE {sql.inlist('id', 'c', cands, params)}"
                           f" AND is_current = {sql.true()}", params)
            for other, story, blob in rows:
                if blob is None:
                    continue
                sim = sig.jaccard(dedup.Signature.from_bytes(bytes(blob)))
                if sim >= settings.near_duplicate_threshold:
                    matches[other] = sim
                    stories.add(story)
        sql.many("INSERT INTO lsh_bands (key, document_id) VALUES (:k, :d)", [{"k": k, "d": doc} for k in keys])
    story = min(stories) if stories else doc
    sql.run("UPDATE documents SET story_id = :s WHERE id = :d", {"s": story, "d": doc})
    sql.many("INSERT INTO near_duplicates (document_id, duplicate_of_id, similarity) VALUES (:d, :o, :s)",
             [{"d": doc, "o": o, "s": s} for o, s in sorted(matches.items())])
    for other_story in sorted(stories - {story}):  # this document bridges two stories: they are one
        _move_story(sql, other_story, story)
    return story, sorted(matches)


def _move_story(sql: Sql, old: int, new: int) -> None:
    current = [r[0] for r in sql.all(f"SELECT id FROM documents WHERE story_id = :s AND is_current = {sql.true()}",
                                     {"s": old})]
    for d in current:  # one at a time: the story counts see which documents are where
        ents, narrs = _aggregate_inputs_sql(sql, d)
        _apply(sql, d, ents, old, narrs, -1)
        sql.run("UPDATE documents SET story_id = :n WHERE id = :d", {"n": new, "d": d})
        _apply(sql, d, ents, new, narrs, +1)
    sql.run("UPDATE documents SET story_id = :n WHERE story_id = :o", {"n": new, "o": old})


# --------------------------------------------------------------------------- entities


class _Resolver:
    """Resolves the names of one record to cross-document entities, creating what is new."""

    def __init__(self, sql: Sql, document_id: int):
        self.sql = sql
        self.document_id = document_id
        self.local: dict[str, int] = {}  # name key -> entity id, this document
        self.doc_entities: dict[int, int] = {}  # entity id -> a doc_entities row id
        self.entity_country: dict[int, str | None] = {}

    def resolve_record_entities(self, record: Record) -> list[int]:
        sql = self.sql
        wanted: list[tuple[str | None, str, str | None]] = []
        for ent in record.entities:
            wanted.append((kb_key(ent.id) if ent.id else None, entity_name_key(ent.type, ent.name),
                           translit_entity_key(ent.type, ent.name)))
        keys = {k for triple in wanted for k in triple if k}
        mapped = _key_map(sql, keys)
        info = _entity_info(sql, set(mapped.values()))
        via = _judged(sql, keys - set(mapped))
        info.update(_entity_info(sql, set(via.values()) - set(info)))
        created: dict[str, int] = {}
        result: list[int] = []
        new_keys: list[dict] = []
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
                eid = _new_entity(sql, ent.name, ent.type, ent.kind, ent.country, ent.id)
                info[eid] = {"kb_id": ent.id, "name": ent.name, "kind": ent.kind, "country": ent.country}
            else:
                _refine_entity(sql, eid, info[eid], ent.name, ent.kind, ent.country, ent.id)
            for k in (kk, nk, tk):
                if k and k not in mapped and k not in created:
                    new_keys.append({"k": k, "e": eid})
                    created[k] = eid
            result.append(eid)
            self.entity_country[eid] = info[eid].get("country") or ent.country
        sql.many("INSERT INTO entity_keys (key, entity_id) VALUES (:k, :e) ON CONFLICT (key) DO NOTHING", new_keys)
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
        sql = self.sql
        key = name_key(name)
        eid = self.local.get(key)
        if eid is None:
            type_hint = type_hint or _place_or_org(name)
            eid = _lookup_name(sql, key, type_hint)
            if eid is None:
                eid = _new_entity(sql, name, type_hint, None, country, None)
                sql.run("INSERT INTO entity_keys (key, entity_id) VALUES (:k, :e) ON CONFLICT (key) DO NOTHING",
                        {"k": entity_name_key(type_hint, name), "e": eid})
            self.local[key] = eid
        if eid not in self.doc_entities:
            type_hint = type_hint or _place_or_org(name)
            row = sql.scalar(
                "INSERT INTO doc_entities (document_id, entity_id, name, key, type, kind, country, kb_id, aliases,"
                " mention_count, implicit) VALUES (:d, :e, :n, :k, :t, NULL, :c, NULL, :a, 0, :i) RETURNING id",
                {"d": self.document_id, "e": eid, "n": name, "k": entity_name_key(type_hint, name), "t": type_hint,
                 "c": country, "a": sql.json([name]), "i": True})
            self.doc_entities[eid] = row
            _bump_aliases(sql, {(eid, name)}, +1)
        if eid not in self.entity_country:
            self.entity_country[eid] = sql.scalar("SELECT country FROM entities WHERE id = :e", {"e": eid})
        return eid


def _key_map(sql: Sql, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    params: dict = {}
    return dict(sql.all(f"SELECT key, entity_id FROM entity_keys WHERE {sql.inlist('key', 'k', sorted(keys), params)}",
                        params))


def _entity_info(sql: Sql, ids: set[int]) -> dict[int, dict]:
    if not ids:
        return {}
    params: dict = {}
    rows = sql.all(f"SELECT id, kb_id, name, kind, country FROM entities WHERE {sql.inlist('id', 'i', sorted(ids), params)}",
                   params)
    return {r[0]: {"kb_id": r[1], "name": r[2], "kind": r[3], "country": r[4]} for r in rows}


def _judged(sql: Sql, unmapped: set[str]) -> dict[str, int]:
    """Unmapped keys that a merge judgement ties to a key that maps to an entity."""
    if not unmapped:
        return {}
    params: dict = {}
    rows = sql.all(f"SELECT key_a, key_b FROM judgements WHERE kind = 'merge' AND "
                   f"({sql.inlist('key_a', 'a', sorted(unmapped), params)} OR "
                   f"{sql.inlist('key_b', 'b', sorted(unmapped), params)}) ORDER BY id", params)
    partners: dict[str, str] = {}
    for a, b in rows:
        if a in unmapped:
            partners.setdefault(a, b)
        if b in unmapped:
            partners.setdefault(b, a)
    mapped = _key_map(sql, set(partners.values()))
    return {k: mapped[p] for k, p in partners.items() if p in mapped}


def _new_entity(sql: Sql, name: str, type_: str, kind: str | None, country: str | None, kb_id: str | None) -> int:
    return sql.scalar("INSERT INTO entities (name, name_key, type, kind, country, kb_id, doc_count, created_at)"
                      " VALUES (:n, :k, :t, :kind, :c, :kb, 0, :now) RETURNING id",
                      {"n": name, "k": name_key(name), "t": type_, "kind": kind, "c": country, "kb": kb_id,
                       "now": _now()})


def _ascii_count(s: str) -> int:
    return sum(1 for c in s if ord(c) < 128)


def _refine_entity(sql: Sql, eid: int, info: dict, name: str, kind: str | None, country: str | None,
                   kb_id: str | None) -> None:
    """Fill what the entity lacks: a KB id (and the KB's name), kind, country, a name with its accents."""
    changes: dict[str, object] = {}
    if kb_id and info["kb_id"] is None:
        taken = sql.scalar("SELECT id FROM entities WHERE kb_id = :kb", {"kb": kb_id})
        if taken is None:
            changes.update(kb_id=kb_id, name=name, name_key=name_key(name))
        sql.run("INSERT INTO entity_keys (key, entity_id) VALUES (:k, :e) ON CONFLICT (key) DO NOTHING",
                {"k": kb_key(kb_id), "e": eid})
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
        info.update(changes)


_TYPE_ORDER = ("PERSON", "ORG", "GPE", "LOC", "OTHER")


def _lookup_name(sql: Sql, key: str, type_hint: str) -> int | None:
    keys = [f"name:{t}:{key}" for t in (type_hint, *[t for t in _TYPE_ORDER if t != type_hint])]
    mapped = _key_map(sql, set(keys))
    for k in keys:
        if k in mapped:
            return mapped[k]
    rows = sql.all("SELECT entity_id FROM entity_aliases WHERE alias_key = :k AND count > 0 GROUP BY entity_id"
                   " LIMIT 2", {"k": key})
    if len(rows) == 1:
        return rows[0][0]
    return None


def _bump_aliases(sql: Sql, pairs: Iterable[tuple[int, str]], sign: int) -> None:
    rows = [{"e": e, "a": a[:512], "k": name_key(a)[:512], "n": sign} for e, a in sorted(set(pairs))]
    if not rows:
        return
    if sign > 0:
        sql.many("INSERT INTO entity_aliases (entity_id, alias, alias_key, count) VALUES (:e, :a, :k, :n)"
                 " ON CONFLICT (entity_id, alias) DO UPDATE SET count = entity_aliases.count + excluded.count", rows)
    else:
        sql.many("UPDATE entity_aliases SET count = count - 1 WHERE entity_id = :e AND alias = :a", rows)
        params: dict = {}
        sql.run(f"DELETE FROM entity_aliases WHERE {sql.inlist('entity_id', 'e', sorted({r['e'] for r in rows}), params)}"
                " AND count <= 0", params)


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


def insert_facts(conn: Connection, doc: int, story: int, record: Record, settings: Settings) -> None:
    sql = Sql.of(conn)
    res = _Resolver(sql, doc)
    entity_ids = res.resolve_record_entities(record)
    sql.many("INSERT INTO doc_entities (document_id, entity_id, name, key, type, kind, country, kb_id, aliases,"
             " mention_count, implicit) VALUES (:d, :e, :n, :k, :t, :kind, :c, :kb, :a, :m, :i)",
             [{"d": doc, "e": eid, "n": ent.name, "k": entity_name_key(ent.type, ent.name), "t": ent.type,
               "kind": ent.kind, "c": ent.country, "kb": ent.id, "a": sql.json(list(dict.fromkeys(ent.aliases))),
               "m": len(ent.mentions), "i": False} for ent, eid in zip(record.entities, entity_ids)])
    # ids in insertion order (a fresh document: these are all its rows)
    de_ids = [r[0] for r in sql.all("SELECT id FROM doc_entities WHERE document_id = :d ORDER BY id", {"d": doc})]
    mentions = []
    alias_pairs: set[tuple[int, str]] = set()
    for ent, eid, de in zip(record.entities, entity_ids, de_ids):
        res.doc_entities.setdefault(eid, de)
        alias_pairs.add((eid, ent.name))
        alias_pairs.update((eid, a) for a in ent.aliases)
        mentions.extend({"d": doc, "de": de, "e": eid, "s": m.start, "x": m.end, "t": m.text} for m in ent.mentions)
    if len({(m["s"], m["x"], m["de"]) for m in mentions}) < len(mentions):  # a span listed twice: once
        mentions = list({(m["s"], m["x"], m["de"]): m for m in mentions}.values())
    sql.many('INSERT INTO mentions (document_id, doc_entity_id, entity_id, start, "end", text)'
             " VALUES (:d, :de, :e, :s, :x, :t)", mentions)
    _bump_aliases(sql, alias_pairs, +1)

    published = date_interval(record.published)
    role_rows = []
    for role in record.roles:
        pid = res.named(role.person, "PERSON")
        of_id = res.named(role.of, None) if role.of else None
        ev = role.evidence
        role_rows.append({"d": doc, "p": pid, "pn": role.person, "t": role.title, "tk": title_key(role.title),
                          "o": of_id, "on": role.of, "date": record.published,
                          "ds": published[0].isoformat() if published else None,
                          "s": ev.start if ev else None, "x": ev.end if ev else None, "ev": ev.text if ev else None})
    sql.many('INSERT INTO roles (document_id, person_id, person_name, title, title_key, of_id, of_name, date,'
             ' date_start, start, "end", evidence) VALUES (:d, :p, :pn, :t, :tk, :o, :on, :date, :ds, :s, :x, :ev)',
             role_rows)

    clusters_here: set[int] = set()
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
        cluster = _assign_cluster(sql, doc, event.type, event.status, when, parties, clusters_here, settings)
        clusters_here.add(cluster)
        ev = event.evidence
        event_id = sql.scalar(
            "INSERT INTO events (document_id, cluster_id, type, mode, status, date, date_start, date_end,"
            ' date_precision, date_from, location, start, "end", evidence) VALUES (:d, :c, :t, :m, :st, :date,'
            " :ds, :de, :dp, :df, :loc, :s, :x, :ev) RETURNING id",
            {"d": doc, "c": cluster, "t": event.type, "m": event.mode, "st": event.status, "date": event.date,
             "ds": when[0].isoformat() if when else None, "de": when[1].isoformat() if when else None,
             "dp": when[2] if when else None, "df": date_from, "loc": event.location,
             "s": ev.start if ev else None, "x": ev.end if ev else None, "ev": ev.text if ev else None})
        sql.many("INSERT INTO event_parties (event_id, entity_id, side, name, country, type, date_start)"
                 " VALUES (:ev, :e, :side, :n, :c, :t, :ds)",
                 [{"ev": event_id, "e": p[1], "side": p[0], "n": p[2], "c": p[3], "t": event.type,
                   "ds": when[0].isoformat() if when else None} for p in parties])

    about: set[tuple[int, int]] = set()
    if record.quotes:
        speakers = [res.named(q.speaker, "PERSON") for q in record.quotes]
        sql.many('INSERT INTO quotes (document_id, speaker_id, speaker_name, text, direct, start, "end")'
                 " VALUES (:d, :sp, :sn, :t, :dir, :s, :x)",
                 [{"d": doc, "sp": sid, "sn": q.speaker, "t": q.text, "dir": q.direct, "s": q.start, "x": q.end}
                  for q, sid in zip(record.quotes, speakers)])
        quote_ids = [r[0] for r in sql.all("SELECT id FROM quotes WHERE document_id = :d ORDER BY id", {"d": doc})]
        for q, sid, qid in zip(record.quotes, speakers, quote_ids):
            about.update((qid, eid) for eid in _quote_about(record, entity_ids, q) if eid != sid)
    sql.many("INSERT INTO quote_mentions (quote_id, entity_id) VALUES (:q, :e)",
             [{"q": q, "e": e} for q, e in sorted(about)])

    best: dict[str, Any] = {}
    for n in record.narratives:
        if n.id not in best or n.score > best[n.id].score:
            best[n.id] = n
    sql.many("INSERT INTO doc_narratives (document_id, narrative_id, score, evidence) VALUES (:d, :n, :s, :ev)",
             [{"d": doc, "n": n.id, "s": n.score, "ev": sql.json([s.model_dump() for s in n.evidence])}
              for n in best.values()])
    sql.many('INSERT INTO signals (document_id, kind, detail, start, "end", evidence) VALUES (:d, :k, :t, :s, :x, :ev)',
             [{"d": doc, "k": s.kind, "t": s.detail, "s": s.evidence.start if s.evidence else None,
               "x": s.evidence.end if s.evidence else None, "ev": s.evidence.text if s.evidence else None}
              for s in record.signals])
    _apply(sql, doc, set(entity_ids) | set(res.doc_entities), story, sorted(best), +1)


def _quote_about(record: Record, entity_ids: list[int], quote) -> set[int]:
    found: set[int] = set()
    if quote.start is not None and quote.end is not None:
        for ent, eid in zip(record.entities, entity_ids):
            if any(m.start >= quote.start and m.end <= quote.end for m in ent.mentions):
                found.add(eid)
        return found
    folded = quote.text.casefold()
    for ent, eid in zip(record.entities, entity_ids):
        for form in {ent.name, *ent.aliases}:
            if len(form) > 2 and re.search(rf"(?<!\w){re.escape(form.casefold())}(?!\w)", folded):
                found.add(eid)
                break
    return found


# --------------------------------------------------------------------------- event clusters


def _party_tokens(parties: Iterable[tuple[str, int, str | None]]) -> tuple[set[str], set[str]]:
    actors: set[str] = set()
    recipients: set[str] = set()
    for side, eid, country in parties:
        target = actors if side == "actor" else recipients
        target.add(f"e{eid}")
        if country:
            target.add(f"c{country}")
    return actors, recipients


def parties_match(event_type: str, a: tuple[set[str], set[str]], b: tuple[set[str], set[str]]) -> bool:
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


def _assign_cluster(sql: Sql, doc: int, event_type: str, status: str, when: tuple[dt.date, dt.date, str] | None,
                    parties: list[tuple], clusters_here: set[int], settings: Settings) -> int:
    def new() -> int:
        return sql.scalar("INSERT INTO event_clusters (type) VALUES (:t) RETURNING id", {"t": event_type})

    if when is None or status not in CLUSTERED_STATUS or (when[1] - when[0]).days > MAX_CLUSTER_SPAN_DAYS \
            or not parties:
        return new()
    window = dt.timedelta(days=settings.event_window_days)
    lo, hi = when[0] - window, when[1] + window
    rows = sql.all(
        "SELECT id, cluster_id, date_start, date_end FROM events WHERE type = :t AND status = :st"
        " AND date_start >= :lo0 AND date_start <= :hi AND date_end >= :lo AND document_id <> :d"
        " AND cluster_id IS NOT NULL",
        {"t": event_type, "st": status, "lo0": (lo - dt.timedelta(days=MAX_CLUSTER_SPAN_DAYS)).isoformat(),
         "hi": hi.isoformat(), "lo": lo.isoformat(), "d": doc})
    rows = [r for r in rows if r[1] not in clusters_here
            and (as_date(r[3]) - as_date(r[2])).days <= MAX_CLUSTER_SPAN_DAYS]
    if not rows:
        return new()
    theirs: dict[int, list[tuple[str, int, str | None]]] = {}
    params: dict = {}
    for ev, side, eid, country in sql.all(
            f"SELECT event_id, side, entity_id, country FROM event_parties WHERE "
            f"{sql.inlist('event_id', 'e', [r[0] for r in rows], params)}", params):
        theirs.setdefault(ev, []).append((side, eid, country))
    mine = _party_tokens((p[0], p[1], p[3]) for p in parties)
    votes: dict[int, int] = {}
    for r in rows:
        if parties_match(event_type, mine, _party_tokens(theirs.get(r[0], []))):
            votes[r[1]] = votes.get(r[1], 0) + 1
    if not votes:
        return new()
    return min(votes, key=lambda c: (-votes[c], c))


# --------------------------------------------------------------------------- removal


def _aggregate_inputs_sql(sql: Sql, doc: int) -> tuple[set[int], list[str]]:
    ents = {r[0] for r in sql.all("SELECT entity_id FROM doc_entities WHERE document_id = :d", {"d": doc})}
    narrs = sorted(r[0] for r in sql.all("SELECT narrative_id FROM doc_narratives WHERE document_id = :d", {"d": doc}))
    return ents, narrs


def _aggregate_inputs(conn: Connection, doc: int) -> tuple[set[int], list[str]]:
    return _aggregate_inputs_sql(Sql.of(conn), doc)


def remove_facts(conn: Connection, doc: int) -> None:
    """Take a document's facts out of the graph (its row, text, record and raw input stay)."""
    sql = Sql.of(conn)
    p = {"d": doc}
    story = sql.scalar("SELECT story_id FROM documents WHERE id = :d", p)
    ents, narrs = _aggregate_inputs_sql(sql, doc)
    if story is not None:
        _apply(sql, doc, ents, story, narrs, -1)
    pairs: set[tuple[int, str]] = set()
    for eid, name, aliases, implicit in sql.all(
            "SELECT entity_id, name, aliases, implicit FROM doc_entities WHERE document_id = :d", p):
        pairs.add((eid, name))
        if not implicit:
            if isinstance(aliases, str):
                aliases = json.loads(aliases)
            pairs.update((eid, a) for a in aliases or [])
    _bump_aliases(sql, pairs, -1)
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
    """Add (``sign=+1``) or take away (``-1``) one document's share of the co-mention aggregates.

    A co-mention's independent-source count changes only when no other current
    document of the same story (other than ``doc`` and those in ``exclude``) has the pair.
    """
    _apply(Sql.of(conn), doc, entity_ids, story, narratives, sign, exclude)


def _apply(sql: Sql, doc: int, entity_ids: Iterable[int], story: int, narratives: list[str], sign: int,
           exclude: set[int] | frozenset[int] = frozenset()) -> None:
    ids = sorted(set(entity_ids))
    if not ids:
        return
    params: dict = {"n": sign}
    sql.run(f"UPDATE entities SET doc_count = doc_count + :n WHERE {sql.inlist('id', 'e', ids, params)}", params)
    if narratives:
        rows = [{"e": e, "n": n, "c": sign} for e in ids for n in narratives]
        if sign > 0:
            sql.many("INSERT INTO entity_narratives (entity_id, narrative_id, doc_count) VALUES (:e, :n, :c)"
                     " ON CONFLICT (entity_id, narrative_id) DO UPDATE SET"
                     " doc_count = entity_narratives.doc_count + excluded.doc_count", rows)
        else:
            sql.many("UPDATE entity_narratives SET doc_count = doc_count - 1 WHERE entity_id = :e"
                     " AND narrative_id = :n", rows)
            params = {}
            sql.run(f"DELETE FROM entity_narratives WHERE {sql.inlist('entity_id', 'e', ids, params)}"
                    " AND doc_count <= 0", params)
    if len(ids) < 2:
        return
    # pairs that another document of the same story already backs: not a new independent source
    shared: set[tuple[int, int]] = set()
    others = [r[0] for r in sql.all(f"SELECT id FROM documents WHERE story_id = :s AND is_current = {sql.true()}"
                                    " AND id <> :d", {"s": story, "d": doc}) if r[0] not in exclude]
    if others:
        params = {}
        mine = set(ids)
        by_doc: dict[int, list[int]] = {}
        for d, e in sql.all(f"SELECT document_id, entity_id FROM doc_entities WHERE "
                            f"{sql.inlist('document_id', 'o', others, params)}", params):
            if e in mine:
                by_doc.setdefault(d, []).append(e)
        for ents in by_doc.values():
            ents = sorted(set(ents))
            shared.update((a, b) for i, a in enumerate(ents) for b in ents[i + 1:])
    rows = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            n = 0 if (a, b) in shared else sign
            rows.append({"a": a, "b": b, "n": n, "c": sign})
            rows.append({"a": b, "b": a, "n": n, "c": sign})
    if sign > 0:
        sql.many("INSERT INTO entity_edges (a, b, doc_count, story_count) VALUES (:a, :b, :c, :n)"
                 " ON CONFLICT (a, b) DO UPDATE SET doc_count = entity_edges.doc_count + excluded.doc_count,"
                 " story_count = entity_edges.story_count + excluded.story_count", rows)
        return
    sql.many("UPDATE entity_edges SET doc_count = doc_count + :c, story_count = story_count + :n"
             " WHERE a = :a AND b = :b", rows)
    params = {}
    sql.run(f"DELETE FROM entity_edges WHERE {sql.inlist('a', 'a', ids, params)} AND "
            f"{sql.inlist('b', 'b', ids, params)} AND doc_count <= 0", params)


__all__ = ["AddResult", "Settings", "Sql", "apply_aggregates", "insert_facts", "parties_match", "remove_facts",
           "store_document"]
