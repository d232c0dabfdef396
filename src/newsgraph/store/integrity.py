"""Consistency check: the incrementally kept aggregates against a recount from the facts."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

from sqlalchemy.engine import Connection


def check(conn: Connection, limit: int = 20) -> list[str]:
    """Differences between the aggregates and a recount (empty when consistent)."""
    problems: list[str] = []
    q = conn.exec_driver_sql
    current = {r[0]: r[1] for r in q("SELECT id, story_id FROM documents WHERE is_current = " +
                                     ("TRUE" if conn.dialect.name == "postgresql" else "1"))}
    stale = q("SELECT count(*) FROM doc_entities WHERE document_id NOT IN (SELECT id FROM documents WHERE is_current "
              "= " + ("TRUE" if conn.dialect.name == "postgresql" else "1") + ")").scalar()
    if stale:
        problems.append(f"{stale} doc_entities rows of documents that are not current")
    ents: dict[int, set[int]] = defaultdict(set)
    aliases: Counter = Counter()
    per_doc_alias: dict[int, set] = defaultdict(set)
    for doc, eid, name, al, implicit in q("SELECT document_id, entity_id, name, aliases, implicit FROM doc_entities"):
        ents[doc].add(eid)
        forms = {name}
        if not implicit:
            forms.update(json.loads(al) if isinstance(al, str) else (al or []))
        per_doc_alias[doc].update((eid, f[:512]) for f in forms)
    for pairs in per_doc_alias.values():
        aliases.update(pairs)
    doc_count: Counter = Counter()
    edges: Counter = Counter()
    stories: dict[tuple[int, int], set[int]] = defaultdict(set)
    for doc, es in ents.items():
        ids = sorted(es)
        doc_count.update(ids)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                edges[(a, b)] += 1
                stories[(a, b)].add(current.get(doc))
    stored = {r[0]: r[1] for r in q("SELECT id, doc_count FROM entities")}
    for eid, n in stored.items():
        if n != doc_count.get(eid, 0):
            problems.append(f"entity {eid}: doc_count {n}, recount {doc_count.get(eid, 0)}")
    stored_edges = {(r[0], r[1]): (r[2], r[3]) for r in q("SELECT a, b, doc_count, story_count FROM entity_edges")}
    for (a, b), n in edges.items():
        want = (n, len(stories[(a, b)]))
        for key in ((a, b), (b, a)):
            if stored_edges.get(key) != want:
                problems.append(f"edge {key}: stored {stored_edges.get(key)}, recount {want}")
    for key, val in stored_edges.items():
        if (min(key), max(key)) not in edges:
            problems.append(f"edge {key}: stored {val}, recount none")
    stored_aliases = {(r[0], r[1]): r[2] for r in q("SELECT entity_id, alias, count FROM entity_aliases")}
    for key, n in aliases.items():
        if stored_aliases.get(key) != n:
            problems.append(f"alias {key}: stored {stored_aliases.get(key)}, recount {n}")
    for key, n in stored_aliases.items():
        if key not in aliases and n:
            problems.append(f"alias {key}: stored {n}, recount none")
    narr: Counter = Counter()
    for doc, nid in q("SELECT document_id, narrative_id FROM doc_narratives"):
        for eid in ents.get(doc, ()):
            narr[(eid, nid)] += 1
    stored_narr = {(r[0], r[1]): r[2] for r in q("SELECT entity_id, narrative_id, doc_count FROM entity_narratives")}
    if stored_narr != dict(narr):
        diff = set(stored_narr.items()) ^ set(narr.items())
        problems.append(f"entity_narratives differ in {len(diff)} rows, e.g. {sorted(diff)[:3]}")
    empty = q("SELECT count(*) FROM event_clusters WHERE NOT EXISTS "
              "(SELECT 1 FROM events WHERE events.cluster_id = event_clusters.id)").scalar()
    if empty:
        problems.append(f"{empty} event clusters without events")
    return problems[:limit]
