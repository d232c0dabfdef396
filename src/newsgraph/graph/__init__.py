"""The cross-document graph: edges with evidence, corroboration clusters, contradictions, networkx export.

Edges between entities (every one with its evidence and its count of
independent sources, near-duplicates counting once):

* ``comention``: both entities in one document;
* ``role``: person -> body or state, with the title and the dates of the documents;
* ``event:<TYPE>``: actor -> recipient of PLOVER events of that type
  (parties of an event with no recipient are linked to each other; a state and
  its own armed forces, named together as one side, are not linked).

``build_graph(store)`` exports them to a networkx ``MultiDiGraph``;
``centrality`` and ``communities`` run the usual algorithms on it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
from sqlalchemy import select

from newsgraph.graph import clusters, contradictions
from newsgraph.store.writer import DE, EE, EP, EV, D, E, M, R

__all__ = ["build_graph", "centrality", "clusters", "communities", "contradictions", "edge_evidence",
           "own_forces"]


def build_graph(store, *, min_documents: int = 1, edges: tuple[str, ...] = ("comention", "role", "event"),
                entities: list[int] | None = None, evidence_limit: int = 20,
                comention_evidence: bool = False) -> nx.MultiDiGraph:
    """The entity graph of the store's current documents.

    Nodes are entity ids (attributes: name, type, kind, country, kb_id, documents).
    Edge keys: ``comention`` (stored once, from the lower id; attributes documents,
    independent_sources), ``role:<title>`` and ``event:<TYPE>`` (attributes documents,
    independent_sources, first, last, evidence: up to ``evidence_limit`` spans).
    ``min_documents`` drops weaker edges; ``entities`` keeps only edges among those ids.
    Co-mention edges carry counts; their evidence (documents and the spans of both
    entities) comes from ``edge_evidence``, or is attached with ``comention_evidence=True``
    (one query per edge: for small graphs).
    """
    g = nx.MultiDiGraph()
    only = set(entities) if entities is not None else None
    with store.engine.connect() as conn:
        q = select(E.c.id, E.c.name, E.c.type, E.c.kind, E.c.country, E.c.kb_id, E.c.doc_count).where(
            E.c.merged_into_id.is_(None), E.c.doc_count > 0)
        if only is not None:
            q = q.where(E.c.id.in_(only))
        for r in conn.execute(q):
            g.add_node(r.id, name=r.name, type=r.type, kind=r.kind, country=r.country, kb_id=r.kb_id,
                       documents=r.doc_count)

        def keep(a: int, b: int) -> bool:
            return a in g and b in g

        if "comention" in edges:
            q = select(EE.c.a, EE.c.b, EE.c.doc_count, EE.c.story_count).where(
                EE.c.a < EE.c.b, EE.c.doc_count >= min_documents)
            if only is not None:
                q = q.where(EE.c.a.in_(only), EE.c.b.in_(only))
            for r in conn.execute(q):
                if keep(r.a, r.b):
                    g.add_edge(r.a, r.b, key="comention", kind="comention", documents=r.doc_count,
                               independent_sources=r.story_count)
            if comention_evidence:
                for a, b, key in list(g.edges(keys=True)):
                    if key == "comention":
                        g.edges[a, b, key]["evidence"] = _comention_evidence(conn, a, b, evidence_limit)

        if "role" in edges:
            groups: dict[tuple, dict[str, Any]] = {}
            for r in conn.execute(
                    select(R.c.person_id, R.c.of_id, R.c.title, R.c.title_key, R.c.date, R.c.start, R.c.end,
                           R.c.evidence, R.c.document_id, D.c.doc_id, D.c.story_id)
                    .join(D, D.c.id == R.c.document_id).where(R.c.of_id.is_not(None))
                    .order_by(R.c.date_start, R.c.id)):
                _collect(groups, (r.person_id, r.of_id, f"role:{r.title_key}"), r, evidence_limit,
                         title=r.title)
            for (a, b, key), data in groups.items():
                if keep(a, b) and len(data["documents"]) >= min_documents:
                    g.add_edge(a, b, key=key, kind="role", **_finish(data))

        if "event" in edges:
            parties: dict[int, dict[str, list[int]]] = defaultdict(lambda: {"actor": [], "recipient": []})
            for p in conn.execute(select(EP.c.event_id, EP.c.side, EP.c.entity_id)):
                parties[p.event_id][p.side].append(p.entity_id)
            groups = {}
            for r in conn.execute(
                    select(EV.c.id, EV.c.type, EV.c.cluster_id, EV.c.date, EV.c.status, EV.c.start, EV.c.end,
                           EV.c.evidence, EV.c.document_id, D.c.doc_id, D.c.story_id, D.c.published)
                    .join(D, D.c.id == EV.c.document_id).order_by(EV.c.date_start, EV.c.id)):
                side = parties.get(r.id)
                if not side:
                    continue
                pairs = [(a, b) for a in side["actor"] for b in side["recipient"] if a != b]
                if not side["recipient"]:
                    actors = sorted(set(side["actor"]))
                    pairs = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1:]]
                for a, b in set(pairs):
                    if a in g and b in g and own_forces((g.nodes[a]["kind"], g.nodes[a]["country"]),
                                                        (g.nodes[b]["kind"], g.nodes[b]["country"])):
                        continue
                    data = _collect(groups, (a, b, f"event:{r.type}"), r, evidence_limit, type=r.type)
                    data.setdefault("clusters", set()).add(r.cluster_id)
                    data.setdefault("statuses", set()).add(r.status)
            for (a, b, key), data in groups.items():
                if keep(a, b) and len(data["documents"]) >= min_documents:
                    data["clusters"] = len(data["clusters"])
                    data["statuses"] = sorted(data["statuses"])
                    g.add_edge(a, b, key=key, kind="event", **_finish(data))
    return g


def own_forces(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """Whether one of two entities, given as (kind, country), is the other state's armed forces.

    The extractor names "the Malian army" as Mali and the Malian Armed Forces, one side of an
    event: no tie between them."""
    return any(state[0] == "state" and force[0] == "military" and state[1] is not None and state[1] == force[1]
               for state, force in ((a, b), (b, a)))


def _collect(groups: dict, key: tuple, r, limit: int, **extra) -> dict:
    data = groups.setdefault(key, {"documents": set(), "stories": set(), "first": None, "last": None,
                                   "evidence": [], **extra})
    data["documents"].add(r.document_id)
    data["stories"].add(r.story_id)
    date = r.date or getattr(r, "published", None)
    if date:
        data["first"] = min(filter(None, [data["first"], date]))
        data["last"] = max(filter(None, [data["last"], date]))
    if len(data["evidence"]) < limit:
        data["evidence"].append({"document_id": r.document_id, "doc_id": r.doc_id, "start": r.start, "end": r.end,
                                 "text": r.evidence})
    return data


def _finish(data: dict) -> dict:
    out = dict(data)
    out["documents"] = len(data["documents"]) if isinstance(data["documents"], set) else data["documents"]
    out["independent_sources"] = len(out.pop("stories"))
    return out


def edge_evidence(store, a: int | str, b: int | str, *, limit: int = 50) -> list[dict]:
    """The documents that mention both entities, with the spans of each (evidence of a co-mention edge)."""
    with store.engine.connect() as conn:
        return _comention_evidence(conn, store._find(conn, a), store._find(conn, b), limit)


def _comention_evidence(conn, ea: int, eb: int, limit: int) -> list[dict]:
    docs_a = select(DE.c.document_id).where(DE.c.entity_id == ea)
    docs = [r[0] for r in conn.execute(select(DE.c.document_id).where(
        DE.c.entity_id == eb, DE.c.document_id.in_(docs_a)).distinct().order_by(DE.c.document_id).limit(limit))]
    if not docs:
        return []
    meta = {r.id: r for r in conn.execute(select(D.c.id, D.c.doc_id, D.c.title, D.c.outlet, D.c.published,
                                                 D.c.story_id).where(D.c.id.in_(docs)))}
    spans: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for m in conn.execute(select(M.c.document_id, M.c.entity_id, M.c.start, M.c.end, M.c.text).where(
            M.c.document_id.in_(docs), M.c.entity_id.in_([ea, eb])).order_by(M.c.start)):
        spans[m.document_id][m.entity_id].append({"start": m.start, "end": m.end, "text": m.text})
    return [{"document_id": d, "doc_id": meta[d].doc_id, "title": meta[d].title, "outlet": meta[d].outlet,
             "published": meta[d].published, "story_id": meta[d].story_id,
             "spans": {str(ea): spans[d][ea], str(eb): spans[d][eb]}} for d in docs]


def centrality(g: nx.MultiDiGraph, kind: str = "pagerank", weight: str = "documents") -> dict[int, float]:
    """``pagerank`` (directed, weighted), ``degree`` or ``betweenness`` (on the undirected weighted graph)."""
    if g.number_of_nodes() == 0:
        return {}
    if kind == "pagerank":
        return nx.pagerank(_simple(g, directed=True, weight=weight), weight="weight")
    if kind == "degree":
        return nx.degree_centrality(_simple(g, directed=False, weight=weight))
    if kind == "betweenness":
        h = _simple(g, directed=False, weight=weight)
        for _, _, d in h.edges(data=True):
            d["distance"] = 1.0 / d["weight"] if d["weight"] else 1.0
        return nx.betweenness_centrality(h, weight="distance")
    raise ValueError(f"unknown centrality {kind!r}: pagerank, degree or betweenness")


def communities(g: nx.MultiDiGraph, weight: str = "documents", seed: int = 0) -> list[set[int]]:
    """Louvain communities of the undirected weighted graph, largest first."""
    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(_simple(g, directed=False, weight=weight), weight="weight", seed=seed)
    return sorted(found, key=lambda c: (-len(c), min(c)))


def _simple(g: nx.MultiDiGraph, *, directed: bool, weight: str) -> nx.Graph:
    h: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    h.add_nodes_from(g.nodes(data=True))
    for a, b, d in g.edges(data=True):
        w = float(d.get(weight, 1) or 1)
        if h.has_edge(a, b):
            h[a][b]["weight"] += w
        else:
            h.add_edge(a, b, weight=w)
        if directed and d.get("kind") == "comention":  # co-mention has no direction
            if h.has_edge(b, a):
                h[b][a]["weight"] += w
            else:
                h.add_edge(b, a, weight=w)
    return h
