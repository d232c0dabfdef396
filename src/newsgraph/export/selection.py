"""What an export holds: the documents and facts of the store that match the filters.

One rule for every format:

* a **document** matches when it mentions ``--entity``, was published within
  ``--from``/``--to``, reports an event of ``--type`` and advances ``--narrative``
  (each condition only when given; a document with no publication date fails a
  date range);
* an **event** matches when ``--entity`` is one of its parties, its own date
  (its document's publication date when the text gives none) overlaps the range,
  it is of ``--type`` and its document advances ``--narrative``;
* **roles, quotes, mentions, narratives and signals** come from the matching
  documents; ``--entity`` keeps the roles it holds or is the body of, and the
  quotes it speaks or is named in; ``--narrative`` keeps that narrative's rows.

The exported documents are the matching ones plus the sources of the matching
events, so every exported fact names a document that is in the export too.
Facts are read document by document (:meth:`Selection.bundles`) in chunks, so a
format that streams (JSON lines) never holds the whole store in memory.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, get_args

from sqlalchemy import func, select

from newsgraph.record import EventType
from newsgraph.store import EntityNotFound
from newsgraph.store.util import date_interval, entity_name_key, kb_key
from newsgraph.store.writer import DE, DN, EA, EP, EV, QM, D, E, M, Q, R, S

EVENT_TYPES: tuple[str, ...] = get_args(EventType)
CHUNK = 400  # documents per round of queries (well under SQLite's bound-parameter limit)


class ExportError(ValueError):
    """A problem with the export request (format, filter, output): the message says which."""


def _day(value: str, *, last: bool = False) -> dt.date:
    """The first (or ``last``) day of a ``YYYY[-MM[-DD]]`` date."""
    interval = date_interval(value)
    if interval is None:
        raise ExportError(f"{value!r}: not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return interval[1] if last else interval[0]


@dataclass(frozen=True)
class ExportFilters:
    """``entity`` (name, alias, KB id or ``#id``), ``start``/``end`` (``YYYY[-MM[-DD]]``),
    ``type`` (PLOVER event type) and ``narrative`` (narrative id); ``None`` means any."""

    entity: str | int | None = None
    start: str | None = None
    end: str | None = None
    type: str | None = None
    narrative: str | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and date_interval(str(value).strip()) is None:
                flag = "--from" if name == "start" else "--to"
                raise ExportError(f"{flag} {value!r}: give a date as YYYY, YYYY-MM or YYYY-MM-DD")
        if self.start and self.end and _day(self.start) > _day(self.end, last=True):
            raise ExportError(f"--from {self.start} is after --to {self.end}")
        if self.type is not None:
            object.__setattr__(self, "type", str(self.type).strip().upper())
            if self.type not in EVENT_TYPES:
                raise ExportError(f"--type {self.type!r}: not a PLOVER event type ({', '.join(EVENT_TYPES)})")

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.entity, self.start, self.end, self.type, self.narrative))

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("entity", self.entity), ("from", self.start), ("to", self.end),
                                  ("type", self.type), ("narrative", self.narrative)) if v is not None}


# --------------------------------------------------------------------------- rows


@dataclass
class Span:
    start: int | None
    end: int | None
    text: str | None


@dataclass
class Doc:
    id: int  # row id in this database
    key: str  # stable across databases: the doc_id (made unique when two documents share one)
    doc_id: str
    url: str | None
    title: str | None
    published: str | None
    outlet: str | None
    language: str | None
    source: str | None
    story_id: int | None
    version: int
    ingested_at: dt.datetime
    authors: list[str]
    cited_sources: list[str]
    matched: bool  # matches the filters (False: only the source of a matching event)
    record_json: dict[str, Any] | None = None
    text: str | None = None

    @property
    def date(self) -> str | None:
        """The publication date, else the day it was stored (for formats that need a date)."""
        return self.published or self.ingested_at.date().isoformat()


@dataclass
class Entity:
    id: int
    name: str
    type: str
    kind: str | None
    country: str | None
    kb_id: str | None
    aliases: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable across databases: the KB id, else the type and normalized name."""
        return kb_key(self.kb_id) if self.kb_id else entity_name_key(self.type, self.name)


@dataclass
class DocMention:
    """An entity named in a document: the names used and its spans."""

    entity_id: int
    names: list[str]
    spans: list[Span]
    implicit: bool  # only named as a party, speaker or role holder


@dataclass
class Role:
    key: str
    person_id: int
    person: str
    title: str
    title_key: str
    of_id: int | None
    of: str | None
    date: str | None
    evidence: Span


@dataclass
class Party:
    entity_id: int
    name: str  # as written
    country: str | None


@dataclass
class Event:
    key: str
    type: str
    mode: str | None
    status: str
    date: str | None  # as the text gives it (None: undated in the text)
    date_start: str | None  # ISO day: the text's date, else the publication date
    date_end: str | None
    date_precision: str | None
    date_source: str | None  # text, published
    location: str | None
    cluster_id: int | None
    actors: list[Party]
    recipients: list[Party]
    evidence: Span

    @property
    def when(self) -> str | None:
        """The date to show: the text's, else the publication date."""
        return self.date or self.date_start


@dataclass
class Quote:
    key: str
    speaker_id: int
    speaker: str
    text: str
    direct: bool
    start: int | None
    end: int | None
    about: list[int]


@dataclass
class NarrativeRow:
    key: str
    narrative_id: str
    score: float
    evidence: list[Span]


@dataclass
class Signal:
    key: str
    kind: str
    detail: str
    evidence: Span


@dataclass
class DocBundle:
    """One exported document with its exported facts."""

    doc: Doc
    mentions: list[DocMention] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    narratives: list[NarrativeRow] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    def entity_ids(self) -> set[int]:
        ids = {m.entity_id for m in self.mentions}
        ids.update(r.person_id for r in self.roles)
        ids.update(r.of_id for r in self.roles if r.of_id is not None)
        for ev in self.events:
            ids.update(p.entity_id for p in ev.actors + ev.recipients)
        for q in self.quotes:
            ids.add(q.speaker_id)
            ids.update(q.about)
        return ids


# --------------------------------------------------------------------------- selection


def _chunks(values: list[int], n: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


class Selection:
    """The documents and facts of ``store`` that match ``filters`` (see the module's docstring)."""

    def __init__(self, store, filters: ExportFilters | None = None):
        self.store = store
        self.filters = filters or ExportFilters()
        self.entity_id: int | None = None
        if self.filters.entity is not None:
            try:
                self.entity_id = store.find_entity(self.filters.entity)
            except EntityNotFound as exc:
                raise ExportError(f"--entity {self.filters.entity!r}: {exc}") from None
        with store.connect() as conn:
            self._check_narrative(conn)
            self.matched_ids: set[int] = self._matching_documents(conn)
            self.event_ids: set[int] | None = self._matching_events(conn)
            extra: set[int] = set()
            if self.event_ids:
                for part in _chunks(sorted(self.event_ids)):
                    extra.update(r[0] for r in conn.execute(select(EV.c.document_id).where(EV.c.id.in_(part))))
            self.doc_ids: list[int] = sorted(self.matched_ids | extra)
            self._doc_keys = self._duplicate_doc_ids(conn)
        self._entities: dict[int, Entity] = {}

    # ---------------------------------------------------------------- filters

    def _bounds(self) -> tuple[dt.date | None, dt.date | None]:
        lo = _day(self.filters.start) if self.filters.start else None
        hi = _day(self.filters.end, last=True) if self.filters.end else None
        return lo, hi

    def _check_narrative(self, conn) -> None:
        n = self.filters.narrative
        if n is None:
            return
        from newsgraph.export.catalog import narrative_catalog

        if n in narrative_catalog():
            return
        if conn.execute(select(DN.c.narrative_id).where(DN.c.narrative_id == n).limit(1)).first() is None:
            known = ", ".join(sorted(narrative_catalog()))
            raise ExportError(f"--narrative {n!r}: no such narrative (known: {known})")

    def _matching_documents(self, conn) -> set[int]:
        f = self.filters
        q = select(D.c.id).where(D.c.is_current.is_(True))
        if self.entity_id is not None:
            q = q.where(D.c.id.in_(select(DE.c.document_id).where(DE.c.entity_id == self.entity_id)))
        if f.narrative is not None:
            q = q.where(D.c.id.in_(select(DN.c.document_id).where(DN.c.narrative_id == f.narrative)))
        if f.type is not None:
            q = q.where(D.c.id.in_(select(EV.c.document_id).where(EV.c.type == f.type)))
        lo, hi = self._bounds()
        # ``published`` is YYYY, YYYY-MM or YYYY-MM-DD, so its period overlaps [lo, hi] exactly when it is
        # <= hi and >= lo cut to its own length (dashes sit at the same places in every such string,
        # so any collation orders them as dates)
        if lo is not None:
            q = q.where(D.c.published.is_not(None),
                        D.c.published >= func.substr(lo.isoformat(), 1, func.length(D.c.published)))
        if hi is not None:
            q = q.where(D.c.published.is_not(None), D.c.published <= hi.isoformat())
        return {r[0] for r in conn.execute(q)}

    def _matching_events(self, conn) -> set[int] | None:
        """Ids of the matching events, or None when every event of the exported documents matches."""
        f = self.filters
        if not f.any:
            return None
        q = select(EV.c.id).join(D, D.c.id == EV.c.document_id).where(D.c.is_current.is_(True))
        if self.entity_id is not None:
            q = q.where(EV.c.id.in_(select(EP.c.event_id).where(EP.c.entity_id == self.entity_id)))
        if f.type is not None:
            q = q.where(EV.c.type == f.type)
        if f.narrative is not None:
            q = q.where(EV.c.document_id.in_(select(DN.c.document_id).where(DN.c.narrative_id == f.narrative)))
        lo, hi = self._bounds()
        if lo is not None:
            q = q.where(EV.c.date_end.is_not(None), EV.c.date_end >= lo)
        if hi is not None:
            q = q.where(EV.c.date_start.is_not(None), EV.c.date_start <= hi)
        return {r[0] for r in conn.execute(q)}

    def _duplicate_doc_ids(self, conn) -> set[str]:
        q = (select(D.c.doc_id).where(D.c.is_current.is_(True)).group_by(D.c.doc_id)
             .having(func.count() > 1))
        return {r[0] for r in conn.execute(q)}

    # ---------------------------------------------------------------- entities

    def entities(self, ids) -> dict[int, Entity]:
        """Entities by id (with their aliases), loaded once and kept."""
        missing = sorted(set(ids) - set(self._entities))
        if missing:
            with self.store.connect() as conn:
                for part in _chunks(missing):
                    for r in conn.execute(select(E.c.id, E.c.name, E.c.type, E.c.kind, E.c.country, E.c.kb_id)
                                          .where(E.c.id.in_(part))):
                        self._entities[r.id] = Entity(r.id, r.name, r.type, r.kind, r.country, r.kb_id)
                    for r in conn.execute(select(EA.c.entity_id, EA.c.alias).where(
                            EA.c.entity_id.in_(part), EA.c.count > 0).order_by(EA.c.count.desc(), EA.c.alias)):
                        ent = self._entities.get(r.entity_id)
                        if ent is not None and r.alias != ent.name and r.alias not in ent.aliases:
                            ent.aliases.append(r.alias)
        return {i: self._entities[i] for i in ids if i in self._entities}

    # ---------------------------------------------------------------- reading

    def __len__(self) -> int:
        return len(self.doc_ids)

    def _doc_key(self, doc_id: str, text_hash: str) -> str:
        """The doc_id; two current documents that share one are told apart by their text."""
        return doc_id if doc_id not in self._doc_keys else f"{doc_id}~{text_hash[:12]}"

    def doc_keys(self) -> list[str]:
        """The stable keys of the exported documents, in store order."""
        keys: list[str] = []
        with self.store.connect() as conn:
            for part in _chunks(self.doc_ids):
                for r in conn.execute(select(D.c.id, D.c.doc_id, D.c.text_hash).where(D.c.id.in_(part))
                                      .order_by(D.c.id)):
                    keys.append(self._doc_key(r.doc_id, r.text_hash))
        return keys

    def bundles(self, *, text: bool = False, record: bool = False) -> Iterator[DocBundle]:
        """The exported documents in store order, each with its exported facts."""
        with self.store.connect() as conn:
            for part in _chunks(self.doc_ids):
                yield from self._read_chunk(conn, part, text=text, record=record)

    def _read_chunk(self, conn, ids: list[int], *, text: bool, record: bool) -> Iterator[DocBundle]:
        f = self.filters
        cols = [D.c.id, D.c.doc_id, D.c.url, D.c.title, D.c.published, D.c.outlet, D.c.language, D.c.source,
                D.c.story_id, D.c.version, D.c.ingested_at, D.c.record_json, D.c.text_hash]
        if text:
            cols.append(D.c.text)
        bundles: dict[int, DocBundle] = {}
        for r in conn.execute(select(*cols).where(D.c.id.in_(ids)).order_by(D.c.id)):
            rj = r.record_json or {}
            key = self._doc_key(r.doc_id, r.text_hash)
            doc = Doc(r.id, key, r.doc_id, r.url, r.title, r.published, r.outlet, r.language, r.source,
                      r.story_id, r.version, r.ingested_at, list(rj.get("authors") or []),
                      list(rj.get("cited_sources") or []), r.id in self.matched_ids,
                      record_json=rj if record else None, text=r.text if text else None)
            bundles[r.id] = DocBundle(doc)
        matched = [i for i in ids if i in self.matched_ids]
        eid = self.entity_id

        if matched:
            spans: dict[tuple[int, int], list[Span]] = defaultdict(list)
            for m in conn.execute(select(M.c.document_id, M.c.entity_id, M.c.start, M.c.end, M.c.text)
                                  .where(M.c.document_id.in_(matched)).order_by(M.c.document_id, M.c.start)):
                spans[(m.document_id, m.entity_id)].append(Span(m.start, m.end, m.text))
            seen: set[tuple[int, int]] = set()
            for r in conn.execute(select(DE.c.document_id, DE.c.entity_id, DE.c.name, DE.c.aliases, DE.c.implicit)
                                  .where(DE.c.document_id.in_(matched)).order_by(DE.c.id)):
                k = (r.document_id, r.entity_id)
                b = bundles[r.document_id]
                names = list(dict.fromkeys([r.name, *(r.aliases or [])]))
                if k in seen:  # two record entities resolved to one store entity: one mention row
                    mention = next(x for x in b.mentions if x.entity_id == r.entity_id)
                    mention.names = list(dict.fromkeys(mention.names + names))
                    mention.implicit = mention.implicit and bool(r.implicit)
                    continue
                seen.add(k)
                b.mentions.append(DocMention(r.entity_id, names, spans.get(k, []), bool(r.implicit)))

            ordinal: dict[int, int] = defaultdict(int)
            for r in conn.execute(select(R).where(R.c.document_id.in_(matched)).order_by(R.c.document_id, R.c.id)):
                ordinal[r.document_id] += 1
                if eid is not None and eid not in (r.person_id, r.of_id):
                    continue
                b = bundles[r.document_id]
                b.roles.append(Role(f"{b.doc.key}/role/{ordinal[r.document_id]}", r.person_id, r.person_name,
                                    r.title, r.title_key, r.of_id, r.of_name, r.date, Span(r.start, r.end, r.evidence)))

            about: dict[int, list[int]] = defaultdict(list)
            quote_rows = conn.execute(select(Q).where(Q.c.document_id.in_(matched))
                                      .order_by(Q.c.document_id, Q.c.id)).all()
            for part in _chunks([q.id for q in quote_rows]):
                for r in conn.execute(select(QM.c.quote_id, QM.c.entity_id).where(QM.c.quote_id.in_(part))
                                      .order_by(QM.c.quote_id, QM.c.entity_id)):
                    about[r.quote_id].append(r.entity_id)
            ordinal.clear()
            for r in quote_rows:
                ordinal[r.document_id] += 1
                if eid is not None and eid != r.speaker_id and eid not in about[r.id]:
                    continue
                b = bundles[r.document_id]
                b.quotes.append(Quote(f"{b.doc.key}/quote/{ordinal[r.document_id]}", r.speaker_id, r.speaker_name,
                                      r.text, bool(r.direct), r.start, r.end, about[r.id]))

            q = select(DN).where(DN.c.document_id.in_(matched)).order_by(DN.c.document_id, DN.c.narrative_id)
            if f.narrative is not None:
                q = q.where(DN.c.narrative_id == f.narrative)
            for r in conn.execute(q):
                b = bundles[r.document_id]
                ev = [Span(s.get("start"), s.get("end"), s.get("text")) for s in (r.evidence or [])]
                b.narratives.append(NarrativeRow(f"{b.doc.key}/narrative/{r.narrative_id}", r.narrative_id,
                                                 float(r.score), ev))

            ordinal.clear()
            for r in conn.execute(select(S).where(S.c.document_id.in_(matched)).order_by(S.c.document_id, S.c.id)):
                ordinal[r.document_id] += 1
                b = bundles[r.document_id]
                b.signals.append(Signal(f"{b.doc.key}/signal/{ordinal[r.document_id]}", r.kind, r.detail,
                                        Span(r.start, r.end, r.evidence)))

        # events: numbered among all of their document's events, kept when they match
        event_rows = conn.execute(select(EV).where(EV.c.document_id.in_(ids)).order_by(EV.c.document_id, EV.c.id)
                                  ).all()
        wanted = [r for r in event_rows if self.event_ids is None or r.id in self.event_ids]
        parties: dict[int, list] = defaultdict(list)
        for part in _chunks([r.id for r in wanted]):
            for p in conn.execute(select(EP.c.event_id, EP.c.side, EP.c.entity_id, EP.c.name, EP.c.country)
                                  .where(EP.c.event_id.in_(part)).order_by(EP.c.id)):
                parties[p.event_id].append(p)
        ordinal = defaultdict(int)
        keep = {r.id for r in wanted}
        for r in event_rows:
            ordinal[r.document_id] += 1
            if r.id not in keep:
                continue
            b = bundles[r.document_id]
            side = parties.get(r.id, [])
            b.events.append(Event(
                key=f"{b.doc.key}/event/{ordinal[r.document_id]}", type=r.type, mode=r.mode, status=r.status,
                date=r.date, date_start=_iso(r.date_start), date_end=_iso(r.date_end),
                date_precision=r.date_precision, date_source=r.date_from, location=r.location,
                cluster_id=r.cluster_id,
                actors=[Party(p.entity_id, p.name, p.country) for p in side if p.side == "actor"],
                recipients=[Party(p.entity_id, p.name, p.country) for p in side if p.side == "recipient"],
                evidence=Span(r.start, r.end, r.evidence)))

        needed: set[int] = set()
        for b in bundles.values():
            needed |= b.entity_ids()
        self.entities(needed)
        for i in ids:
            if i in bundles:
                yield bundles[i]


def first_last(dates) -> tuple[str | None, str | None]:
    """Earliest and latest of ``YYYY[-MM[-DD]]`` strings (by the days they start and end)."""
    found = [d for d in dates if d and date_interval(d)]
    if not found:
        return None, None
    first = min(found, key=lambda d: (_day(d), len(d)))
    last = max(found, key=lambda d: (_day(d, last=True), -len(d)))
    return first, last
