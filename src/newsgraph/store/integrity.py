"""Consistency checks of a store: documents whole, indexes in step, aggregates equal to a recount.

``check(conn)`` runs them all and returns the problems found (empty when the
store is consistent):

* documents (:func:`check_documents`): each current document holds exactly
  the facts its stored record lists (entities, mentions, roles, events,
  quotes, narratives, signals), an older version none; no row refers to a
  document, entity, event or quote that is not there; every current document
  is in the full-text index and has its MinHash bands, an older one none;
* aggregates (:func:`check_aggregates`): entity document counts, co-mention
  edges and their independent-source counts, alias counts and entity-narrative
  counts equal a recount from the facts; no event cluster is empty.

A document stored all-or-nothing passes whatever interrupted the writer; these
checks are what the crash-safety test asks of a store after a kill.

``fingerprint(conn)`` gives every table's rows with ids replaced by their rank,
so that two stores holding the same facts compare equal whatever their ids
(a store interrupted and resumed, the same records stored in batches or one
by one, SQLite or PostgreSQL).
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict

from sqlalchemy.engine import Connection

from newsgraph.store import dedup

FACT_TABLES = ("doc_entities", "mentions", "roles", "events", "quotes", "doc_narratives", "signals")


def check(conn: Connection, limit: int = 20) -> list[str]:
    """All the checks; the problems found (at most ``limit``)."""
    return (check_documents(conn, limit) + check_aggregates(conn, limit))[:limit]


def _true(conn: Connection) -> str:
    return "TRUE" if conn.dialect.name == "postgresql" else "1"


def expected_facts(record: dict) -> dict[str, int]:
    """The rows of each fact table a stored record (its JSON) gives (implicit entities aside)."""
    entities = record.get("entities") or []
    spans: set[tuple[int, int, int]] = set()
    for i, ent in enumerate(entities):
        spans.update((m["start"], m["end"], i) for m in ent.get("mentions") or [])
    return {"doc_entities": len(entities), "mentions": len(spans), "roles": len(record.get("roles") or []),
            "events": len(record.get("events") or []), "quotes": len(record.get("quotes") or []),
            "doc_narratives": len({n["id"] for n in record.get("narratives") or []}),
            "signals": len(record.get("signals") or [])}


def check_documents(conn: Connection, limit: int = 20) -> list[str]:
    """Each document whole (or, for an older version, without facts); no dangling rows; indexes in step."""
    problems: list[str] = []
    q = conn.exec_driver_sql
    true = _true(conn)
    stored: dict[str, Counter] = {}
    for table in FACT_TABLES:
        cond = " WHERE implicit = FALSE" if table == "doc_entities" and true == "TRUE" else \
            " WHERE implicit = 0" if table == "doc_entities" else ""
        stored[table] = Counter(dict(q(f"SELECT document_id, count(*) FROM {table}{cond} GROUP BY document_id").all()))
    docs = q("SELECT id, doc_id, is_current, story_id, record_json, minhash FROM documents").all()
    known = {d[0] for d in docs}
    for doc, doc_id, current, story, record_json, _ in docs:
        if story is None:
            problems.append(f"document {doc} ({doc_id}): no story")
        if not current:
            held = {t: stored[t][doc] for t in FACT_TABLES if stored[t][doc]}
            if held:
                problems.append(f"document {doc} ({doc_id}): an older version with facts {held}")
            continue
        record = json.loads(record_json) if isinstance(record_json, str) else record_json
        want = expected_facts(record)
        got = {t: stored[t][doc] for t in FACT_TABLES}
        if got != want:
            diff = {t: (got[t], want[t]) for t in FACT_TABLES if got[t] != want[t]}
            problems.append(f"document {doc} ({doc_id}): facts (stored, in its record) differ: {diff}")
        if len(problems) >= limit:
            return problems
    for table in FACT_TABLES:
        orphans = set(stored[table]) - known
        if orphans:
            problems.append(f"{table}: rows of {len(orphans)} missing documents, e.g. {sorted(orphans)[:3]}")
    dangling = {
        "mentions without their document entity": "SELECT count(*) FROM mentions m WHERE NOT EXISTS"
        " (SELECT 1 FROM doc_entities de WHERE de.id = m.doc_entity_id AND de.document_id = m.document_id)",
        "event parties without their event": "SELECT count(*) FROM event_parties p WHERE NOT EXISTS"
        " (SELECT 1 FROM events e WHERE e.id = p.event_id)",
        "events without their cluster": "SELECT count(*) FROM events e WHERE e.cluster_id IS NULL OR NOT EXISTS"
        " (SELECT 1 FROM event_clusters c WHERE c.id = e.cluster_id)",
        "quote mentions without their quote": "SELECT count(*) FROM quote_mentions m WHERE NOT EXISTS"
        " (SELECT 1 FROM quotes x WHERE x.id = m.quote_id)",
        "document entities without their entity": "SELECT count(*) FROM doc_entities d WHERE NOT EXISTS"
        " (SELECT 1 FROM entities e WHERE e.id = d.entity_id)",
        "raw inputs without their document": "SELECT count(*) FROM document_raw r WHERE NOT EXISTS"
        " (SELECT 1 FROM documents d WHERE d.id = r.document_id)",
        "near-duplicate links to missing documents": "SELECT count(*) FROM near_duplicates n WHERE NOT EXISTS"
        " (SELECT 1 FROM documents d WHERE d.id = n.document_id) OR NOT EXISTS"
        " (SELECT 1 FROM documents d WHERE d.id = n.duplicate_of_id)",
        "entity keys of missing entities": "SELECT count(*) FROM entity_keys k WHERE NOT EXISTS"
        " (SELECT 1 FROM entities e WHERE e.id = k.entity_id)",
    }
    for what, sql in dangling.items():
        n = q(sql).scalar()
        if n:
            problems.append(f"{n} {what}")
    problems += _check_bands(conn, docs)
    problems += _check_search_index(conn, len(docs))
    return problems[:limit]


def _check_bands(conn: Connection, docs) -> list[str]:
    """A current document's MinHash bands are in ``lsh_bands``, an older version's are not."""
    bands: dict[int, set[int]] = defaultdict(set)
    for key, doc in conn.exec_driver_sql("SELECT key, document_id FROM lsh_bands"):
        bands[doc].add(key)
    problems = []
    for doc, doc_id, current, _, _, blob in docs:
        want = set(dedup.Signature.from_bytes(bytes(blob)).band_keys()) if (current and blob is not None) else set()
        if bands.pop(doc, set()) != want:
            problems.append(f"document {doc} ({doc_id}): LSH bands differ from its MinHash")
    if bands:
        problems.append(f"LSH bands of {len(bands)} missing documents")
    return problems


def _check_search_index(conn: Connection, documents: int) -> list[str]:
    if conn.dialect.name == "sqlite":
        problems = []
        for table, content in (("documents_fts", "documents"), ("quotes_fts", "quotes")):
            indexed = conn.exec_driver_sql(f"SELECT count(*) FROM {table}_docsize").scalar()
            rows = conn.exec_driver_sql(f"SELECT count(*) FROM {content}").scalar()
            if indexed != rows:
                problems.append(f"full-text index {table}: {indexed} rows indexed, {rows} in {content}")
            try:  # the index against its content table, term by term
                conn.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            except Exception as exc:  # SQLite reports a mismatch as a malformed image
                problems.append(f"full-text index {table} differs from {content}: {exc}")
        return problems
    if conn.dialect.name == "postgresql":
        missing = conn.exec_driver_sql("SELECT count(*) FROM documents WHERE search_tsv IS NULL").scalar()
        return [f"{missing} documents without a search vector"] if missing else []
    return []


def check_aggregates(conn: Connection, limit: int = 20) -> list[str]:
    """Differences between the aggregates and a recount (empty when consistent)."""
    problems: list[str] = []
    q = conn.exec_driver_sql
    true = _true(conn)
    current = {r[0]: r[1] for r in q(f"SELECT id, story_id FROM documents WHERE is_current = {true}")}
    stale = q(f"SELECT count(*) FROM doc_entities WHERE document_id NOT IN (SELECT id FROM documents WHERE "
              f"is_current = {true})").scalar()
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


# the id columns of each table and the table each refers to
ID_REFS: dict[str, dict[str, str]] = {
    "documents": {"id": "documents", "previous_id": "documents", "story_id": "documents"},
    "document_raw": {"document_id": "documents"}, "lsh_bands": {"document_id": "documents"},
    "near_duplicates": {"document_id": "documents", "duplicate_of_id": "documents"},
    "entities": {"id": "entities", "merged_into_id": "entities"}, "entity_keys": {"entity_id": "entities"},
    "entity_aliases": {"entity_id": "entities"},
    "doc_entities": {"id": "doc_entities", "document_id": "documents", "entity_id": "entities"},
    "mentions": {"document_id": "documents", "doc_entity_id": "doc_entities", "entity_id": "entities"},
    "roles": {"id": "roles", "document_id": "documents", "person_id": "entities", "of_id": "entities"},
    "event_clusters": {"id": "event_clusters"},
    "events": {"id": "events", "document_id": "documents", "cluster_id": "event_clusters"},
    "event_parties": {"id": "event_parties", "event_id": "events", "entity_id": "entities"},
    "quotes": {"id": "quotes", "document_id": "documents", "speaker_id": "entities"},
    "quote_mentions": {"quote_id": "quotes", "entity_id": "entities"},
    "doc_narratives": {"document_id": "documents"}, "signals": {"id": "signals", "document_id": "documents"},
    "judgements": {"id": "judgements"}, "entity_edges": {"a": "entities", "b": "entities"},
    "entity_narratives": {"entity_id": "entities"},
}
_VOLATILE = frozenset({"ingested_at", "created_at", "search_tsv"})  # times, and PostgreSQL's derived vectors


def _plain(value):
    """One form for both databases' values (booleans, JSON, bytes, dates)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def fingerprint(conn: Connection) -> dict[str, list[str]]:
    """Every table's rows (sorted, as JSON), ids replaced by their rank, times left out."""
    q = conn.exec_driver_sql
    rank = {t: {v: i for i, v in enumerate(sorted(r[0] for r in q(f"SELECT id FROM {t}")))}
            for t, refs in ID_REFS.items() if "id" in refs}
    out: dict[str, list[str]] = {}
    for table, refs in ID_REFS.items():
        cur = q(f"SELECT * FROM {table}")
        cols = list(cur.keys())
        rows = [json.dumps([rank[refs[c]].get(v, f"dangling {v}") if c in refs and v is not None else _plain(v)
                            for c, v in zip(cols, r) if c not in _VOLATILE], sort_keys=True, default=str)
                for r in cur]
        out[table] = sorted(rows)
    return out
