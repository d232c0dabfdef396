"""Read side of the store: entity lookup and profile, timeline, narrative trends, stats, search."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict, namedtuple
from functools import lru_cache
from typing import Any

from sqlalchemy import distinct, func, select, text
from sqlalchemy.engine import Connection

from newsgraph.store.util import date_interval, name_key
from newsgraph.store.writer import DN, EA, EC, EE, EV, ND, RAW, D, E, J, M, Q, R, S, Sql


class EntityNotFound(LookupError):
    """No entity matches the name or id given."""


# --------------------------------------------------------------------------- entities


def _follow(conn: Connection, eid: int) -> int | None:
    for _ in range(32):
        row = conn.execute(select(E.c.id, E.c.merged_into_id).where(E.c.id == eid)).first()
        if row is None:
            return None
        if row.merged_into_id is None:
            return row.id
        eid = row.merged_into_id
    return eid


def find_entity(conn: Connection, name_or_id: str | int, *, fuzzy=None) -> int:
    """An entity id from an id (``42``, ``#42``), a KB id (``person/x``, ``kb:person/x``), a name or an alias."""
    if isinstance(name_or_id, int) or re.fullmatch(r"#?\d+", str(name_or_id).strip()):
        found = _follow(conn, int(str(name_or_id).strip().lstrip("#")))
        if found is None:
            raise EntityNotFound(f"no entity with id {name_or_id}")
        return found
    value = str(name_or_id).strip()
    kb = value[3:] if value.startswith("kb:") else value
    row = conn.execute(select(E.c.id).where(E.c.kb_id == kb)).first()
    if row is not None:
        return _follow(conn, row.id) or row.id
    key = name_key(value)
    row = conn.execute(select(E.c.id).where(E.c.name_key == key, E.c.merged_into_id.is_(None))
                       .order_by(E.c.doc_count.desc(), E.c.id).limit(1)).first()
    if row is not None:
        return row.id
    row = conn.execute(select(EA.c.entity_id).where(EA.c.alias_key == key).group_by(EA.c.entity_id)
                       .order_by(func.sum(EA.c.count).desc(), EA.c.entity_id).limit(1)).first()
    if row is not None:
        return _follow(conn, row.entity_id) or row.entity_id
    if fuzzy is not None:
        hits = fuzzy(value, 1)
        if hits and hits[0]["score"] >= 85:
            return hits[0]["id"]
    raise EntityNotFound(f"no entity named {value!r}")


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]):
    return namedtuple("Row", columns, rename=True)


def _rows(conn: Connection, query: str, params: dict | None = None) -> list:
    """Plain SQL through the DB-API cursor (reads on hot paths skip statement construction)."""
    sql = Sql.of(conn)
    cur = sql.run(query, params)
    kind = _row_type(tuple(d[0] for d in cur.description))
    return [kind(*r) for r in cur.fetchall()]


def _in(conn: Connection, column: str, name: str, values, params: dict) -> str:
    return Sql.of(conn).inlist(column, name, values, params)


