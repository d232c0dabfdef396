"""Queries the API needs beyond ``Store``'s own: filtered lists with keyset cursors, one
document with its highlights, an entity's ties with their evidence, and the event network.

Reads go through SQLAlchemy Core on the store's tables, so they run on SQLite
and PostgreSQL alike. Ties follow the rules of ``newsgraph.graph.build_graph``:
an event links each actor to each recipient, and the actors of an event
without recipients to each other; an office links its holder to the body.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy.engine import Connection

from newsgraph.store.queries import _events_of, entity_summary
from newsgraph.store.util import date_interval
from newsgraph.store.writer import DE, DN, EE, EP, EV, ND, QM, RAW, D, E, M, Q, R, S

_EPOCH = dt.date(1, 1, 1)
_CHUNK = 900  # ids per IN list (SQLite's bound-parameter limit is far above; keeps statements small)



def _page(conn: Connection, q, limit: int) -> tuple[list, bool]:
    """One page of an ordered query, and whether more rows follow (one row beyond the page is read)."""
    rows = conn.execute(q.limit(limit + 1)).all()
    return rows[:limit], len(rows) > limit

def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def doc_ref(r: Any, id_attr: str = "document_id") -> dict:
    return {"document_id": getattr(r, id_attr), "doc_id": r.doc_id, "title": r.title, "outlet": r.outlet,
            "published": r.published, "story_id": r.story_id}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _bounds(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The first day of ``start`` and the last of ``end`` (both checked by the caller)."""
    lo = date_interval(start) if start else None
    hi = date_interval(end) if end else None
    return (lo[0] if lo else None), (hi[1] if hi else None)


# --------------------------------------------------------------------------- documents


