"""Analyst judgements: merge two entities, split names off an entity.

Like nomenklatura's positive and negative judgements, each decision is kept
as a row of ``judgements`` over stable resolution keys (``kb:<id>``,
``name:<TYPE>:<name key>``), and the keys' mapping to entities is changed
with it; documents stored later, or stored again, resolve through the keys
and so follow the decision.
"""
from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from newsgraph.store.queries import EntityNotFound
from newsgraph.store.util import entity_name_key, insert, kb_key, name_key
from newsgraph.store.writer import (
    DE,
    EA,
    EK,
    EP,
    EV,
    QM,
    D,
    E,
    J,
    M,
    Q,
    R,
    Sql,
    _aggregate_inputs,
    _bump_aliases,
    apply_aggregates,
)


def primary_key(conn: Connection, eid: int) -> str:
    row = conn.execute(select(E.c.kb_id, E.c.type, E.c.name).where(E.c.id == eid)).one()
    return kb_key(row.kb_id) if row.kb_id else entity_name_key(row.type, row.name)


def _docs_with(conn: Connection, eids: list[int]) -> list[int]:
    return sorted({r[0] for r in conn.execute(select(DE.c.document_id).where(DE.c.entity_id.in_(eids)))})


def _unapply(conn: Connection, docs: list[int]) -> dict[int, int]:
    """Take the documents' shares out of the aggregates (each one seeing only those not yet taken out)."""
    stories = {r.id: r.story_id for r in conn.execute(select(D.c.id, D.c.story_id).where(D.c.id.in_(docs)))}
    done: set[int] = set()
    for d in docs:
        ents, narrs = _aggregate_inputs(conn, d)
        apply_aggregates(conn, d, ents, stories[d], narrs, -1, exclude=done)
        done.add(d)
    return stories


def _reapply(conn: Connection, docs: list[int], stories: dict[int, int]) -> None:
    pending = set(docs)
    for d in docs:
        pending.discard(d)
        ents, narrs = _aggregate_inputs(conn, d)
        apply_aggregates(conn, d, ents, stories[d], narrs, +1, exclude=pending)


def merge(conn: Connection, keep: int, other: int, note: str | None = None) -> int:
    """Merge entity ``other`` into ``keep``; returns ``keep``."""
    if keep == other:
        return keep
    rows = {r.id: r for r in conn.execute(select(E).where(E.c.id.in_([keep, other])))}
    if len(rows) != 2:
        raise EntityNotFound("both entities must exist")
    a, b = rows[keep], rows[other]
    # two KB entries an analyst calls one: the kept entity keeps its KB id, the other's key maps to it
    conn.execute(J.insert().values(kind="merge", key_a=primary_key(conn, keep), key_b=primary_key(conn, other),
                                   note=note))
    docs = _docs_with(conn, [other])
    stories = _unapply(conn, docs)
    for table, col in ((DE, DE.c.entity_id), (M, M.c.entity_id), (EP, EP.c.entity_id), (R, R.c.person_id),
                       (R, R.c.of_id), (Q, Q.c.speaker_id), (EK, EK.c.entity_id)):
        conn.execute(update(table).where(col == other).values({col.name: keep}))
    both = select(QM.c.quote_id).where(QM.c.entity_id == keep).scalar_subquery()
    conn.execute(delete(QM).where(QM.c.entity_id == other, QM.c.quote_id.in_(both)))
    conn.execute(update(QM).where(QM.c.entity_id == other).values(entity_id=keep))
    aliases = conn.execute(select(EA.c.alias, EA.c.alias_key, EA.c.count).where(EA.c.entity_id == other)).all()
    if aliases:
        stmt = insert(conn, EA)
        conn.execute(stmt.on_conflict_do_update(index_elements=["entity_id", "alias"],
                                                set_={"count": EA.c.count + stmt.excluded.count}),
                     [{"entity_id": keep, "alias": r.alias, "alias_key": r.alias_key, "count": r.count}
                      for r in aliases])
        conn.execute(delete(EA).where(EA.c.entity_id == other))
    changes = {}
    if not a.kind and b.kind:
        changes["kind"] = b.kind
    if not a.country and b.country:
        changes["country"] = b.country
    kb_move = b.kb_id if (b.kb_id and not a.kb_id) else None
    conn.execute(update(E).where(E.c.id == other).values(merged_into_id=keep, kb_id=None))
    if kb_move:
        changes.update(kb_id=kb_move, name=b.name, name_key=name_key(b.name))
    if changes:
        conn.execute(update(E).where(E.c.id == keep).values(**changes))
    _reapply(conn, docs, stories)
    return keep


