"""Event clustering across documents: the same occurrence reported by several documents.

Events are clustered as they are stored (``newsgraph.store.writer``): same
PLOVER type, same status class, overlapping parties (entities, or the states
they act for) and dates within a window (7 days by default, at day precision;
an undated event takes its document's publication date). A cluster with
several independent sources (near-duplicates count once) is corroborated.
``recluster`` rebuilds all clusters in date order, e.g. after merges.
"""
from __future__ import annotations

from sqlalchemy import distinct, func, select, update

from newsgraph.store.queries import _events_of, cluster_entries
from newsgraph.store.writer import EC, EP, EV, D, Settings, Sql, _assign_cluster


def event_clusters(store, *, min_sources: int = 1, type: str | None = None, limit: int | None = None) -> list[dict]:
    """Clusters with at least ``min_sources`` independent sources, most corroborated first."""
    with store.engine.connect() as conn:
        q = (select(EV.c.cluster_id, func.count(distinct(D.c.story_id)).label("n"))
             .join(D, D.c.id == EV.c.document_id).where(EV.c.cluster_id.is_not(None))
             .group_by(EV.c.cluster_id).having(func.count(distinct(D.c.story_id)) >= min_sources)
             .order_by(func.count(distinct(D.c.story_id)).desc(), EV.c.cluster_id))
        if type:
            q = q.where(EV.c.type == type.upper())
        if limit:
            q = q.limit(limit)
        ids = [r.cluster_id for r in conn.execute(q)]
        if not ids:
            return []
        members = [r[0] for r in conn.execute(select(EV.c.id).where(EV.c.cluster_id.in_(ids))
                                              .order_by(EV.c.date_start, EV.c.id))]
        entries = {e["cluster_id"]: e for e in cluster_entries(_events_of(conn, members))}
        return [entries[i] for i in ids if i in entries]


def recluster(store) -> int:
    """Rebuild every event cluster from scratch, in date order; returns the number of clusters."""
    settings: Settings = store.settings
    from newsgraph.store.db import writer

    with writer(store.engine) as conn, conn.begin():
        conn.execute(update(EV).values(cluster_id=None))
        conn.execute(EC.delete())
        events = conn.execute(select(EV.c.id, EV.c.document_id, EV.c.type, EV.c.status, EV.c.date_start,
                                     EV.c.date_end, EV.c.date_precision)
                              .order_by(EV.c.date_start, EV.c.id)).all()
        parties: dict[int, list[tuple]] = {}
        for p in conn.execute(select(EP.c.event_id, EP.c.side, EP.c.entity_id, EP.c.name, EP.c.country)):
            parties.setdefault(p.event_id, []).append((p.side, p.entity_id, p.name, p.country))
        by_doc: dict[int, set[int]] = {}
        for ev in events:
            when = (ev.date_start, ev.date_end, ev.date_precision) if ev.date_start else None
            here = by_doc.setdefault(ev.document_id, set())
            cluster = _assign_cluster(Sql.of(conn), ev.document_id, ev.type, ev.status, when, parties.get(ev.id, []),
                                      here, settings)
            here.add(cluster)
            conn.execute(update(EV).where(EV.c.id == ev.id).values(cluster_id=cluster))
        return conn.execute(select(func.count()).select_from(EC)).scalar_one()
