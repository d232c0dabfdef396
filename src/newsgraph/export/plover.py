"""PLOVER event records, one JSON object per line, with the field names of the PLOVER
specification (Open Event Data Alliance, "PLOVER ... Event, Actor and Data Interchange
Specification", chapter "JSON Data Fields").

Each record: ``id`` (stable: document id and the event's number in it), ``date``
(YYYY-MM-DD; the first day when the text gives only a month or year, the
publication date when it gives none) and ``enddate``, ``source`` (PLOVER's name
for the actor list) and ``recipient``: lists of actor objects with ``code``
(ISO 3166-1 alpha-3 country, or ``IGO``), ``sector``, ``actor_text`` (as
written), ``identifier_id`` and ``identifier_text`` (the resolved entity);
``event`` (list of categories), ``mode``, ``context``, ``quad_code``,
``event_loc`` (a geonames-style location object: ``name``, ``country code``,
``cc3``), ``text`` (the evidence sentence), ``text_info`` (its character offsets), ``cite_info``
(``citation`` = document id, ``url``, ``title``, ``publication``, ``language``),
``link`` (the corroboration cluster: events of other documents that report the
same occurrence share it), ``coder`` and ``coded_date``. PLOVER lets providers
add fields; these are ``status`` (asserted, future, hypothetical, negated),
``date_precision`` and ``date_source`` (``text``, ``published``, or ``stored`` for a document
with no date).
"""
from __future__ import annotations

import json
from typing import Any

from newsgraph import __version__
from newsgraph.export.mapping import PLOVER_SECTOR, QUAD, iso2
from newsgraph.export.output import OutTarget, text_output
from newsgraph.export.selection import DocBundle, Entity, Event, Party, Selection

CODER = f"newsgraph {__version__}"


def _actor(p: Party, ents: dict[int, Entity]) -> dict[str, Any]:
    ent = ents.get(p.entity_id)
    country = p.country or (ent.country if ent else None)
    kind = ent.kind if ent else None
    code = "IGO" if kind == "igo" else country
    out: dict[str, Any] = {"code": code, "sector": PLOVER_SECTOR.get(kind or ""), "actor_text": p.name}
    if ent is not None:
        out["identifier_id"] = ent.key
        out["identifier_text"] = ent.name
    return out


def _location(name: str | None, b: DocBundle, ents: dict[int, Entity]) -> dict[str, Any] | None:
    if not name:
        return None
    loc: dict[str, Any] = {"name": name}
    folded = name.casefold()
    for m in b.mentions:  # the place as the document's entities resolve it
        ent = ents.get(m.entity_id)
        if ent and ent.type in ("GPE", "LOC") and folded in {n.casefold() for n in [ent.name, *m.names]}:
            loc["name"] = ent.name
            if ent.country:
                loc["country code"] = iso2(ent.country)
                loc["cc3"] = ent.country
            break
    return loc


def record(ev: Event, b: DocBundle, ents: dict[int, Entity]) -> dict[str, Any]:
    d = b.doc
    # PLOVER requires a date: an event its text and document leave undated takes the day it was stored
    date, date_source = (ev.date_start, ev.date_source) if ev.date_start else (d.date, "stored")
    rec: dict[str, Any] = {
        "id": ev.key,
        "date": date,
        "enddate": ev.date_end if ev.date_end != ev.date_start else None,
        "source": [_actor(p, ents) for p in ev.actors],
        "recipient": [_actor(p, ents) for p in ev.recipients],
        "event": [ev.type],
        "mode": [ev.mode] if ev.mode else [],
        "context": [],
        "quad_code": QUAD.get(ev.type),
        "event_loc": _location(ev.location, b, ents),
        "text": ev.evidence.text,
        "text_info": {"start": ev.evidence.start, "end": ev.evidence.end},
        "cite_info": {"corpus": "newsgraph", "citation": d.key, "url": d.url, "title": d.title,
                      "publication": d.outlet, "language": d.language, "coder": CODER},
        "link": f"cluster-{ev.cluster_id}" if ev.cluster_id is not None else None,
        "coder": CODER,
        "coded_date": d.ingested_at.date().isoformat(),
        "status": ev.status,
        "date_precision": ev.date_precision,
        "date_source": date_source,
    }
    return rec


def write(selection: Selection, out: OutTarget, **_) -> dict[str, int]:
    events = 0
    with text_output(out) as fh:
        for b in selection.bundles():
            if not b.events:
                continue
            ents = selection.entities(b.entity_ids())
            for ev in b.events:
                fh.write(json.dumps(record(ev, b, ents), ensure_ascii=False) + "\n")
                events += 1
    return {"events": events}
