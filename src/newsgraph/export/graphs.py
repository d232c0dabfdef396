"""The entity graph as GraphML and GEXF (Gephi, Cytoscape, yEd, networkx).

The same edges as :func:`newsgraph.graph.build_graph`, computed over the
exported documents only:

* ``comention``: both entities named in one document (stored once, from the
  lower entity id: read it as undirected);
* ``role``: person -> body or state, one edge per title;
* ``event``: actor -> recipient, one edge per PLOVER type (the parties of an
  event with no recipient are linked to each other; a state and its own armed
  forces named together as one side are not).

``edges`` (``--edges``) keeps some kinds only; without co-mentions, only the
entities that roles and events link are nodes.

Nodes: ``label`` (name), ``type`` (PERSON, ORG, GPE, LOC, OTHER), ``kind``,
``country`` (ISO alpha-3), ``kb_id``, ``entity_key`` (stable across databases),
``documents`` and ``first``/``last`` (dates of the documents naming it).
Edges: ``kind`` (comention, role, event; in GraphML also as ``type``),
``relation`` (the PLOVER type or the title), ``label``, ``weight`` = independent
sources (near-duplicate copies of a story count once), ``documents``, ``first``
and ``last`` (dates as the texts give them), ``doc_ids`` (every source
document, space-separated), ``evidence`` (JSON: up to ``evidence_limit`` spans
with their document and offsets) and ``statuses`` (events). Empty text means
unknown. The GEXF is dynamic: nodes and edges carry ``start``/``end`` days, so
Gephi's timeline shows each link from its first to its last report.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import networkx as nx

from newsgraph.export.output import OutTarget, binary_output
from newsgraph.export.selection import ExportError, Selection, Span, first_last
from newsgraph.graph import own_forces
from newsgraph.store.util import date_interval

EVIDENCE_LIMIT = 5
EDGE_KINDS = ("comention", "role", "event")


@dataclass
class _Edge:
    kind: str
    relation: str
    label: str
    docs: set[str] = field(default_factory=set)
    stories: set = field(default_factory=set)
    dates: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)

    def add(self, doc_key: str, story, date: str | None, span: Span | None, limit: int) -> None:
        self.docs.add(doc_key)
        self.stories.add(story)
        if date:
            self.dates.append(date)
        if span is not None and span.text and len(self.evidence) < limit:
            self.evidence.append({"doc_id": doc_key, "start": span.start, "end": span.end, "text": span.text})


def build(selection: Selection, *, evidence_limit: int = EVIDENCE_LIMIT, dynamic: bool = False,
          edges: tuple[str, ...] | list[str] = EDGE_KINDS) -> nx.MultiDiGraph:
    """The graph of the exported documents, with attributes GraphML and GEXF can hold (no None, no lists).

    ``edges`` chooses the kinds of edge (co-mention edges grow with the square of the entities
    of a document: ``("role", "event")`` gives a much smaller graph of who did what to whom)."""
    unknown = set(edges) - set(EDGE_KINDS)
    if unknown or not edges:
        raise ExportError(f"--edges: give one or more of {', '.join(EDGE_KINDS)}"
                          + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else ""))
    kinds = set(edges)
    found_edges: dict[tuple[int, int, str], _Edge] = {}
    node_docs: dict[int, set[str]] = {}
    node_dates: dict[int, list[str]] = {}

    def edge(a: int, b: int, key: str, kind: str, relation: str, label: str) -> _Edge:
        found = found_edges.get((a, b, key))
        if found is None:
            found = found_edges[(a, b, key)] = _Edge(kind, relation, label)
        return found

    for bundle in selection.bundles():
        d = bundle.doc
        story = d.story_id if d.story_id is not None else f"doc:{d.key}"
        for eid in bundle.entity_ids():
            node_docs.setdefault(eid, set()).add(d.key)
            if d.published:
                node_dates.setdefault(eid, []).append(d.published)
        present = sorted({m.entity_id for m in bundle.mentions}) if "comention" in kinds else []
        for i, a in enumerate(present):
            for b in present[i + 1:]:
                edge(a, b, "comention", "comention", "comention", "co-mention").add(
                    d.key, story, d.published, None, 0)
        for r in bundle.roles if "role" in kinds else ():
            if r.of_id is None or r.of_id == r.person_id:
                continue
            edge(r.person_id, r.of_id, f"role:{r.title_key}", "role", r.title, r.title).add(
                d.key, story, r.date, r.evidence, evidence_limit)
        for ev in bundle.events if "event" in kinds else ():
            actors = [p.entity_id for p in ev.actors]
            recipients = [p.entity_id for p in ev.recipients]
            pairs = {(a, b) for a in actors for b in recipients if a != b}
            if not recipients:
                ordered = sorted(set(actors))
                pairs = {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:]}
            for a, b in sorted(pairs):
                e = edge(a, b, f"event:{ev.type}", "event", ev.type, ev.type)
                e.add(d.key, story, ev.when, ev.evidence, evidence_limit)
                e.statuses.add(ev.status)
            for eid in set(actors + recipients):
                if ev.when:
                    node_dates.setdefault(eid, []).append(ev.when)

    # a state and its own armed forces named together as one side of an event: no tie (as build_graph)
    event_ends = selection.entities({x for a, b, key in found_edges if key.startswith("event:") for x in (a, b)})
    for a, b, key in [k for k in found_edges if k[2].startswith("event:")]:
        ea, eb = event_ends.get(a), event_ends.get(b)
        if ea and eb and own_forces((ea.kind, ea.country), (eb.kind, eb.country)):
            del found_edges[(a, b, key)]
    g = nx.MultiDiGraph(name="newsgraph", filters=json.dumps(selection.filters.as_dict(), ensure_ascii=False))
    if "comention" not in kinds:  # a graph of roles and events: only the entities they link
        linked = {x for a, b, _ in found_edges for x in (a, b)}
        node_docs = {k: v for k, v in node_docs.items() if k in linked}
    ents = selection.entities(node_docs)
    for eid in sorted(ents):
        ent = ents[eid]
        first, last = first_last(node_dates.get(eid, []))
        attrs = {"label": ent.name, "type": ent.type, "kind": ent.kind or "", "country": ent.country or "",
                 "kb_id": ent.kb_id or "", "entity_key": ent.key, "documents": len(node_docs.get(eid, ())),
                 "first": first or "", "last": last or ""}
        if dynamic:
            attrs.update(_interval(first, last))
        g.add_node(str(eid), **attrs)
    for (a, b, key), e in sorted(found_edges.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        if str(a) not in g or str(b) not in g:
            continue
        first, last = first_last(e.dates)
        attrs = {"kind": e.kind, "relation": e.relation, "label": e.label, "weight": len(e.stories),
                 "independent_sources": len(e.stories), "documents": len(e.docs), "first": first or "",
                 "last": last or "", "doc_ids": " ".join(sorted(e.docs)),
                 "evidence": json.dumps(e.evidence, ensure_ascii=False) if e.evidence else "",
                 "statuses": " ".join(sorted(e.statuses))}
        if dynamic:
            attrs.update(_interval(first, last))
        else:
            attrs["type"] = e.kind
        g.add_edge(str(a), str(b), key=key, **attrs)
    return g


def _interval(first: str | None, last: str | None) -> dict[str, str]:
    """GEXF ``start``/``end`` days (the first day of ``first``'s period, the last of ``last``'s)."""
    out: dict[str, str] = {}
    lo, hi = date_interval(first), date_interval(last)
    if lo:
        out["start"] = lo[0].isoformat()
    if hi:
        out["end"] = hi[1].isoformat()
    return out


def write_graphml(selection: Selection, out: OutTarget, *, evidence_limit: int = EVIDENCE_LIMIT,
                  edges: tuple[str, ...] = EDGE_KINDS, **_) -> dict[str, int]:
    g = build(selection, evidence_limit=evidence_limit, edges=edges)
    with binary_output(out) as fh:
        nx.write_graphml(g, fh, encoding="utf-8", prettyprint=True, named_key_ids=False)
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}


def write_gexf(selection: Selection, out: OutTarget, *, evidence_limit: int = EVIDENCE_LIMIT,
               edges: tuple[str, ...] = EDGE_KINDS, **_) -> dict[str, int]:
    g = build(selection, evidence_limit=evidence_limit, dynamic=True, edges=edges)
    with binary_output(out) as fh:
        nx.write_gexf(g, fh, encoding="utf-8", prettyprint=True, version="1.2draft")
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
