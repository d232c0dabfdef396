"""Exports as downloads: ``GET /exports/{format}`` with the filters of ``newsgraph export``."""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from typing import Annotated, BinaryIO, cast

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from newsgraph.api.deps import DateFrom, DateTo, StoreDep
from newsgraph.api.errors import ERROR_RESPONSES, ApiError
from newsgraph.export import EXTENSIONS, FORMATS, MEDIA_TYPES, ExportError, ExportFilters, export

router = APIRouter(prefix="/exports", tags=["exports"], responses=ERROR_RESPONSES)

_IN_MEMORY = 16 * 1024 * 1024  # larger exports spill to a temporary file
_CHUNK = 256 * 1024


@router.get("", summary="Export formats")
def formats() -> list[dict]:
    return [{"format": f, "description": d, "media_type": MEDIA_TYPES[f], "extension": EXTENSIONS[f]}
            for f, d in FORMATS.items()]


@router.get("/{fmt}", summary="Download the store (or a selection) in one export format",
            response_class=StreamingResponse,
            responses={200: {"content": {m: {} for m in sorted(set(MEDIA_TYPES.values()))},
                             "description": "The export file"}})
def download(
    store: StoreDep,
    fmt: Annotated[str, Path(description=f"One of {', '.join(FORMATS)}")],
    entity: Annotated[str | None, Query(max_length=300, description="Entity id, name, alias or KB id")] = None,
    start: DateFrom = None,
    end: DateTo = None,
    type: Annotated[str | None, Query(max_length=16, description="PLOVER event type")] = None,
    narrative: Annotated[str | None, Query(max_length=128)] = None,
) -> StreamingResponse:
    """The same files as ``newsgraph export FORMAT`` (CSV tables as one ZIP), each fact with its
    source document; the filters select documents and events alike."""
    if fmt not in FORMATS:
        raise ApiError(404, f"no export format {fmt!r}: one of {', '.join(FORMATS)}", "not_found")
    try:
        filters = ExportFilters(entity=int(entity) if entity and entity.isdigit() else entity, start=start, end=end,
                                type=type, narrative=narrative)
    except ExportError as exc:
        raise ApiError(422, _plain(exc), "invalid_request") from None
    buffer = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)
    try:
        export(store, fmt, cast(BinaryIO, buffer), filters)
    except ExportError as exc:
        buffer.close()
        raise ApiError(422, _plain(exc), "invalid_request") from None
    except BaseException:
        buffer.close()
        raise
    size = buffer.tell()
    buffer.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while block := buffer.read(_CHUNK):
                yield block
        finally:
            buffer.close()

    return StreamingResponse(chunks(), media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="newsgraph{EXTENSIONS[fmt]}"',
        "Content-Length": str(size)})


def _plain(exc: ExportError) -> str:
    """The export's message with the command line's flags named as this endpoint's parameters."""
    return re.sub(r"--(entity|from|to|type|narrative)\b", r"\1", str(exc))