def split(conn: Connection, eid: int, names: list[str], note: str | None = None,
          new_name: str | None = None) -> int:
    """Move the record entities of ``eid`` named ``names`` to a new entity; returns its id."""
    keys = {name_key(n) for n in names}
    rows = [r for r in conn.execute(select(DE).where(DE.c.entity_id == eid)) if name_key(r.name) in keys]
    if not rows:
        raise EntityNotFound(f"entity {eid} has no mentions named {', '.join(names)}")
    ent = conn.execute(select(E).where(E.c.id == eid)).one()
    common = Counter(r.name for r in rows).most_common(1)[0][0]
    first = rows[0]
    name = new_name or common
    new = conn.execute(E.insert().values(
        name=name, name_key=name_key(name), type=first.type, kind=first.kind, country=first.country,
        kb_id=None, doc_count=0).returning(E.c.id)).scalar_one()
    moved_keys = sorted({r.key for r in rows})
    origin = primary_key(conn, eid)
    for k in moved_keys:
        if k != origin:
            conn.execute(J.insert().values(kind="split", key_a=origin, key_b=k, note=note))
    docs = sorted({r.document_id for r in rows})
    stories = _unapply(conn, docs)
    moved_ids = [r.id for r in rows]
    conn.execute(update(DE).where(DE.c.id.in_(moved_ids)).values(entity_id=new))
    conn.execute(update(M).where(M.c.doc_entity_id.in_(moved_ids)).values(entity_id=new))
    for table, col, name_col in ((EP, EP.c.entity_id, EP.c.name), (R, R.c.person_id, R.c.person_name),
                                 (R, R.c.of_id, R.c.of_name), (Q, Q.c.speaker_id, Q.c.speaker_name)):
        doc_filter = (table.c.event_id.in_(select(EV.c.id).where(EV.c.document_id.in_(docs))) if table is EP
                      else table.c.document_id.in_(docs))
        ids = [r.id for r in conn.execute(select(table.c.id, name_col).where(col == eid, doc_filter))
               if name_key(getattr(r, name_col.name) or "") in keys]
        if ids:
            conn.execute(update(table).where(table.c.id.in_(ids)).values({col.name: new}))
    _recompute_quote_mentions(conn, docs)
    # aliases follow the moved mentions
    for r in rows:
        forms = {r.name, *(r.aliases or [])}
        _bump_aliases(Sql.of(conn), {(eid, f) for f in forms}, -1)
        _bump_aliases(Sql.of(conn), {(new, f) for f in forms}, +1)
    for k in moved_keys:
        if k == origin:
            continue
        conn.execute(delete(EK).where(EK.c.key == k))
        conn.execute(EK.insert().values(key=k, entity_id=new))
    if ent.kb_id is None and name_key(ent.name) in keys:
        # the entity was named by what moved: rename it after its most common remaining name
        left = conn.execute(select(DE.c.name).where(DE.c.entity_id == eid)).all()
        if left:
            conn.execute(update(E).where(E.c.id == eid).values(
                name=Counter(r[0] for r in left).most_common(1)[0][0]))
    _reapply(conn, docs, stories)
    return new


def _recompute_quote_mentions(conn: Connection, docs: list[int]) -> None:
    quotes = conn.execute(select(Q.c.id, Q.c.document_id, Q.c.speaker_id, Q.c.start, Q.c.end, Q.c.text)
                          .where(Q.c.document_id.in_(docs))).all()
    if not quotes:
        return
    conn.execute(delete(QM).where(QM.c.quote_id.in_([q.id for q in quotes])))
    mentions = conn.execute(select(M.c.document_id, M.c.entity_id, M.c.start, M.c.end, M.c.text)
                            .where(M.c.document_id.in_(docs))).all()
    rows = set()
    for q in quotes:
        for m in mentions:
            if m.document_id != q.document_id or m.entity_id == q.speaker_id:
                continue
            if q.start is not None and q.end is not None:
                inside = m.start >= q.start and m.end <= q.end
            else:
                inside = bool(re.search(rf"(?<!\w){re.escape(m.text.casefold())}(?!\w)", q.text.casefold()))
            if inside:
                rows.add((q.id, m.entity_id))
    if rows:
        conn.execute(QM.insert(), [{"quote_id": a, "entity_id": b} for a, b in sorted(rows)])
