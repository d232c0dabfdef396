"""CSV tables for spreadsheets: documents, entities, mentions, roles, events, quotes, narratives, signals.

Every fact row names its source (``doc_id``, ``url``) and its evidence
(``evidence_start``, ``evidence_end``: character offsets into the document's
text, and ``evidence_text``). Dates are ISO 8601 as the text gives them
(``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); lists are joined with ``"; "``.
Files are UTF-8 (with a byte-order mark for Excel when asked), RFC 4180
quoting and CRLF line ends.

Text written by strangers is kept from running as a spreadsheet formula: a
text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe (OWASP's advice; :func:`unguard` undoes it).
"""
from __future__ import annotations

import csv
from collections import defaultdict
from typing import Any

from newsgraph.export.catalog import narrative
from newsgraph.export.output import OutTarget, Tables
from newsgraph.export.selection import Entity, Selection, Span, first_last

TABLES: dict[str, list[str]] = {
    "documents": ["doc_id", "title", "published", "outlet", "url", "language", "authors", "cited_sources",
                  "story_id", "version", "ingested_at", "source", "matched", "n_entities", "n_roles", "n_events",
                  "n_quotes", "n_narratives", "n_signals"],
    "entities": ["entity_id", "key", "name", "type", "kind", "country", "kb_id", "aliases", "documents",
                 "first_seen", "last_seen"],
    "mentions": ["doc_id", "entity_id", "entity", "names", "implicit", "mentions", "evidence_start",
                 "evidence_end", "evidence_text", "url"],
    "roles": ["role_key", "doc_id", "person_id", "person", "title", "of_id", "of", "date", "evidence_start",
              "evidence_end", "evidence_text", "url"],
    "events": ["event_key", "doc_id", "type", "mode", "status", "date", "date_start", "date_end", "date_precision",
               "date_source", "location", "actor_ids", "actors", "actor_countries", "recipient_ids", "recipients",
               "recipient_countries", "cluster_id", "evidence_start", "evidence_end", "evidence_text", "url"],
    "quotes": ["quote_key", "doc_id", "speaker_id", "speaker", "direct", "about_ids", "about", "evidence_start",
               "evidence_end", "evidence_text", "url"],
    "narratives": ["doc_id", "narrative_id", "narrative", "score", "disarm", "evidence_index", "evidence_start",
                   "evidence_end", "evidence_text", "url"],
    "signals": ["signal_key", "doc_id", "kind", "detail", "evidence_start", "evidence_end", "evidence_text", "url"],
}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def guard(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def unguard(value: str) -> str:
    """The text of a cell written by :func:`guard`."""
    if value.startswith("'") and value[1:2] and value[1:2] in "=+-@\t\r":
        return value[1:]
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _join(values) -> str:
    return "; ".join(str(v) for v in values if v is not None and v != "")


class _Writer:
    def __init__(self, fh, columns: list[str], formula_guard: bool):
        self.w = csv.writer(fh, lineterminator="\r\n")
        self.columns = columns
        self.formula_guard = formula_guard
        self.rows = 0
        self.w.writerow(columns)

    def row(self, **values: Any) -> None:
        cells = [_cell(values.get(c)) for c in self.columns]
        if self.formula_guard:
            cells = [guard(c) for c in cells]
        self.w.writerow(cells)
        self.rows += 1


def write(selection: Selection, out: OutTarget, *, bom: bool = False, formula_guard: bool = True,
          **_) -> dict[str, int]:
    tables = Tables(out, bom=bom)
    counts: dict[str, int] = {}
    docs_of: dict[int, set[str]] = defaultdict(set)  # entity id -> exported documents naming it
    dates_of: dict[int, list[str]] = defaultdict(list)  # entity id -> dates of those documents and its events
    with tables.open():
        with tables.table("documents.csv") as f_docs, tables.table("mentions.csv") as f_men, \
                tables.table("roles.csv") as f_roles, tables.table("events.csv") as f_ev, \
                tables.table("quotes.csv") as f_q, tables.table("narratives.csv") as f_n, \
                tables.table("signals.csv") as f_s:
            w = {name: _Writer(fh, TABLES[name], formula_guard) for name, fh in (
                ("documents", f_docs), ("mentions", f_men), ("roles", f_roles), ("events", f_ev), ("quotes", f_q),
                ("narratives", f_n), ("signals", f_s))}
            for b in selection.bundles():
                d = b.doc
                ents = selection.entities(b.entity_ids())

                def name(eid: int | None) -> str | None:
                    return ents[eid].name if eid in ents else None

                for eid in ents:
                    docs_of[eid].add(d.key)
                    if d.published:
                        dates_of[eid].append(d.published)

                w["documents"].row(
                    doc_id=d.key, title=d.title, published=d.published, outlet=d.outlet, url=d.url,
                    language=d.language, authors=_join(d.authors), cited_sources=_join(d.cited_sources),
                    story_id=d.story_id, version=d.version, ingested_at=d.ingested_at.isoformat(timespec="seconds"),
                    source=d.source, matched=d.matched, n_entities=len(b.mentions), n_roles=len(b.roles),
                    n_events=len(b.events), n_quotes=len(b.quotes), n_narratives=len(b.narratives),
                    n_signals=len(b.signals))
                for m in b.mentions:
                    span = m.spans[0] if m.spans else Span(None, None, None)
                    w["mentions"].row(doc_id=d.key, entity_id=m.entity_id, entity=name(m.entity_id),
                                      names=_join(m.names), implicit=m.implicit, mentions=len(m.spans),
                                      evidence_start=span.start, evidence_end=span.end, evidence_text=span.text,
                                      url=d.url)
                for r in b.roles:
                    w["roles"].row(role_key=r.key, doc_id=d.key, person_id=r.person_id, person=name(r.person_id),
                                   title=r.title, of_id=r.of_id, of=name(r.of_id) or r.of, date=r.date,
                                   evidence_start=r.evidence.start, evidence_end=r.evidence.end,
                                   evidence_text=r.evidence.text, url=d.url)
                for ev in b.events:
                    for p in ev.actors + ev.recipients:
                        if ev.when:
                            dates_of[p.entity_id].append(ev.when)
                    w["events"].row(
                        event_key=ev.key, doc_id=d.key, type=ev.type, mode=ev.mode, status=ev.status, date=ev.date,
                        date_start=ev.date_start, date_end=ev.date_end, date_precision=ev.date_precision,
                        date_source=ev.date_source, location=ev.location,
                        actor_ids=_join(p.entity_id for p in ev.actors),
                        actors=_join(name(p.entity_id) for p in ev.actors),
                        actor_countries=_join(p.country for p in ev.actors),
                        recipient_ids=_join(p.entity_id for p in ev.recipients),
                        recipients=_join(name(p.entity_id) for p in ev.recipients),
                        recipient_countries=_join(p.country for p in ev.recipients), cluster_id=ev.cluster_id,
                        evidence_start=ev.evidence.start, evidence_end=ev.evidence.end,
                        evidence_text=ev.evidence.text, url=d.url)
                for q in b.quotes:
                    w["quotes"].row(quote_key=q.key, doc_id=d.key, speaker_id=q.speaker_id,
                                    speaker=name(q.speaker_id) or q.speaker, direct=q.direct,
                                    about_ids=_join(q.about), about=_join(name(x) for x in q.about),
                                    evidence_start=q.start, evidence_end=q.end, evidence_text=q.text, url=d.url)
                for n in b.narratives:
                    info = narrative(n.narrative_id)
                    spans = n.evidence or [Span(None, None, None)]
                    for i, span in enumerate(spans, 1):
                        w["narratives"].row(doc_id=d.key, narrative_id=n.narrative_id, narrative=info.name,
                                            score=round(n.score, 4), disarm=_join(t for t, _ in info.disarm),
                                            evidence_index=i if n.evidence else None, evidence_start=span.start,
                                            evidence_end=span.end, evidence_text=span.text, url=d.url)
                for sig in b.signals:
                    w["signals"].row(signal_key=sig.key, doc_id=d.key, kind=sig.kind, detail=sig.detail,
                                     evidence_start=sig.evidence.start, evidence_end=sig.evidence.end,
                                     evidence_text=sig.evidence.text, url=d.url)
            counts.update({name: wr.rows for name, wr in w.items()})
        with tables.table("entities.csv") as f_e:
            we = _Writer(f_e, TABLES["entities"], formula_guard)
            known: dict[int, Entity] = selection.entities(docs_of)
            for eid in sorted(known):
                ent = known[eid]
                first_seen, last_seen = first_last(dates_of[eid])
                we.row(entity_id=ent.id, key=ent.key, name=ent.name, type=ent.type, kind=ent.kind,
                       country=ent.country, kb_id=ent.kb_id, aliases=_join(ent.aliases), documents=len(docs_of[eid]),
                       first_seen=first_seen, last_seen=last_seen)
            counts["entities"] = we.rows
    counts["files"] = len(tables.files)
    return counts