def resolve_document(conn: Connection, ref: str) -> int | None:
    """A document's row id from its id (digits) or its ``doc_id`` (latest current version first)."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 19:
        row = conn.execute(select(D.c.id).where(D.c.id == int(ref))).first()
        if row is not None:
            return row.id
    row = conn.execute(select(D.c.id).where(D.c.doc_id == ref)
                       .order_by(D.c.is_current.desc(), D.c.id.desc()).limit(1)).first()
    return row.id if row is not None else None


def _prefix_range(column, start: str | None, end: str | None) -> list:
    """Conditions on a ``YYYY[-MM[-DD]]`` text column: compared at the precision of each bound."""
    conds = []
    if start:
        conds.append(func.substr(column, 1, len(start)) >= start)
    if end:
        conds.append(func.substr(column, 1, len(end)) <= end)
    return conds


def list_documents(conn: Connection, *, outlet: str | None = None, language: str | None = None,
                   start: str | None = None, end: str | None = None, narrative: str | None = None,
                   entity: int | None = None, include_old: bool = False, after: list | None = None,
                   limit: int = 50) -> tuple[list[dict], list | None]:
    """Documents, latest publication first; returns the page and the position after it (or None)."""
    sort = func.coalesce(D.c.published, "")
    q = select(D.c.id, D.c.doc_id, D.c.title, D.c.outlet, D.c.published, D.c.language, D.c.url, D.c.story_id,
               D.c.is_current, D.c.version, sort.label("sk"))
    if not include_old:
        q = q.where(D.c.is_current.is_(True))
    if outlet:
        q = q.where(D.c.outlet == outlet)
    if language:
        q = q.where(D.c.language == language)
    q = q.where(*_prefix_range(D.c.published, start, end))
    if narrative:
        q = q.where(D.c.id.in_(select(DN.c.document_id).where(DN.c.narrative_id == narrative)))
    if entity is not None:
        q = q.where(D.c.id.in_(select(DE.c.document_id).where(DE.c.entity_id == entity)))
    if after is not None:
        sk, last = after
        q = q.where(or_(sort < sk, and_(sort == sk, D.c.id < last)))
    rows, more = _page(conn, q.order_by(sort.desc(), D.c.id.desc()), limit)
    narr: dict[int, list[str]] = defaultdict(list)
    if rows:
        for r in conn.execute(select(DN.c.document_id, DN.c.narrative_id)
                              .where(DN.c.document_id.in_([r.id for r in rows]))
                              .order_by(DN.c.score.desc())):
            narr[r.document_id].append(r.narrative_id)
    items = [{"document_id": r.id, "doc_id": r.doc_id, "title": r.title, "outlet": r.outlet,
              "published": r.published, "language": r.language, "url": r.url, "story_id": r.story_id,
              "current": bool(r.is_current), "version": r.version, "narratives": narr.get(r.id, [])} for r in rows]
    return items, ([rows[-1].sk, rows[-1].id] if more else None)


def outlets(conn: Connection) -> list[dict]:
    rows = conn.execute(select(D.c.outlet, func.count().label("n")).where(D.c.is_current.is_(True))
                        .group_by(D.c.outlet).order_by(func.count().desc(), D.c.outlet))
    return [{"outlet": r.outlet, "documents": r.n} for r in rows]


def document_detail(conn: Connection, doc: int, narrative_defs: dict[str, dict]) -> dict | None:
    row = conn.execute(select(D).where(D.c.id == doc)).first()
    if row is None:
        return None
    record = dict(row.record_json or {})
    raw = conn.execute(select(RAW.c.format).where(RAW.c.document_id == doc)).first()
    meta = {"document_id": row.id, "doc_id": row.doc_id, "title": row.title, "outlet": row.outlet,
            "published": row.published, "language": row.language, "url": row.url, "story_id": row.story_id,
            "current": bool(row.is_current), "version": row.version,
            "narratives": [n.get("id") for n in record.get("narratives", []) if isinstance(n, dict)],
            "authors": list(record.get("authors") or []), "source": row.source,
            "ingested_at": row.ingested_at.isoformat() if row.ingested_at else None,
            "raw_format": raw.format if raw else None, "raw_available": raw is not None,
            "cited_sources": list(record.get("cited_sources") or [])}
    ref = {"document_id": row.id, "doc_id": row.doc_id, "title": row.title, "outlet": row.outlet,
           "published": row.published, "story_id": row.story_id}
    if row.is_current:
        facts = _facts_from_store(conn, doc, ref, narrative_defs)
    else:  # older versions keep their record, not facts: mark what the record says
        facts = _facts_from_record(record, ref, narrative_defs)
    versions = _versions(conn, row)
    dups = []
    for col, other in ((ND.c.document_id, ND.c.duplicate_of_id), (ND.c.duplicate_of_id, ND.c.document_id)):
        dups += [r.id for r in conn.execute(select(other.label("id")).where(col == doc))]
    near = [doc_ref(r, "id") for r in conn.execute(
        select(D.c.id, D.c.doc_id, D.c.title, D.c.outlet, D.c.published, D.c.story_id)
        .where(D.c.id.in_(sorted(set(dups))))
        .order_by(D.c.id))] if dups else []
    return {"document": meta, "text": row.text, "record": record, **facts, "versions": versions,
            "near_duplicates": near}


def _versions(conn: Connection, row) -> list[dict]:
    if not row.url_key:
        return [{"document_id": row.id, "version": row.version, "current": bool(row.is_current)}]
    return [{"document_id": r.id, "version": r.version, "current": bool(r.is_current), "previous_id": r.previous_id,
             "ingested_at": r.ingested_at.isoformat() if r.ingested_at else None}
            for r in conn.execute(select(D.c.id, D.c.version, D.c.is_current, D.c.previous_id, D.c.ingested_at)
                                  .where(D.c.url_key == row.url_key).order_by(D.c.version))]


def _event_label(ev: dict) -> str:
    actors = ", ".join(p["name"] for p in ev["actors"]) or "?"
    recips = ", ".join(p["name"] for p in ev["recipients"])
    return f"{ev['type']}: {actors}" + (f" → {recips}" if recips else "") + (
        f" ({ev['status']})" if ev["status"] != "asserted" else "")


def _facts_from_store(conn: Connection, doc: int, ref: dict, narrative_defs: dict[str, dict]) -> dict:
    highlights: list[dict] = []
    for m in conn.execute(select(M.c.start, M.c.end, M.c.entity_id, E.c.name, E.c.type)
                          .join(E, E.c.id == M.c.entity_id).where(M.c.document_id == doc).order_by(M.c.start)):
        highlights.append({"start": m.start, "end": m.end, "kind": "entity", "label": m.name,
                           "entity_id": m.entity_id, "entity_type": m.type})
    entities = [{"entity_id": r.entity_id, "name": r.canonical, "as_written": r.name, "type": r.type,
                 "kind": r.kind, "country": r.country, "mentions": r.mention_count}
                for r in conn.execute(
                    select(DE.c.entity_id, DE.c.name, DE.c.type, DE.c.kind, DE.c.country, DE.c.mention_count,
                           E.c.name.label("canonical")).join(E, E.c.id == DE.c.entity_id)
                    .where(DE.c.document_id == doc).order_by(DE.c.mention_count.desc(), DE.c.id))]
    event_ids = [r.id for r in conn.execute(select(EV.c.id).where(EV.c.document_id == doc)
                                            .order_by(EV.c.start, EV.c.id))]
    events = _events_of(conn, event_ids)
    for i, ev in enumerate(events):
        span = ev["evidence"]
        if span["start"] is not None and span["end"] is not None:
            highlights.append({"start": span["start"], "end": span["end"], "kind": "event",
                               "label": _event_label(ev), "ref": i})
    quotes = []
    for r in conn.execute(select(Q.c.id, Q.c.speaker_id, Q.c.speaker_name, Q.c.text, Q.c.direct, Q.c.start, Q.c.end)
                          .where(Q.c.document_id == doc).order_by(Q.c.start, Q.c.id)):
        quotes.append({"quote_id": r.id, "speaker_id": r.speaker_id, "speaker": r.speaker_name, "text": r.text,
                       "direct": bool(r.direct), "start": r.start, "end": r.end, "document": ref})
    for i, qt in enumerate(quotes):
        if qt["start"] is not None and qt["end"] is not None:
            highlights.append({"start": qt["start"], "end": qt["end"], "kind": "quote", "label": qt["speaker"],
                               "entity_id": qt["speaker_id"], "ref": i})
    signals = []
    for sr in conn.execute(select(S).where(S.c.document_id == doc).order_by(S.c.id)):
        signals.append({"signal_id": sr.id, "kind": sr.kind, "detail": sr.detail,
                        "evidence": {"start": sr.start, "end": sr.end, "text": sr.evidence} if sr.evidence else None,
                        "document": ref})
    for i, sg in enumerate(signals):
        ev = sg["evidence"]
        if ev and ev["start"] is not None and ev["end"] is not None:
            highlights.append({"start": ev["start"], "end": ev["end"], "kind": "signal",
                               "label": f"{sg['kind']}: {sg['detail']}", "ref": i})
    narratives = []
    for nr in conn.execute(select(DN.c.narrative_id, DN.c.score, DN.c.evidence).where(DN.c.document_id == doc)
                           .order_by(DN.c.score.desc())):
        d = narrative_defs.get(nr.narrative_id, {})
        narratives.append({"id": nr.narrative_id, "name": d.get("name", nr.narrative_id),
                           "description": d.get("description"), "score": nr.score,
                           "evidence": [s for s in (nr.evidence or []) if isinstance(s, dict)]})
    _narrative_highlights(narratives, highlights)
    return {"highlights": _valid(highlights), "entities": entities, "events": events, "quotes": quotes,
            "signals": signals, "narratives": narratives}


def _narrative_highlights(narratives: list[dict], highlights: list[dict]) -> None:
    for i, n in enumerate(narratives):
        for s in n["evidence"]:
            if isinstance(s.get("start"), int) and isinstance(s.get("end"), int):
                highlights.append({"start": s["start"], "end": s["end"], "kind": "narrative", "label": n["name"],
                                   "ref": i})


def _valid(highlights: list[dict]) -> list[dict]:
    return sorted((h for h in highlights if 0 <= h["start"] < h["end"]), key=lambda h: (h["start"], -h["end"]))


def _facts_from_record(record: dict, ref: dict, narrative_defs: dict[str, dict]) -> dict:
    highlights: list[dict] = []
    entities: list[dict] = []  # only the store links a record's entities to entity pages
    for e in record.get("entities", []):
        for m in e.get("mentions", []):
            highlights.append({"start": m["start"], "end": m["end"], "kind": "entity", "label": e["name"],
                               "entity_type": e.get("type")})
    events = []
    for i, e in enumerate(record.get("events", [])):
        span = e.get("evidence") or {}
        ev = {"event_id": -(i + 1), "cluster_id": None, "type": e["type"], "mode": e.get("mode"),
              "status": e.get("status", "asserted"), "date": e.get("date"), "location": e.get("location"),
              "actors": [{"entity_id": 0, "name": p["name"], "country": p.get("country")} for p in e.get("actor", [])],
              "recipients": [{"entity_id": 0, "name": p["name"], "country": p.get("country")}
                             for p in e.get("recipient", [])],
              "evidence": {"start": span.get("start"), "end": span.get("end"), "text": span.get("text")},
              "document": ref}
        events.append(ev)
        if span.get("start") is not None:
            highlights.append({"start": span["start"], "end": span["end"], "kind": "event", "label": _event_label(ev),
                               "ref": i})
    quotes = []
    for i, q in enumerate(record.get("quotes", [])):
        quotes.append({"quote_id": -(i + 1), "speaker_id": None, "speaker": q["speaker"], "text": q["text"],
                       "direct": q.get("direct", True), "start": q.get("start"), "end": q.get("end"), "document": ref})
        if q.get("start") is not None and q.get("end") is not None:
            highlights.append({"start": q["start"], "end": q["end"], "kind": "quote", "label": q["speaker"], "ref": i})
    signals = [{"signal_id": -(i + 1), "kind": s["kind"], "detail": s["detail"], "evidence": s.get("evidence"),
                "document": ref} for i, s in enumerate(record.get("signals", []))]
    narratives = [{"id": n["id"], "name": narrative_defs.get(n["id"], {}).get("name", n["id"]),
                   "description": narrative_defs.get(n["id"], {}).get("description"), "score": n["score"],
                   "evidence": n.get("evidence", [])} for n in record.get("narratives", [])]
    _narrative_highlights(narratives, highlights)
    return {"highlights": _valid(highlights), "entities": entities, "events": events, "quotes": quotes,
            "signals": signals, "narratives": narratives}


# --------------------------------------------------------------------------- entities


def list_entities(conn: Connection, *, type: str | None = None, kind: str | None = None, country: str | None = None,
                  after: list | None = None, limit: int = 50) -> tuple[list[dict], list | None]:
    """Entities, most documents first."""
    q = select(E.c.id, E.c.name, E.c.type, E.c.kind, E.c.country, E.c.kb_id, E.c.doc_count).where(
        E.c.merged_into_id.is_(None), E.c.doc_count > 0)
    if type:
        q = q.where(E.c.type == type.upper())
    if kind:
        q = q.where(E.c.kind == kind)
    if country:
        q = q.where(E.c.country == country.upper())
    if after is not None:
        n, last = after
        q = q.where(or_(E.c.doc_count < n, and_(E.c.doc_count == n, E.c.id > last)))
    rows, more = _page(conn, q.order_by(E.c.doc_count.desc(), E.c.id), limit)
    items = [{"id": r.id, "name": r.name, "type": r.type, "kind": r.kind, "country": r.country, "kb_id": r.kb_id,
              "documents": r.doc_count} for r in rows]
    return items, ([rows[-1].doc_count, rows[-1].id] if more else None)


def _event_pairs(actors: list[int], recipients: list[int]) -> list[tuple[int, int, bool]]:
    """(a, b, directed) links of one event, as ``build_graph`` draws them."""
    if recipients:
        return [(a, b, True) for a in dict.fromkeys(actors) for b in dict.fromkeys(recipients) if a != b]
    uniq = sorted(set(actors))
    return [(a, b, False) for i, a in enumerate(uniq) for b in uniq[i + 1:]]


def _event_rows(conn: Connection, *, types: list[str] | None = None, statuses: list[str] | None = None,
                start: str | None = None, end: str | None = None, entity: int | None = None,
                between: tuple[int, int] | None = None):
    """Events matching the filters with their parties: {event_id: (row, actors, recipients)}."""
    lo, hi = _bounds(start, end)
    conds: list[Any] = []
    if types:
        conds.append(EV.c.type.in_([t.upper() for t in types]))
    if statuses:
        conds.append(EV.c.status.in_(statuses))
    if lo is not None:
        conds.append(EV.c.date_start >= lo)
    if hi is not None:
        conds.append(EV.c.date_start <= hi)
    if entity is not None:
        conds.append(EV.c.id.in_(select(EP.c.event_id).where(EP.c.entity_id == entity)))
    if between is not None:
        conds.append(EV.c.id.in_(select(EP.c.event_id).where(EP.c.entity_id == between[0])))
        conds.append(EV.c.id.in_(select(EP.c.event_id).where(EP.c.entity_id == between[1])))
    rows = conn.execute(select(EV.c.id, EV.c.type, EV.c.status, EV.c.date, EV.c.date_start, EV.c.document_id,
                               D.c.story_id, D.c.published).join(D, D.c.id == EV.c.document_id).where(*conds)).all()
    parties: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for p in conn.execute(select(EP.c.event_id, EP.c.side, EP.c.entity_id).join(EV, EV.c.id == EP.c.event_id)
                          .where(*conds).order_by(EP.c.id)):
        parties[p.event_id][0 if p.side == "actor" else 1].append(p.entity_id)
    return {r.id: (r, *parties.get(r.id, ([], []))) for r in rows}


class _Agg:
    __slots__ = ("documents", "stories", "first", "last", "statuses", "events")

    def __init__(self) -> None:
        self.documents: set[int] = set()
        self.stories: set[int] = set()
        self.first: str | None = None
        self.last: str | None = None
        self.statuses: set[str] = set()
        self.events = 0

    def add(self, document_id: int, story_id: int | None, date: str | None, status: str | None = None) -> None:
        self.documents.add(document_id)
        self.stories.add(story_id if story_id is not None else -document_id)
        self.events += 1
        if date:
            self.first = date if self.first is None or date < self.first else self.first
            self.last = date if self.last is None or date > self.last else self.last
        if status:
            self.statuses.add(status)

    def out(self) -> dict:
        return {"documents": len(self.documents), "independent_sources": len(self.stories), "first": self.first,
                "last": self.last, "statuses": sorted(self.statuses), "events": self.events}


def ties(conn: Connection, eid: int, *, kinds: tuple[str, ...] = ("event", "role"), types: list[str] | None = None,
         start: str | None = None, end: str | None = None, country: str | None = None,
         statuses: list[str] | None = None) -> list[dict]:
    """The entities linked to ``eid`` with each tie (events by type and direction, offices,
    co-mentions), strongest (most independent sources) first."""
    aggs: dict[tuple[int, str, str, str], _Agg] = {}
    labels: dict[tuple[int, str, str, str], str] = {}
    if "event" in kinds:
        for r, actors, recipients in _event_rows(conn, types=types, statuses=statuses, start=start, end=end,
                                                 entity=eid).values():
            for a, b, directed in _event_pairs(actors, recipients):
                if eid not in (a, b):
                    continue
                other = b if a == eid else a
                direction = ("out" if a == eid else "in") if directed else "mutual"
                key = (other, "event", r.type, direction)
                aggs.setdefault(key, _Agg()).add(r.document_id, r.story_id, r.date or r.published, r.status)
                labels[key] = r.type
    if "role" in kinds and not types:
        lo, hi = _bounds(start, end)
        q = (select(R.c.person_id, R.c.of_id, R.c.title, R.c.title_key, R.c.date, R.c.document_id, D.c.story_id,
                    D.c.published).join(D, D.c.id == R.c.document_id)
             .where(R.c.of_id.is_not(None), or_(R.c.person_id == eid, R.c.of_id == eid)))
        if lo is not None:
            q = q.where(R.c.date_start >= lo)
        if hi is not None:
            q = q.where(R.c.date_start <= hi)
        for r in conn.execute(q):
            if r.person_id == r.of_id:
                continue
            other, direction = (r.of_id, "out") if r.person_id == eid else (r.person_id, "in")
            key = (other, "role", r.title_key, direction)
            aggs.setdefault(key, _Agg()).add(r.document_id, r.story_id, r.date or r.published)
            labels.setdefault(key, r.title)
    comention: dict[int, tuple[int, int]] = {}
    if "comention" in kinds:
        for r in conn.execute(select(EE.c.b, EE.c.doc_count, EE.c.story_count).where(EE.c.a == eid, EE.c.b != eid)):
            comention[r.b] = (r.doc_count, r.story_count)
    others = sorted({k[0] for k in aggs} | set(comention))
    summary: dict[int, dict] = {}
    for chunk in _chunks(others):
        summary.update(entity_summary(conn, chunk))
    by_other: dict[int, list[dict]] = defaultdict(list)
    for key, agg in aggs.items():
        other, kind, _, direction = key
        data = agg.out()
        data.pop("events")
        by_other[other].append({"kind": kind, "label": labels[key], "type": key[2] if kind == "event" else None,
                                "direction": direction, **data})
    for other, (docs, stories) in comention.items():
        by_other[other].append({"kind": "comention", "label": "named together", "type": None, "direction": "mutual",
                                "documents": docs, "independent_sources": stories, "first": None, "last": None,
                                "statuses": []})
    out = []
    for other, tie_list in by_other.items():
        ent = summary.get(other)
        if ent is None or (country and ent.get("country") != country.upper()):
            continue
        rank = {"event": 0, "role": 1, "comention": 2}
        tie_list.sort(key=lambda t: (rank[t["kind"]], -t["independent_sources"], t["label"]))
        strong = [t for t in tie_list if t["kind"] != "comention"] or tie_list
        out.append({"entity": ent, "ties": tie_list,
                    "independent_sources": max(t["independent_sources"] for t in strong),
                    "documents": max(t["documents"] for t in strong),
                    "_has_strong": any(t["kind"] != "comention" for t in tie_list)})
    out.sort(key=lambda n: (not n["_has_strong"], -n["independent_sources"], -n["documents"], n["entity"]["name"]))
    for n in out:
        n.pop("_has_strong")
    return out


def tie_evidence(conn: Connection, a: int, b: int, *, types: list[str] | None = None, start: str | None = None,
                 end: str | None = None, limit: int = 100) -> dict:
    """Events linking ``a`` and ``b`` (as ties count them), offices between them, documents naming both."""
    ids = []
    for eid, (r, actors, recipients) in _event_rows(conn, types=types, start=start, end=end, between=(a, b)).items():
        if any({x, y} == {a, b} for x, y, _ in _event_pairs(actors, recipients)):
            ids.append((r.date_start or _EPOCH, eid))
    ids.sort(reverse=True)
    events = _events_of(conn, [i for _, i in ids[:limit]])
    roles = []
    if not types:
        for r in conn.execute(
                select(R.c.person_id, R.c.of_id, R.c.title.label("role_title"), R.c.date, R.c.start, R.c.end,
                       R.c.evidence, R.c.document_id, D.c.doc_id, D.c.title, D.c.outlet, D.c.published, D.c.story_id)
                .join(D, D.c.id == R.c.document_id)
                .where(or_(and_(R.c.person_id == a, R.c.of_id == b), and_(R.c.person_id == b, R.c.of_id == a)))
                .order_by(R.c.date_start.desc(), R.c.id).limit(limit)):
            roles.append({"person_id": r.person_id, "of_id": r.of_id, "title": r.role_title, "date": r.date,
                          "evidence": {"start": r.start, "end": r.end, "text": r.evidence}, "document": doc_ref(r)})
    return {"events": events, "roles": roles}


# --------------------------------------------------------------------------- events, quotes, signals


def list_events(conn: Connection, *, types: list[str] | None = None, statuses: list[str] | None = None,
                start: str | None = None, end: str | None = None, party: int | None = None,
                side: str | None = None, country: str | None = None, document: int | None = None,
                after: list | None = None, limit: int = 50) -> tuple[list[dict], list | None]:
    """Events, latest date first (undated last)."""
    lo, hi = _bounds(start, end)
    sort = func.coalesce(EV.c.date_start, literal(_EPOCH, Date))
    q = select(EV.c.id, sort.label("sk"))
    if types:
        q = q.where(EV.c.type.in_([t.upper() for t in types]))
    if statuses:
        q = q.where(EV.c.status.in_(statuses))
    if lo is not None:
        q = q.where(EV.c.date_start >= lo)
    if hi is not None:
        q = q.where(EV.c.date_start <= hi)
    if party is not None:
        sub = select(EP.c.event_id).where(EP.c.entity_id == party)
        if side:
            sub = sub.where(EP.c.side == side)
        q = q.where(EV.c.id.in_(sub))
    if country:
        c = country.upper()
        q = q.where(EV.c.id.in_(select(EP.c.event_id).join(E, E.c.id == EP.c.entity_id)
                                .where(or_(EP.c.country == c, E.c.country == c))))
    if document is not None:
        q = q.where(EV.c.document_id == document)
    if after is not None:
        sk, last = dt.date.fromisoformat(after[0]), after[1]
        q = q.where(or_(sort < literal(sk, Date), and_(sort == literal(sk, Date), EV.c.id < last)))
    rows, more = _page(conn, q.order_by(sort.desc(), EV.c.id.desc()), limit)
    items = _events_of(conn, [r.id for r in rows])
    return items, ([_iso(rows[-1].sk), rows[-1].id] if more else None)


_QUOTE_COLS = (Q.c.id, Q.c.speaker_id, Q.c.speaker_name, Q.c.text, Q.c.direct, Q.c.start, Q.c.end, Q.c.document_id,
               D.c.doc_id, D.c.title, D.c.outlet, D.c.published, D.c.story_id)


def _quote(r) -> dict:
    return {"quote_id": r.id, "speaker_id": r.speaker_id, "speaker": r.speaker_name, "text": r.text,
            "direct": bool(r.direct), "start": r.start, "end": r.end, "document": doc_ref(r)}


def list_quotes(conn: Connection, *, speaker: int | None = None, about: int | None = None,
                document: int | None = None, direct: bool | None = None, after: int | None = None,
                limit: int = 50) -> tuple[list[dict], int | None]:
    """Quotes, latest stored first."""
    q = select(*_QUOTE_COLS).join(D, D.c.id == Q.c.document_id)
    if speaker is not None:
        q = q.where(Q.c.speaker_id == speaker)
    if about is not None:
        q = q.where(Q.c.id.in_(select(QM.c.quote_id).where(QM.c.entity_id == about)))
    if document is not None:
        q = q.where(Q.c.document_id == document)
    if direct is not None:
        q = q.where(Q.c.direct.is_(direct))
    if after is not None:
        q = q.where(Q.c.id < after)
    rows, more = _page(conn, q.order_by(Q.c.id.desc()), limit)
    return [_quote(r) for r in rows], (rows[-1].id if more else None)


def list_signals(conn: Connection, *, kind: str | None = None, document: int | None = None,
                 after: int | None = None, limit: int = 50) -> tuple[list[dict], int | None]:
    q = (select(S.c.id, S.c.kind, S.c.detail, S.c.start, S.c.end, S.c.evidence, S.c.document_id, D.c.doc_id,
                D.c.title, D.c.outlet, D.c.published, D.c.story_id).join(D, D.c.id == S.c.document_id))
    if kind:
        q = q.where(S.c.kind == kind)
    if document is not None:
        q = q.where(S.c.document_id == document)
    if after is not None:
        q = q.where(S.c.id < after)
    rows, more = _page(conn, q.order_by(S.c.id.desc()), limit)
    items = [{"signal_id": r.id, "kind": r.kind, "detail": r.detail,
              "evidence": {"start": r.start, "end": r.end, "text": r.evidence} if r.evidence else None,
              "document": doc_ref(r)} for r in rows]
    return items, (rows[-1].id if more else None)


def signal_kinds(conn: Connection) -> list[dict]:
    return [{"kind": r.kind, "count": r.n} for r in conn.execute(
        select(S.c.kind, func.count().label("n")).group_by(S.c.kind).order_by(func.count().desc(), S.c.kind))]


# --------------------------------------------------------------------------- network and countries


def network(conn: Connection, *, types: list[str] | None = None, statuses: list[str] | None = None,
            start: str | None = None, end: str | None = None, countries: list[str] | None = None,
            with_countries: list[str] | None = None, entity: int | None = None, min_sources: int = 1,
            roles: bool = False, limit: int = 300) -> dict:
    """Entities and the event (and office) edges between them.

    ``countries``: keep edges with an endpoint of one of these countries;
    with ``with_countries`` too, only edges from such an entity to an entity of
    one of ``with_countries`` (``RUS`` with ``BFA``: Russia's ties in Burkina
    Faso). ``entity``: only edges of events it takes part in. Edges are ranked
    by independent sources; the ``limit`` strongest are kept.
    """
    aggs: dict[tuple[int, int, str, str], _Agg] = {}
    for r, actors, recipients in _event_rows(conn, types=types, statuses=statuses, start=start, end=end,
                                             entity=entity).values():
        for a, b, directed in _event_pairs(actors, recipients):
            if not directed and a > b:
                a, b = b, a
            ekey = (a, b, "event", r.type if directed else r.type + "~")
            aggs.setdefault(ekey, _Agg()).add(r.document_id, r.story_id, r.date or r.published, r.status)
    role_titles: dict[tuple, str] = {}
    if roles and not types:
        lo, hi = _bounds(start, end)
        q = (select(R.c.person_id, R.c.of_id, R.c.title, R.c.title_key, R.c.date, R.c.document_id, D.c.story_id,
                    D.c.published).join(D, D.c.id == R.c.document_id).where(R.c.of_id.is_not(None)))
        if entity is not None:
            q = q.where(or_(R.c.person_id == entity, R.c.of_id == entity))
        if lo is not None:
            q = q.where(R.c.date_start >= lo)
        if hi is not None:
            q = q.where(R.c.date_start <= hi)
        for r in conn.execute(q):
            if r.person_id != r.of_id:
                rkey = (r.person_id, r.of_id, "role", r.title_key)
                aggs.setdefault(rkey, _Agg()).add(r.document_id, r.story_id, r.date or r.published)
                role_titles.setdefault(rkey, r.title)
    ids = sorted({k[0] for k in aggs} | {k[1] for k in aggs})
    nodes: dict[int, dict] = {}
    for chunk in _chunks(ids):
        nodes.update(entity_summary(conn, chunk))
    cs = {c.upper() for c in countries or []}
    ws = {c.upper() for c in with_countries or []}

    def keep(a: int, b: int) -> bool:
        ca, cb = nodes[a].get("country"), nodes[b].get("country")
        if ws and cs:
            return (ca in cs and cb in ws) or (cb in cs and ca in ws)
        if cs:
            return ca in cs or cb in cs
        if ws:
            return ca in ws or cb in ws
        return True

    edges = []
    for (a, b, kind, key), agg in aggs.items():
        if a not in nodes or b not in nodes or not keep(a, b):
            continue
        data = agg.out()
        if data["independent_sources"] < min_sources:
            continue
        directed = not key.endswith("~")
        etype = key.rstrip("~") if kind == "event" else "ROLE"
        label = etype if kind == "event" else role_titles[(a, b, kind, key)]
        edges.append({"id": f"{a}-{b}-{kind}-{key}", "source": a, "target": b, "kind": kind, "type": etype,
                      "label": label, "directed": directed, **data})
    total = len(edges)
    edges.sort(key=lambda e: (-e["independent_sources"], -e["documents"], e["id"]))
    edges = edges[:limit]
    degree: dict[int, int] = defaultdict(int)
    for e in edges:
        degree[e["source"]] += 1
        degree[e["target"]] += 1
    out_nodes = [{**nodes[i], "degree": degree[i]} for i in sorted(degree)]
    return {"nodes": out_nodes, "edges": edges, "total_edges": total, "truncated": total > len(edges)}


@functools.lru_cache(maxsize=512)
def country_name(code: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_3=code)
    if found is not None:
        return getattr(found, "common_name", None) or found.name
    try:
        old = pycountry.historic_countries.get(alpha_3=code)
    except (KeyError, LookupError):
        old = None
    return old.name if old is not None else code


def countries(conn: Connection) -> list[dict]:
    """Countries of the stored entities, named as the store's state entity names them (else ISO 3166)."""
    counts = {r.country: r.n for r in conn.execute(
        select(E.c.country, func.count().label("n")).where(E.c.merged_into_id.is_(None), E.c.doc_count > 0,
                                                          E.c.country.is_not(None)).group_by(E.c.country))}
    names: dict[str, str] = {}
    for r in conn.execute(select(E.c.country, E.c.name).where(E.c.kind == "state", E.c.country.is_not(None),
                                                              E.c.merged_into_id.is_(None))
                          .order_by(E.c.doc_count.desc())):
        names.setdefault(r.country, r.name)
    out = [{"code": c, "name": names.get(c) or country_name(c), "entities": n} for c, n in counts.items()]
    return sorted(out, key=lambda c: (-c["entities"], c["name"]))


