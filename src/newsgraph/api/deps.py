"""What the routers share: the store, the write token check, common query parameters."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from newsgraph.api.errors import ApiError
from newsgraph.api.pagination import MAX_LIMIT
from newsgraph.api.security import token_matches
from newsgraph.store import Store
from newsgraph.store.util import date_interval

DATE_RE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
COUNTRY_RE = r"^[A-Za-z]{3}$"


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


def require_token(request: Request) -> None:
    """Writes need ``Authorization: Bearer <token>`` matching the configured token."""
    expected = request.app.state.token
    if not expected:
        raise ApiError(403, "writes are disabled: no API token is configured "
                            "(set NEWSGRAPH_API_TOKEN or api_token in newsgraph.toml)", "writes_disabled")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not token_matches(given.strip(), expected):
        raise ApiError(401, "a valid bearer token is required for this request", "unauthorized",
                       headers={"WWW-Authenticate": "Bearer"})


WriteAccess = Depends(require_token)

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=2048, description="`next_cursor` of the previous page")]
DateFrom = Annotated[str | None, Query(alias="from", pattern=DATE_RE, description="From (YYYY, YYYY-MM or YYYY-MM-DD)")]
DateTo = Annotated[str | None, Query(alias="to", pattern=DATE_RE, description="Up to (YYYY, YYYY-MM or YYYY-MM-DD)")]
Country = Annotated[str | None, Query(pattern=COUNTRY_RE, description="ISO 3166-1 alpha-3 code, e.g. BFA")]
EventTypes = Annotated[list[str] | None, Query(alias="type", description="PLOVER event type (repeatable)",
                                               max_length=20)]
Statuses = Annotated[list[str] | None, Query(alias="status", description="asserted, future, hypothetical, negated "
                                                                         "(repeatable)", max_length=4)]
EVENT_TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
               "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
STATUSES = {"asserted", "future", "hypothetical", "negated"}

def check_dates(start: str | None, end: str | None) -> None:
    for name, value in (("from", start), ("to", end)):
        if value and date_interval(value) is None:
            raise ApiError(422, f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", "invalid_request")


def check_types(types: list[str] | None) -> list[str] | None:
    if not types:
        return None
    out = [t.strip().upper() for t in types if t.strip()]
    bad = [t for t in out if t not in EVENT_TYPES]
    if bad:
        raise ApiError(422, f"type: unknown event type {bad[0]!r}; one of {', '.join(sorted(EVENT_TYPES))}",
                       "invalid_request")
    return out or None


def check_statuses(statuses: list[str] | None) -> list[str] | None:
    if not statuses:
        return None
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise ApiError(422, f"status: unknown status {bad[0]!r}; one of {', '.join(sorted(STATUSES))}",
                       "invalid_request")
    return statuses
