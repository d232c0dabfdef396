"""Quotes (by and about entities) and credibility signals."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from newsgraph.api import pagination, reads
from newsgraph.api.deps import Cursor, Limit, StoreDep
from newsgraph.api.errors import ERROR_RESPONSES, ApiError
from newsgraph.api.models import QuoteOut, SignalOut
from newsgraph.api.pagination import Page

router = APIRouter(tags=["quotes and signals"], responses=ERROR_RESPONSES)


def _int_position(value) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int):
        raise ApiError(400, "invalid cursor", "invalid_cursor")
    return value


@router.get("/quotes", response_model=Page[QuoteOut], summary="Quotes, latest stored first")
def list_quotes(
    store: StoreDep,
    speaker: Annotated[int | None, Query(description="Said by this entity (id)")] = None,
    about: Annotated[int | None, Query(description="About this entity (id), named inside the quote")] = None,
    document: Annotated[int | None, Query()] = None,
    direct: Annotated[bool | None, Query(description="Direct (true) or reported (false) speech")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    scope = pagination.scope("quotes", dict(speaker=speaker, about=about, document=document, direct=direct))
    after = _int_position(pagination.decode(cursor, scope))
    with store.connect() as conn:
        items, nxt = reads.list_quotes(conn, speaker=speaker, about=about, document=document, direct=direct,
                                       after=after, limit=limit)
    return {"items": items, "next_cursor": pagination.encode(nxt, scope) if nxt else None}


@router.get("/signals", response_model=Page[SignalOut], summary="Credibility signals, latest first")
def list_signals(
    store: StoreDep,
    kind: Annotated[str | None, Query(max_length=64,
                                      description="state_media, front_organization, kb_conflict, ...")] = None,
    document: Annotated[int | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    scope = pagination.scope("signals", dict(kind=kind, document=document))
    after = _int_position(pagination.decode(cursor, scope))
    with store.connect() as conn:
        items, nxt = reads.list_signals(conn, kind=kind, document=document, after=after, limit=limit)
    return {"items": items, "next_cursor": pagination.encode(nxt, scope) if nxt else None}


@router.get("/signals/kinds", summary="Signal kinds and their counts")
def signal_kinds(store: StoreDep) -> list[dict]:
    with store.connect() as conn:
        return reads.signal_kinds(conn)