def country_pairs(conn: Connection, limit: int = 10) -> list[dict]:
    """Pairs of countries whose entities are linked by events, most linked first."""
    net = network(conn, limit=10 ** 9)
    country = {n["id"]: n["country"] for n in net["nodes"]}
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for e in net["edges"]:
        ca, cb = country.get(e["source"]), country.get(e["target"])
        if not ca or not cb or ca == cb:
            continue
        key = tuple(sorted((ca, cb)))
        p = pairs.setdefault(key, {"ties": set(), "events": 0, "sources": 0})
        p["ties"].add(tuple(sorted((e["source"], e["target"]))))
        p["events"] += e["events"]
        p["sources"] += e["independent_sources"]
    named = {c["code"]: c for c in countries(conn)}
    out = []
    for (a, b), p in pairs.items():
        ca = named.get(a, {"code": a, "name": country_name(a), "entities": 0})
        cb = named.get(b, {"code": b, "name": country_name(b), "entities": 0})
        out.append({"a": ca, "b": cb, "ties": len(p["ties"]), "events": p["events"],
                    "independent_sources": p["sources"]})
    out.sort(key=lambda p: (-p["ties"], -p["events"], p["a"]["name"], p["b"]["name"]))
    return out[:limit]


# --------------------------------------------------------------------------- narratives


