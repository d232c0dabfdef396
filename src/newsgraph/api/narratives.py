"""Narratives: the storylines detected, their trends by month and outlet, and the documents advancing them."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from newsgraph.api import pagination, reads
from newsgraph.api.deps import Cursor, Limit, StoreDep
from newsgraph.api.errors import ERROR_RESPONSES, ApiError, not_found
from newsgraph.api.models import NarrativeDef, NarrativeDocument, Trends
from newsgraph.api.pagination import Page

router = APIRouter(prefix="/narratives", tags=["narratives"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[NarrativeDef], summary="Narratives and how many documents advance each")
def list_narratives(store: StoreDep, request: Request):
    defs = request.app.state.narratives
    with store.connect() as conn:
        counts = reads.narrative_counts(conn)
    ids = list(defs) + sorted(set(counts) - set(defs))
    out = [{"id": i, "name": defs.get(i, {}).get("name", i), "description": defs.get(i, {}).get("description"),
            "documents": counts.get(i, (0, 0))[0], "independent_sources": counts.get(i, (0, 0))[1]} for i in ids]
    return sorted(out, key=lambda n: (-n["documents"], n["name"]))


@router.get("/trends", response_model=Trends, summary="Narrative trends by month or by outlet")
def trends(store: StoreDep, request: Request,
           by: Annotated[Literal["month", "outlet"], Query(description="Group by month or outlet")] = "month"):
    defs = request.app.state.narratives
    key = "period" if by == "month" else "outlet"
    rows = [{"group": r[key], "narrative": r["narrative"],
             "name": defs.get(r["narrative"], {}).get("name", r["narrative"]),
             "documents": r["documents"], "independent_sources": r["independent_sources"]}
            for r in store.narrative_trends(by)]
    return {"by": by, "rows": rows}


@router.get("/{narrative_id}/documents", response_model=Page[NarrativeDocument],
            summary="Documents advancing a narrative, with the evidence sentences")
def narrative_documents(
    narrative_id: str,
    store: StoreDep,
    request: Request,
    outlet: Annotated[str | None, Query(max_length=255)] = None,
    month: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    if len(narrative_id) > 128:
        raise not_found("no such narrative")
    scope = pagination.scope("narrative_documents", dict(n=narrative_id, outlet=outlet, month=month))
    after = pagination.decode(cursor, scope)
    if after is not None and (not isinstance(after, list) or len(after) != 2):
        raise ApiError(400, "invalid cursor", "invalid_cursor")
    with store.connect() as conn:
        items, nxt = reads.narrative_documents(conn, narrative_id, outlet=outlet, month=month, after=after,
                                               limit=limit)
    if not items and cursor is None and narrative_id not in request.app.state.narratives:
        raise not_found(f"no narrative {narrative_id!r}")
    return {"items": items, "next_cursor": pagination.encode(nxt, scope) if nxt else None}
