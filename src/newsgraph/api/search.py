"""Search across entities (by name), documents and quotes (full text)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from newsgraph.api.deps import StoreDep
from newsgraph.api.errors import ERROR_RESPONSES, ApiError
from newsgraph.api.models import SearchResults

router = APIRouter(tags=["search"], responses=ERROR_RESPONSES)


@router.get("/search", response_model=SearchResults, summary="Search entities, documents and quotes")
def search(store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=500,
                                                     description='Words, "exact phrases", OR, -excluded')],
           limit: Annotated[int, Query(ge=1, le=100, description="Hits of each kind")] = 20,
           include_old: Annotated[bool, Query(description="Search superseded versions too")] = False):
    """Entities whose name or an alias is close to ``q`` (fuzzy), and documents and quotes whose
    text matches it (full text; in snippets the matched words are between ``[`` and ``]``)."""
    if not q.strip():
        raise ApiError(422, "q: give words to search for", "invalid_request")
    entities = store.search_entities(q, limit=min(limit, 20))
    hits = store.search_text(q, limit=limit, include_old=include_old)
    return {"query": q, "entities": entities,
            "documents": [h for h in hits if h["kind"] == "document"],
            "quotes": [h for h in hits if h["kind"] == "quote"]}