def narrative_counts(conn: Connection) -> dict[str, tuple[int, int]]:
    return {r.narrative_id: (r.n, r.s) for r in conn.execute(
        select(DN.c.narrative_id, func.count().label("n"), func.count(D.c.story_id.distinct()).label("s"))
        .join(D, D.c.id == DN.c.document_id).where(D.c.is_current.is_(True)).group_by(DN.c.narrative_id))}


def narrative_documents(conn: Connection, narrative: str, *, outlet: str | None = None, month: str | None = None,
                        after: list | None = None, limit: int = 50) -> tuple[list[dict], list | None]:
    """Documents advancing a narrative, highest score first, with the evidence sentences."""
    q = (select(DN.c.score, DN.c.evidence, D.c.id, D.c.doc_id, D.c.title, D.c.outlet, D.c.published, D.c.story_id)
         .join(D, D.c.id == DN.c.document_id).where(DN.c.narrative_id == narrative, D.c.is_current.is_(True)))
    if outlet:
        q = q.where(D.c.outlet == outlet)
    if month:
        q = q.where(func.substr(D.c.published, 1, 7) == month)
    if after is not None:
        score, last = after
        q = q.where(or_(DN.c.score < score, and_(DN.c.score == score, D.c.id > last)))
    rows, more = _page(conn, q.order_by(DN.c.score.desc(), D.c.id), limit)
    items = [{**doc_ref(r, "id"), "score": r.score, "evidence": [s for s in (r.evidence or []) if isinstance(s, dict)]}
             for r in rows]
    return items, ([rows[-1].score, rows[-1].id] if more else None)
