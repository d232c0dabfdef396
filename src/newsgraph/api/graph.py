"""The network: entities and the event (and office) edges between them; the countries to filter by."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from newsgraph.api import reads
from newsgraph.api.deps import (
    DateFrom,
    DateTo,
    EventTypes,
    Statuses,
    StoreDep,
    check_dates,
    check_statuses,
    check_types,
)
from newsgraph.api.errors import ERROR_RESPONSES, ApiError, not_found
from newsgraph.api.models import CountryOut, CountryPair, Network
from newsgraph.store import EntityNotFound

router = APIRouter(tags=["graph"], responses=ERROR_RESPONSES)


@router.get("/graph", response_model=Network, summary="Entity network of events")
def graph(
    store: StoreDep,
    types: EventTypes = None,
    statuses: Statuses = None,
    start: DateFrom = None,
    end: DateTo = None,
    country: Annotated[list[str] | None, Query(
        max_length=50, description="Edges touching an entity of these countries (ISO alpha-3, repeatable)")] = None,
    with_country: Annotated[list[str] | None, Query(max_length=50, description="With `country`: only edges from "
                                                    "such an entity to one of these countries")] = None,
    entity: Annotated[int | None, Query(description="Only events this entity (id) takes part in")] = None,
    roles: Annotated[bool, Query(description="Add office edges (person -> body)")] = False,
    min_sources: Annotated[int, Query(ge=1, le=1000, description="Edges with at least this many independent "
                                                                 "sources")] = 1,
    limit: Annotated[int, Query(ge=1, le=5000, description="Strongest edges kept")] = 300,
):
    """Nodes are entities; an edge is one event type between two entities (actor -> recipient, or
    undirected for parties acting together), with its documents and independent sources (edge
    width) and the dates it spans. Evidence: ``/entities/{source}/evidence/{target}?type=TYPE``."""
    check_dates(start, end)
    types, statuses = check_types(types), check_statuses(statuses)
    for values in (country, with_country):
        for c in values or []:
            if not c.isalpha() or len(c) != 3:
                raise ApiError(422, f"country: {c!r} is not an ISO 3166-1 alpha-3 code", "invalid_request")
    if entity is not None:
        try:
            entity = store.find_entity(entity)
        except EntityNotFound:
            raise not_found(f"no entity {entity}") from None
    with store.connect() as conn:
        return reads.network(conn, types=types, statuses=statuses, start=start, end=end, countries=country,
                             with_countries=with_country, entity=entity, min_sources=min_sources, roles=roles,
                             limit=limit)


@router.get("/countries", response_model=list[CountryOut], summary="Countries of the stored entities")
def countries(store: StoreDep):
    with store.connect() as conn:
        return reads.countries(conn)


@router.get("/countries/pairs", response_model=list[CountryPair],
            summary="Pairs of countries whose entities are linked by events")
def country_pairs(store: StoreDep, limit: Annotated[int, Query(ge=1, le=100)] = 10):
    with store.connect() as conn:
        return reads.country_pairs(conn, limit=limit)
