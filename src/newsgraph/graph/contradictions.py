"""Contradictions across documents, each listed with its sources.

* ``role_title``: one person, one body, titles that cannot be one position
  (``Defence Minister`` vs ``Foreign Minister``), in documents dated within
  ``role_window_days`` of each other.
* ``office_holder``: one exclusive office (``Defence Minister`` of Russia) held
  by two people on dates within ``role_window_days``.
* ``event_date``: the documents of one event cluster give different dates.
* ``kb_conflict``: ``kb_conflict`` signals of the records (a statement against
  the knowledge base).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations

from sqlalchemy import select

from newsgraph.store.queries import _events_of, cluster_entries, entity_summary
from newsgraph.store.util import date_interval, exclusive_title, titles_conflict
from newsgraph.store.writer import EV, D, R, S


def find(store, *, role_window_days: int = 0, kinds: tuple[str, ...] | None = None, limit: int = 1000) -> list[dict]:
    kinds = kinds or ("role_title", "office_holder", "event_date", "kb_conflict")
    out: list[dict] = []
    with store.engine.connect() as conn:
        if "role_title" in kinds or "office_holder" in kinds:
            out.extend(_roles(conn, role_window_days, kinds))
        if "event_date" in kinds:
            out.extend(_event_dates(conn))
        if "kb_conflict" in kinds:
            out.extend(_kb_conflicts(conn))
    return out[:limit]


def _source(r) -> dict:
    return {"document_id": r.document_id, "doc_id": r.doc_id, "title": r.doc_title, "outlet": r.outlet,
            "published": r.published, "story_id": r.story_id,
            "evidence": {"start": r.start, "end": r.end, "text": r.evidence}}


def _close(a: dt.date | None, b: dt.date | None, days: int) -> bool:
    return a is not None and b is not None and abs((a - b).days) <= days


def _roles(conn, window: int, kinds) -> list[dict]:
    rows = conn.execute(
        select(R.c.person_id, R.c.title, R.c.title_key, R.c.of_id, R.c.of_name, R.c.date, R.c.date_start,
               R.c.start, R.c.end, R.c.evidence, R.c.document_id, D.c.doc_id, D.c.title.label("doc_title"),
               D.c.outlet, D.c.published, D.c.story_id)
        .join(D, D.c.id == R.c.document_id).where(R.c.date_start.is_not(None))
        .order_by(R.c.person_id, R.c.date_start, R.c.id)).all()
    found: list[dict] = []
    seen: set[tuple] = set()
    if "role_title" in kinds:
        by_person: dict[tuple, list] = defaultdict(list)
        for r in rows:
            by_person[(r.person_id, r.of_id)].append(r)
        for (person, of_id), group in by_person.items():
            for a, b in combinations(group, 2):
                if a.story_id == b.story_id or not _close(a.date_start, b.date_start, window):
                    continue
                if not titles_conflict(a.title_key, b.title_key):
                    continue
                key = ("role_title", person, of_id, *sorted((a.title_key, b.title_key)))
                if key in seen:
                    continue
                seen.add(key)
                found.append({"kind": "role_title", "entity_ids": [person], "of_id": of_id,
                              "detail": f"{a.title!r} vs {b.title!r}" + (f" of {a.of_name}" if a.of_name else ""),
                              "claims": [{"title": a.title, "date": a.date, **_source(a)},
                                         {"title": b.title, "date": b.date, **_source(b)}]})
    if "office_holder" in kinds:
        by_office: dict[tuple, list] = defaultdict(list)
        for r in rows:
            if r.of_id is not None and exclusive_title(r.title_key):
                by_office[(r.title_key, r.of_id)].append(r)
        for (tkey, of_id), group in by_office.items():
            for a, b in combinations(group, 2):
                if a.person_id == b.person_id or not _close(a.date_start, b.date_start, window):
                    continue
                key = ("office_holder", tkey, of_id, *sorted((a.person_id, b.person_id)))
                if key in seen:
                    continue
                seen.add(key)
                found.append({"kind": "office_holder", "entity_ids": sorted({a.person_id, b.person_id}),
                              "of_id": of_id,
                              "detail": "",
                              "claims": [{"person_id": a.person_id, "title": a.title, "date": a.date, **_source(a)},
                                         {"person_id": b.person_id, "title": b.title, "date": b.date,
                                          **_source(b)}]})
    names = entity_summary(conn, sorted({i for f in found for i in f["entity_ids"]}))
    for f in found:
        f["entities"] = [names[i]["name"] for i in f["entity_ids"] if i in names]
        if f["kind"] == "office_holder":
            c = f["claims"]
            f["detail"] = (f"{c[0]['title']}" + (f" of {names.get(f['of_id'], {}).get('name', '')}" if f["of_id"] else "")
                           + f": {names[c[0]['person_id']]['name']} vs {names[c[1]['person_id']]['name']}")
    return found


def _compatible(dates: list[str]) -> bool:
    spans = [date_interval(d) for d in dates]
    spans = [s for s in spans if s]
    return all(a[0] <= b[1] and b[0] <= a[1] for a, b in combinations(spans, 2))


def _event_dates(conn) -> list[dict]:
    rows = conn.execute(select(EV.c.cluster_id, EV.c.date).where(EV.c.date_from == "text",
                                                                 EV.c.cluster_id.is_not(None))).all()
    dates: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        dates[r.cluster_id].add(r.date)
    conflicted = sorted(c for c, ds in dates.items() if len(ds) > 1 and not _compatible(sorted(ds)))
    if not conflicted:
        return []
    members = [r[0] for r in conn.execute(select(EV.c.id).where(EV.c.cluster_id.in_(conflicted))
                                          .order_by(EV.c.date_start, EV.c.id))]
    out = []
    for entry in cluster_entries(_events_of(conn, members)):
        out.append({"kind": "event_date", "cluster_id": entry["cluster_id"], "type": entry["type"],
                    "entities": [p["name"] for p in entry["actors"] + entry["recipients"]],
                    "detail": f"{entry['type']} reported on {', '.join(entry['dates'])}",
                    "claims": [{"date": s["date"], **{k: s[k] for k in ("document_id", "doc_id", "title", "outlet",
                                                                       "published", "story_id", "evidence")}}
                               for s in entry["sources"]]})
    return sorted(out, key=lambda c: c["cluster_id"])


def _kb_conflicts(conn) -> list[dict]:
    rows = conn.execute(
        select(S.c.kind, S.c.detail, S.c.start, S.c.end, S.c.evidence, S.c.document_id, D.c.doc_id,
               D.c.title.label("doc_title"), D.c.outlet, D.c.published, D.c.story_id)
        .join(D, D.c.id == S.c.document_id).where(S.c.kind == "kb_conflict").order_by(S.c.detail, S.c.id)).all()
    grouped: dict[str, list] = defaultdict(list)
    for r in rows:
        grouped[r.detail].append(r)
    return [{"kind": "kb_conflict", "detail": detail, "entities": [],
             "independent_sources": len({r.story_id for r in group}),
             "claims": [_source(r) for r in group]} for detail, group in grouped.items()]
