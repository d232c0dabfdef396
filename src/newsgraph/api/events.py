"""Events: filtered lists, the timeline of occurrences, corroboration clusters, contradictions."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from newsgraph.api import pagination, reads
from newsgraph.api.deps import (
    Country,
    Cursor,
    DateFrom,
    DateTo,
    EventTypes,
    Limit,
    Statuses,
    StoreDep,
    check_dates,
    check_statuses,
    check_types,
)
from newsgraph.api.errors import ERROR_RESPONSES, ApiError, not_found
from newsgraph.api.models import ClusterOut, Contradiction, EventOut
from newsgraph.api.pagination import Page
from newsgraph.store import EntityNotFound
from newsgraph.store.queries import entity_summary

router = APIRouter(tags=["events"], responses=ERROR_RESPONSES)


@router.get("/events", response_model=Page[EventOut], summary="Events, latest first")
def list_events(
    store: StoreDep,
    types: EventTypes = None,
    statuses: Statuses = None,
    party: Annotated[int | None, Query(description="Entity id taking part")] = None,
    side: Annotated[Literal["actor", "recipient"] | None, Query(description="The party's side")] = None,
    country: Country = None,
    start: DateFrom = None,
    end: DateTo = None,
    document: Annotated[int | None, Query(description="Document id")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    """Each event as one document reports it, with its parties, date, status and evidence sentence.
    ``country`` keeps events with a party of that country."""
    check_dates(start, end)
    types, statuses = check_types(types), check_statuses(statuses)
    if party is not None:
        try:
            party = store.find_entity(party)
        except EntityNotFound:
            raise not_found(f"no entity {party}") from None
    scope = pagination.scope("events", dict(types=types, statuses=statuses, party=party, side=side,
                                            country=country, start=start, end=end, document=document))
    after = pagination.decode(cursor, scope)
    if after is not None:
        try:
            dt.date.fromisoformat(after[0])
            int(after[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise ApiError(400, "invalid cursor", "invalid_cursor") from None
    with store.connect() as conn:
        items, nxt = reads.list_events(conn, types=types, statuses=statuses, start=start, end=end, party=party,
                                       side=side, country=country, document=document, after=after, limit=limit)
    return {"items": items, "next_cursor": pagination.encode(nxt, scope) if nxt else None}


@router.get("/timeline", response_model=list[ClusterOut], summary="Occurrences in date order")
def timeline(
    store: StoreDep,
    entity: Annotated[int | None, Query(description="Only occurrences this entity (id) takes part in")] = None,
    types: EventTypes = None,
    statuses: Statuses = None,
    country: Country = None,
    start: DateFrom = None,
    end: DateTo = None,
    limit: Annotated[int, Query(ge=1, le=2000, description="Events to start from (their occurrences are shown)")] = 300,
):
    """One entry per occurrence (events of several documents clustered), with its reports and
    independent sources. Without ``from``, the latest events are the starting point."""
    check_dates(start, end)
    types, statuses = check_types(types), check_statuses(statuses)
    entries: list[dict] = []
    wanted: list[str | None] = list(types) if types else [None]
    try:
        for t in wanted:
            entries += store.timeline(entity, start, end, t, limit=limit)
    except EntityNotFound:
        raise not_found(f"no entity {entity}") from None
    if statuses:
        entries = [c for c in entries if set(c["statuses"]) & set(statuses)]
    if country:
        ids = sorted({p["entity_id"] for c in entries for p in c["actors"] + c["recipients"]})
        with store.connect() as conn:
            where = {i: e.get("country") for chunk in reads._chunks(ids)
                     for i, e in entity_summary(conn, chunk).items()}
        entries = [c for c in entries if any(where.get(p["entity_id"]) == country.upper()
                                             for p in c["actors"] + c["recipients"])]
    seen: set = set()
    unique = []
    for c in sorted(entries, key=lambda c: (c["date_start"] or "", c["cluster_id"] or 0)):
        if c["cluster_id"] not in seen:
            seen.add(c["cluster_id"])
            unique.append(c)
    return unique


@router.get("/clusters", response_model=Page[ClusterOut], summary="Corroboration clusters")
def clusters(
    store: StoreDep,
    min_sources: Annotated[int, Query(ge=1, le=1000, description="At least this many independent sources")] = 2,
    type: Annotated[str | None, Query(description="PLOVER event type")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    """Occurrences reported by several documents, most independent sources first
    (near-duplicate documents count once)."""
    t = check_types([type] if type else None)
    scope = pagination.scope("clusters", dict(min_sources=min_sources, type=t))
    start = pagination.decode(cursor, scope) or 0
    if not isinstance(start, int) or start < 0:
        raise ApiError(400, "invalid cursor", "invalid_cursor")
    found = store.event_clusters(min_sources=min_sources, type=t[0] if t else None, limit=start + limit + 1)
    items = found[start:start + limit]
    more = len(found) > start + limit
    return {"items": items, "next_cursor": pagination.encode(start + limit, scope) if more else None}


@router.get("/contradictions", response_model=Page[Contradiction], summary="Contradictions across documents")
def contradictions(
    store: StoreDep,
    kind: Annotated[Literal["role_title", "office_holder", "event_date", "kb_conflict"] | None, Query()] = None,
    window: Annotated[int, Query(ge=0, le=3650, description="Days apart that roles still count as the same date")] = 0,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    """Conflicting roles, offices held by two people at once, conflicting dates of one occurrence,
    statements against the knowledge base; each with the claims and their sources."""
    scope = pagination.scope("contradictions", dict(kind=kind, window=window))
    found = store.contradictions(role_window_days=window, kinds=(kind,) if kind else None)
    items, nxt = pagination.offset_page(found, cursor, limit, scope)
    return {"items": items, "next_cursor": nxt}
