"""Health and counts."""
from __future__ import annotations

from fastapi import APIRouter, Request

from newsgraph import __version__
from newsgraph.api.deps import StoreDep
from newsgraph.api.models import Health

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Liveness and configuration")
def health(store: StoreDep, request: Request):
    with store.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"status": "ok", "version": __version__, "database": store.dialect,
            "writes_enabled": bool(request.app.state.token)}


@router.get("/stats", summary="Counts of documents, entities, events, quotes and more")
def stats(store: StoreDep) -> dict[str, int | None]:
    return store.stats()
