"""Cursor pagination: opaque tokens bound to one query.

A page answers ``{"items": [...], "next_cursor": "..."}``; passing
``next_cursor`` back as ``cursor`` gives the next page, and ``next_cursor``
is null on the last one. The cursor is URL-safe base64 of a small JSON
position (a keyset like the last row's sort key, or an offset for lists the
API aggregates in memory) and the digest of the query it belongs to, so a
cursor used with other filters is refused (400) instead of silently skipping rows.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from newsgraph.api.errors import ApiError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page.")


def scope(endpoint: str, filters: Mapping[str, Any]) -> str:
    """A short digest of the endpoint and its filters (the limit excluded: pages may change size)."""
    clean = {k: v for k, v in sorted(filters.items()) if v not in (None, [], "") and k not in ("cursor", "limit")}
    blob = json.dumps([endpoint, clean], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def encode(position: Any, query_scope: str) -> str:
    blob = json.dumps({"p": position, "s": query_scope}, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def decode(cursor: str | None, query_scope: str) -> Any:
    """The position a cursor holds (None for no cursor); a 400 for a malformed or foreign cursor."""
    if not cursor:
        return None
    try:
        if len(cursor) > 2048:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or "p" not in data:
            raise ValueError("no position")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid cursor: pass back the next_cursor of a previous page unchanged",
                       "invalid_cursor") from exc
    if data.get("s") != query_scope:
        raise ApiError(400, "this cursor belongs to another query (different filters); start again without it",
                       "invalid_cursor")
    return data["p"]


def offset_page(items: list, cursor: str | None, limit: int, query_scope: str) -> tuple[list, str | None]:
    """A page of a list computed in memory: the position is an offset."""
    start = decode(cursor, query_scope) or 0
    if not isinstance(start, int) or start < 0:
        raise ApiError(400, "invalid cursor", "invalid_cursor")
    chunk = items[start:start + limit]
    more = start + limit < len(items)
    return chunk, encode(start + limit, query_scope) if more else None
