"""Entities: list, search, profile, ties (neighbours with evidence), and analyst merges and splits."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

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
    WriteAccess,
    check_dates,
    check_statuses,
    check_types,
)
from newsgraph.api.errors import ERROR_RESPONSES, ApiError, ErrorBody, not_found
from newsgraph.api.models import (
    EntityHit,
    EntityProfile,
    EntityRef,
    MergeRequest,
    NeighborOut,
    SplitRequest,
    TieEvidence,
)
from newsgraph.api.pagination import Page
from newsgraph.graph import edge_evidence
from newsgraph.store import EntityNotFound

router = APIRouter(prefix="/entities", tags=["entities"], responses=ERROR_RESPONSES)

TieKind = Literal["event", "role", "comention"]


def _entity(store, eid: int) -> dict:
    """The entity (following merges) or a 404."""
    try:
        return store.entity(eid)
    except EntityNotFound:
        raise not_found(f"no entity {eid}") from None


@router.get("", response_model=Page[EntityRef], summary="List entities, most documents first")
def list_entities(
    store: StoreDep,
    type: Annotated[Literal["PERSON", "ORG", "GPE", "LOC", "OTHER"] | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=32, description="state, pmc, military, media, ...")] = None,
    country: Country = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    scope = pagination.scope("entities", dict(type=type, kind=kind, country=country))
    after = pagination.decode(cursor, scope)
    if after is not None and (not isinstance(after, list) or len(after) != 2):
        raise ApiError(400, "invalid cursor", "invalid_cursor")
    with store.connect() as conn:
        items, nxt = reads.list_entities(conn, type=type, kind=kind, country=country, after=after, limit=limit)
    return {"items": items, "next_cursor": pagination.encode(nxt, scope) if nxt else None}


@router.get("/search", response_model=list[EntityHit], summary="Entities by name (fuzzy, aliases included)")
def search_entities(store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=200)],
                    limit: Annotated[int, Query(ge=1, le=100)] = 10):
    if not q.strip():
        raise ApiError(422, "q: give a name to search for", "invalid_request")
    return store.search_entities(q, limit=limit)


@router.get("/lookup", response_model=EntityRef, summary="The entity a name, alias or KB id stands for")
def lookup(store: StoreDep, name: Annotated[str, Query(min_length=1, max_length=300)]):
    try:
        return store.entity(name)
    except EntityNotFound as exc:
        raise not_found(str(exc)) from None


@router.get("/{entity_id}", response_model=EntityProfile, summary="Entity profile")
def profile(entity_id: int, store: StoreDep, request: Request,
            limit: Annotated[int, Query(ge=1, le=200, description="Items per list")] = 25):
    """Aliases, kind, roles over time, events as actor and recipient, quotes by and about,
    narratives of the documents that mention it, co-mentioned neighbours."""
    try:
        data = store.entity_profile(entity_id, limit=limit)
    except EntityNotFound:
        raise not_found(f"no entity {entity_id}") from None
    names = request.app.state.narratives
    for n in data["narratives"]:
        n["name"] = names.get(n["narrative"], {}).get("name", n["narrative"])
    return data


@router.get("/{entity_id}/neighbors", response_model=Page[NeighborOut], summary="Ties of an entity")
def neighbors(
    entity_id: int,
    store: StoreDep,
    kind: Annotated[list[TieKind] | None, Query(description="Tie kinds (repeatable); default event and role")] = None,
    country: Country = None,
    types: EventTypes = None,
    statuses: Statuses = None,
    start: DateFrom = None,
    end: DateTo = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    """Entities linked to this one, strongest first: events between them (by type and direction),
    offices, and, when asked, co-mentions; each with its documents and independent sources.
    ``country`` keeps neighbours of that country (``BFA``: its partners in Burkina Faso)."""
    check_dates(start, end)
    types = check_types(types)
    statuses = check_statuses(statuses)
    kinds = tuple(kind or ("event", "role"))
    eid = _entity(store, entity_id)["id"]
    scope = pagination.scope("neighbors", dict(e=eid, kinds=kinds, country=country, types=types,
                                               statuses=statuses, start=start, end=end))
    with store.connect() as conn:
        found = reads.ties(conn, eid, kinds=kinds, types=types, start=start, end=end, country=country,
                           statuses=statuses)
    items, nxt = pagination.offset_page(found, cursor, limit, scope)
    return {"items": items, "next_cursor": nxt}


@router.get("/{entity_id}/evidence/{other_id}", response_model=TieEvidence, summary="Evidence of a tie")
def evidence(entity_id: int, other_id: int, store: StoreDep, types: EventTypes = None, start: DateFrom = None,
             end: DateTo = None, limit: Annotated[int, Query(ge=1, le=500)] = 100):
    """The events linking the two entities (with their sentences and documents), the offices
    one holds in the other, and the documents that name both (with the spans of each)."""
    check_dates(start, end)
    types = check_types(types)
    a = _entity(store, entity_id)
    b = _entity(store, other_id)
    with store.connect() as conn:
        found = reads.tie_evidence(conn, a["id"], b["id"], types=types, start=start, end=end, limit=limit)
    comentions = edge_evidence(store, a["id"], b["id"], limit=limit) if not types else []
    return {"a": a, "b": b, **found, "comentions": comentions}


_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}}


@router.post("/merge", response_model=EntityRef, dependencies=[WriteAccess], responses=_WRITE_ERRORS,
             summary="Merge one entity into another (needs the bearer token)")
def merge(body: MergeRequest, store: StoreDep):
    """Kept as an analyst judgement: documents stored later follow it."""
    try:
        keep = store.merge_entities(body.keep, body.merge, note=body.note)
    except EntityNotFound as exc:
        raise not_found(str(exc)) from None
    return store.entity(keep)


@router.post("/split", response_model=EntityRef, dependencies=[WriteAccess], responses=_WRITE_ERRORS,
             summary="Split names off an entity into a new one (needs the bearer token)")
def split(body: SplitRequest, store: StoreDep):
    try:
        new = store.split_entity(body.entity, body.names, note=body.note, new_name=body.new_name)
    except EntityNotFound as exc:
        raise not_found(str(exc)) from None
    except ValueError as exc:
        raise ApiError(422, str(exc), "invalid_request") from None
    return store.entity(new)