def entity_summary(conn: Connection, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    params: dict = {}
    rows = _rows(conn, "SELECT id, name, type, kind, country, kb_id, doc_count FROM entities WHERE "
                 + _in(conn, "id", "i", sorted(set(ids)), params), params)
    return {r.id: {"id": r.id, "name": r.name, "type": r.type, "kind": r.kind, "country": r.country,
                   "kb_id": r.kb_id, "documents": r.doc_count} for r in rows}


def _doc_ref(row: Any) -> dict:
    return {"document_id": row.document_id, "doc_id": row.doc_id, "title": row.title, "outlet": row.outlet,
            "published": row.published, "story_id": row.story_id}


def _events_of(conn: Connection, event_ids: list[int]) -> list[dict]:
    """Events with their document and parties, in the order given."""
    if not event_ids:
        return []
    params: dict = {}
    cond = _in(conn, "ev.id", "e", event_ids, params)
    rows = _rows(conn,
                 'SELECT ev.id, ev.document_id, ev.cluster_id, ev.type, ev.mode, ev.status, ev.date, ev.date_start,'
                 ' ev.date_end, ev.date_precision, ev.date_from, ev.location, ev.start, ev."end" AS end_,'
                 ' ev.evidence, d.doc_id, d.title, d.outlet, d.published, d.story_id'
                 f" FROM events ev JOIN documents d ON d.id = ev.document_id WHERE {cond}", params)
    parties: dict[int, dict[str, list]] = defaultdict(lambda: {"actor": [], "recipient": []})
    params = {}
    cond = _in(conn, "p.event_id", "e", event_ids, params)
    for p in _rows(conn, "SELECT p.event_id, p.side, p.entity_id, p.name, p.country, e.name AS canonical"
                   f" FROM event_parties p JOIN entities e ON e.id = p.entity_id WHERE {cond} ORDER BY p.id",
                   params):
        parties[p.event_id][p.side].append({"entity_id": p.entity_id, "name": p.canonical, "as_written": p.name,
                                            "country": p.country})
    by_id = {}
    for r in rows:
        by_id[r.id] = {
            "event_id": r.id, "cluster_id": r.cluster_id, "type": r.type, "mode": r.mode, "status": r.status,
            "date": r.date or (r.published if r.date_from == "published" else None),
            "date_from": r.date_from, "date_start": _iso(r.date_start), "date_end": _iso(r.date_end),
            "location": r.location, "actors": parties[r.id]["actor"], "recipients": parties[r.id]["recipient"],
            "evidence": {"start": r.start, "end": r.end_, "text": r.evidence}, "document": _doc_ref(r),
        }
    return [by_id[i] for i in event_ids if i in by_id]


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def entity_profile(conn: Connection, eid: int, *, limit: int = 25) -> dict:
    ent = entity_summary(conn, [eid])[eid]
    profile: dict[str, Any] = dict(ent)
    p = {"e": eid, "n": limit}
    profile["keys"] = [r.key for r in _rows(conn, "SELECT key FROM entity_keys WHERE entity_id = :e ORDER BY key", p)]
    profile["aliases"] = [{"alias": r.alias, "documents": r.count} for r in _rows(
        conn, "SELECT alias, count FROM entity_aliases WHERE entity_id = :e ORDER BY count DESC, alias LIMIT 100", p)]

    # roles over time: grouped by title and body
    roles: dict[tuple, dict] = {}
    for r in _rows(conn, 'SELECT r.title, r.title_key, r.of_id, r.of_name, r.date, r.start, r."end" AS end_,'
                   " r.evidence, r.document_id, d.doc_id, d.published, d.story_id FROM roles r"
                   " JOIN documents d ON d.id = r.document_id WHERE r.person_id = :e"
                   " ORDER BY r.date_start, r.id LIMIT 2000", p):
        g = roles.setdefault((r.title_key, r.of_id), {
            "title": r.title, "of": r.of_name, "of_id": r.of_id, "first": r.date, "last": r.date,
            "documents": 0, "independent_sources": set(), "evidence": []})
        g["documents"] += 1
        g["independent_sources"].add(r.story_id)
        if r.date and (g["first"] is None or r.date < g["first"]):
            g["first"] = r.date
        if r.date and (g["last"] is None or r.date > g["last"]):
            g["last"] = r.date
        if len(g["evidence"]) < 5:
            g["evidence"].append({"doc_id": r.doc_id, "document_id": r.document_id, "published": r.published,
                                  "start": r.start, "end": r.end_, "text": r.evidence})
    of_names = entity_summary(conn, [k[1] for k in roles if k[1]])
    for (_, of_id), g in roles.items():
        g["independent_sources"] = len(g["independent_sources"])
        if of_id in of_names:
            g["of"] = of_names[of_id]["name"]
    profile["roles"] = sorted(roles.values(), key=lambda g: (g["first"] or "", g["title"]))

    # events as actor and as recipient: counts by type, then the latest
    events: dict[str, Any] = {}
    for side in ("actor", "recipient"):
        q = {"e": eid, "s": side, "n": limit}
        counts = {r.type: r.n for r in _rows(
            conn, "SELECT type, count(*) AS n FROM event_parties WHERE entity_id = :e AND side = :s GROUP BY type", q)}
        ids = list(dict.fromkeys(r.event_id for r in _rows(
            conn, "SELECT event_id FROM event_parties WHERE entity_id = :e AND side = :s"
                  " ORDER BY date_start DESC, event_id DESC LIMIT :n", q)))
        events[f"as_{side}"] = {"total": sum(counts.values()), "by_type": dict(sorted(counts.items())),
                                "latest": _events_of(conn, ids)}
    profile["events"] = events

    # quotes by and about
    cols = ('q.id, q.speaker_id, q.speaker_name, q.text, q.direct, q.start, q."end" AS end_, q.document_id,'
            " d.doc_id, d.title, d.outlet, d.published, d.story_id")

    def quote(r) -> dict:
        return {"quote_id": r.id, "speaker_id": r.speaker_id, "speaker": r.speaker_name, "text": r.text,
                "direct": bool(r.direct), "start": r.start, "end": r.end_, "document": _doc_ref(r)}

    by_total = _rows(conn, "SELECT count(*) AS n FROM quotes WHERE speaker_id = :e", p)[0].n
    by = [quote(r) for r in _rows(conn, f"SELECT {cols} FROM quotes q JOIN documents d ON d.id = q.document_id"
                                        " WHERE q.speaker_id = :e ORDER BY q.id DESC LIMIT :n", p)]
    about_total = _rows(conn, "SELECT count(*) AS n FROM quote_mentions WHERE entity_id = :e", p)[0].n
    about = [quote(r) for r in _rows(
        conn, f"SELECT {cols} FROM quote_mentions m JOIN quotes q ON q.id = m.quote_id"
              " JOIN documents d ON d.id = q.document_id WHERE m.entity_id = :e ORDER BY m.quote_id DESC LIMIT :n",
        p)]
    profile["quotes"] = {"by": {"total": by_total, "latest": by}, "about": {"total": about_total, "latest": about}}

    profile["narratives"] = [{"narrative": r.narrative_id, "documents": r.doc_count} for r in _rows(
        conn, "SELECT narrative_id, doc_count FROM entity_narratives WHERE entity_id = :e"
              " ORDER BY doc_count DESC, narrative_id", p)]

    neighbours = _rows(conn, "SELECT n.b, n.doc_count, n.story_count, e.name, e.type FROM entity_edges n"
                             " JOIN entities e ON e.id = n.b WHERE n.a = :e ORDER BY n.doc_count DESC, n.b LIMIT :n", p)
    profile["neighbours"] = [{"id": n.b, "name": n.name, "type": n.type, "documents": n.doc_count,
                              "independent_sources": n.story_count} for n in neighbours]
    return profile


# --------------------------------------------------------------------------- timeline


def timeline(conn: Connection, *, entity: int | None = None, start: str | None = None, end: str | None = None,
             type: str | None = None, limit: int = 100) -> list[dict]:
    """Event clusters in date order: one entry per occurrence, with its reports and independent sources."""
    lo = date_interval(start)[0] if start else None
    hi = date_interval(end)[1] if end else None
    params: dict[str, Any] = {"n": limit}
    if entity is not None:
        table, idcol, where = "event_parties", "event_id", ["entity_id = :e"]
        params["e"] = entity
    else:
        table, idcol, where = "events", "id", []
    where.append("date_start IS NOT NULL")
    if type:
        where.append("type = :t")
        params["t"] = type.upper()
    if lo:
        where.append("date_start >= :lo")
        params["lo"] = lo.isoformat()
    if hi:
        where.append("date_start <= :hi")
        params["hi"] = hi.isoformat()
    order = "date_start, {0}" if lo is not None else "date_start DESC, {0} DESC"
    rows = _rows(conn, f"SELECT {idcol} AS id FROM {table} WHERE {' AND '.join(where)}"
                       f" ORDER BY {order.format(idcol)} LIMIT :n", params)
    seed = list(dict.fromkeys(r.id for r in rows))
    if not seed:
        return []
    params = {}
    clusters = sorted({r.cluster_id for r in _rows(conn, "SELECT cluster_id FROM events WHERE "
                                                   + _in(conn, "id", "e", seed, params), params)} - {None})
    params = {}
    members = [r.id for r in _rows(conn, "SELECT id FROM events WHERE " + _in(conn, "cluster_id", "c", clusters, params)
                                   + " ORDER BY date_start, id", params)] if clusters else []
    entries = cluster_entries(_events_of(conn, members))
    return sorted(entries, key=lambda c: (c["date_start"] or "", c["cluster_id"]))


def cluster_entries(events: list[dict]) -> list[dict]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for ev in events:
        grouped[ev["cluster_id"]].append(ev)
    out = []
    for cid, evs in grouped.items():
        actors: dict[int, str] = {}
        recipients: dict[int, str] = {}
        for ev in evs:
            actors.update((p["entity_id"], p["name"]) for p in ev["actors"])
            recipients.update((p["entity_id"], p["name"]) for p in ev["recipients"])
        text_dates = sorted({ev["date"] for ev in evs if ev["date_from"] == "text" and ev["date"]})
        starts = [ev["date_start"] for ev in evs if ev["date_start"]]
        ends = [ev["date_end"] for ev in evs if ev["date_end"]]
        out.append({
            "cluster_id": cid, "type": evs[0]["type"],
            "date": text_dates[0] if len(text_dates) == 1 else (text_dates or [evs[0]["date"]])[0],
            "dates": text_dates, "date_start": min(starts) if starts else None, "date_end": max(ends) if ends else None,
            "actors": [{"entity_id": k, "name": v} for k, v in actors.items()],
            "recipients": [{"entity_id": k, "name": v} for k, v in recipients.items()],
            "statuses": sorted({ev["status"] for ev in evs}),
            "reports": len(evs), "documents": len({ev["document"]["document_id"] for ev in evs}),
            "independent_sources": len({ev["document"]["story_id"] for ev in evs}),
            "sources": [{**ev["document"], "date": ev["date"], "evidence": ev["evidence"], "event_id": ev["event_id"]}
                        for ev in evs],
        })
    return out


# --------------------------------------------------------------------------- narratives and stats


def narrative_trends(conn: Connection, by: str = "month") -> list[dict]:
    if by not in ("month", "outlet"):
        raise ValueError("by must be 'month' or 'outlet'")
    group = func.substr(D.c.published, 1, 7) if by == "month" else func.coalesce(D.c.outlet, "(unknown)")
    rows = conn.execute(
        select(group.label("g"), DN.c.narrative_id, func.count().label("n"),
               func.count(distinct(D.c.story_id)).label("stories"))
        .join(D, D.c.id == DN.c.document_id).where(D.c.is_current.is_(True))
        .group_by(group, DN.c.narrative_id).order_by(group, DN.c.narrative_id))
    key = "period" if by == "month" else "outlet"
    return [{key: r.g, "narrative": r.narrative_id, "documents": r.n, "independent_sources": r.stories}
            for r in rows]


def stats(conn: Connection) -> dict[str, Any]:
    def count(q) -> int:
        return int(conn.execute(q).scalar_one() or 0)

    cur = D.c.is_current.is_(True)
    out = {
        "documents": count(select(func.count()).select_from(D).where(cur)),
        "versions": count(select(func.count()).select_from(D)),
        "stories": count(select(func.count(distinct(D.c.story_id))).where(cur)),
        "raw_inputs": count(select(func.count()).select_from(RAW)),
        "entities": count(select(func.count()).select_from(E).where(E.c.merged_into_id.is_(None),
                                                                      E.c.doc_count > 0)),
        "mentions": count(select(func.count()).select_from(M)),
        "roles": count(select(func.count()).select_from(R)),
        "events": count(select(func.count()).select_from(EV)),
        "event_clusters": count(select(func.count()).select_from(EC)),
        "corroborated_clusters": count(select(func.count()).select_from(
            select(EV.c.cluster_id).join(D, D.c.id == EV.c.document_id).group_by(EV.c.cluster_id)
            .having(func.count(distinct(D.c.story_id)) > 1).subquery())),
        "quotes": count(select(func.count()).select_from(Q)),
        "narratives": count(select(func.count()).select_from(DN)),
        "signals": count(select(func.count()).select_from(S)),
        "near_duplicate_links": count(select(func.count()).select_from(ND)),
        "judgements": count(select(func.count()).select_from(J)),
        "edges": count(select(func.count()).select_from(EE).where(EE.c.a < EE.c.b)),
    }
    out["database_bytes"] = database_size(conn)
    return out


def database_size(conn: Connection) -> int | None:
    try:
        if conn.dialect.name == "sqlite":
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
            return int(pages) * int(size)
        if conn.dialect.name == "postgresql":
            return int(conn.exec_driver_sql(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')").scalar_one())
    except Exception:  # size is informative only
        return None
    return None


# --------------------------------------------------------------------------- full-text search


def fts5_query(query: str) -> str | None:
    """A web-search style query (``"exact phrase"``, ``OR``, ``-excluded``) as an FTS5 expression."""
    positives: list[str] = []
    negatives: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        if word and word.upper() == "OR":
            if positives and positives[-1] != "OR":
                positives.append("OR")
            continue
        negate = bool(word) and word.startswith("-") and len(word) > 1
        body = phrase if phrase else (word[1:] if negate else word)
        tokens = re.findall(r"\w+", body)
        if not tokens:
            continue
        term = '"' + " ".join(tokens) + '"'
        (negatives if negate else positives).append(term)
    while positives and positives[-1] == "OR":
        positives.pop()
    if not positives:
        return None
    expr = " ".join(positives)
    for n in negatives:
        expr = f"({expr}) NOT {n}"
    return expr


PG_DOC_TSV = "documents.search_tsv"  # stored generated columns (migration 0002)
PG_QUOTE_TSV = "quotes.search_tsv"


def search_text(conn: Connection, query: str, *, limit: int = 20, include_old: bool = False) -> list[dict]:
    """Documents and quotes matching ``query``, best first (documents, then quotes)."""
    if conn.dialect.name == "sqlite":
        return _search_sqlite(conn, query, limit, include_old)
    return _search_pg(conn, query, limit, include_old)


def _search_sqlite(conn: Connection, query: str, limit: int, include_old: bool) -> list[dict]:
    expr = fts5_query(query)
    if expr is None:
        return []
    current = "" if include_old else "AND d.is_current = 1"
    docs = conn.execute(text(
        "SELECT d.id, d.doc_id, d.title, d.outlet, d.published, d.story_id, d.is_current,"
        " snippet(documents_fts, 1, '[', ']', '…', 16) AS snippet, bm25(documents_fts) AS score"
        " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
        f" WHERE documents_fts MATCH :q {current} ORDER BY score LIMIT :n"), {"q": expr, "n": limit}).all()
    quotes = conn.execute(text(
        "SELECT q.id AS quote_id, q.speaker_name, q.text AS quote, d.id, d.doc_id, d.title, d.outlet, d.published,"
        " d.story_id, d.is_current, snippet(quotes_fts, 0, '[', ']', '…', 16) AS snippet, bm25(quotes_fts) AS score"
        " FROM quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid JOIN documents d ON d.id = q.document_id"
        " WHERE quotes_fts MATCH :q ORDER BY score LIMIT :n"), {"q": expr, "n": limit}).all()
    return _hits(docs, quotes, lambda s: -float(s))


def _search_pg(conn: Connection, query: str, limit: int, include_old: bool) -> list[dict]:
    current = "" if include_old else "AND documents.is_current"
    docs = conn.execute(text(
        "WITH q AS (SELECT websearch_to_tsquery('english'::regconfig, :q) AS tsq),"
        f" hits AS (SELECT documents.id, ts_rank({PG_DOC_TSV}, q.tsq) AS score FROM documents, q"
        f"  WHERE {PG_DOC_TSV} @@ q.tsq {current} ORDER BY score DESC LIMIT :n)"
        " SELECT d.id, d.doc_id, d.title, d.outlet, d.published, d.story_id, d.is_current, hits.score,"
        " ts_headline('english'::regconfig, d.text, q.tsq, 'StartSel=[,StopSel=],MaxWords=24,MinWords=8') AS snippet"
        " FROM hits JOIN documents d ON d.id = hits.id, q ORDER BY hits.score DESC"), {"q": query, "n": limit}).all()
    quotes = conn.execute(text(
        "WITH q AS (SELECT websearch_to_tsquery('english'::regconfig, :q) AS tsq)"
        " SELECT quotes.id AS quote_id, quotes.speaker_name, quotes.text AS quote, d.id, d.doc_id, d.title,"
        f" d.outlet, d.published, d.story_id, d.is_current, ts_rank({PG_QUOTE_TSV}, q.tsq) AS score,"
        " ts_headline('english'::regconfig, quotes.text, q.tsq, 'StartSel=[,StopSel=]') AS snippet"
        f" FROM quotes JOIN documents d ON d.id = quotes.document_id, q WHERE {PG_QUOTE_TSV} @@ q.tsq"
        " ORDER BY score DESC LIMIT :n"), {"q": query, "n": limit}).all()
    return _hits(docs, quotes, float)


def _hits(docs, quotes, score) -> list[dict]:
    out = []
    for r in docs:
        out.append({"kind": "document", "document_id": r.id, "doc_id": r.doc_id, "title": r.title,
                    "outlet": r.outlet, "published": r.published, "story_id": r.story_id,
                    "current": bool(r.is_current), "snippet": r.snippet, "score": round(score(r.score), 6)})
    for r in quotes:
        out.append({"kind": "quote", "quote_id": r.quote_id, "speaker": r.speaker_name, "text": r.quote,
                    "document_id": r.id, "doc_id": r.doc_id, "title": r.title, "outlet": r.outlet,
                    "published": r.published, "story_id": r.story_id, "current": bool(r.is_current),
                    "snippet": r.snippet, "score": round(score(r.score), 6)})
    return out

