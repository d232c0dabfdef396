"""Documents: the list with filters, one document with its record and highlighted spans, its raw
input, and ingest (``POST /documents``, with the write token)."""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from newsgraph.api import pagination, reads
from newsgraph.api.deps import Cursor, DateFrom, DateTo, Limit, StoreDep, WriteAccess, check_dates
from newsgraph.api.errors import ERROR_RESPONSES, ApiError, ErrorBody, not_found
from newsgraph.api.models import DocumentDetail, DocumentSummary, IngestRequest, IngestResult
from newsgraph.api.pagination import Page
from newsgraph.api.security import RAW_CSP
from newsgraph.record import Record

router = APIRouter(tags=["documents"], responses=ERROR_RESPONSES)

DocRef = Annotated[str, "document id (digits) or doc_id"]


def _resolve(store, ref: str) -> int:
    if len(ref) > 255:
        raise not_found("no such document")
    with store.connect() as conn:
        doc = reads.resolve_document(conn, ref)
    if doc is None:
        raise not_found(f"no document {ref!r}")
    return doc


@router.get("/documents", response_model=Page[DocumentSummary], summary="List documents")
def list_documents(
    store: StoreDep,
    outlet: Annotated[str | None, Query(max_length=255)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    start: DateFrom = None,
    end: DateTo = None,
    narrative: Annotated[str | None, Query(max_length=128, description="Only documents advancing it")] = None,
    entity: Annotated[int | None, Query(description="Only documents naming this entity (id)")] = None,
    include_old: Annotated[bool, Query(description="Include superseded versions")] = False,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    """Documents, latest publication first."""
    check_dates(start, end)
    scope = pagination.scope("documents", dict(outlet=outlet, language=language, start=start, end=end,
                                               narrative=narrative, entity=entity, include_old=include_old))
    after = pagination.decode(cursor, scope)
    with store.connect() as conn:
        items, nxt = reads.list_documents(conn, outlet=outlet, language=language, start=start, end=end,
                                          narrative=narrative, entity=entity, include_old=include_old,
                                          after=_pair(after), limit=limit)
    return {"items": items, "next_cursor": pagination.encode(nxt, scope) if nxt else None}


def _pair(after) -> list | None:
    if after is None:
        return None
    if not isinstance(after, list) or len(after) != 2:
        raise ApiError(400, "invalid cursor", "invalid_cursor")
    return after


@router.get("/outlets", summary="Outlets and their document counts")
def list_outlets(store: StoreDep) -> list[dict]:
    with store.connect() as conn:
        return reads.outlets(conn)


@router.get("/documents/{ref}", response_model=DocumentDetail, summary="One document")
def get_document(ref: str, store: StoreDep, request: Request):
    """The cleaned text, the record, and the spans to highlight (entities, events, quotes, signals,
    narrative evidence), with the entities, events, quotes, signals and narratives they point to."""
    doc = _resolve(store, ref)
    with store.connect() as conn:
        data = reads.document_detail(conn, doc, request.app.state.narratives)
    if data is None:
        raise not_found(f"no document {ref!r}")
    return data


@router.get("/documents/{ref}/raw", summary="The raw input of a document, as plain text",
            response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def get_raw(ref: str, store: StoreDep) -> Response:
    """The input as it was read (text or HTML source), served as ``text/plain`` in a sandbox:
    never rendered as a page."""
    doc = _resolve(store, ref)
    data = store.document(doc)
    if data is None or data.get("raw") is None:
        raise not_found(f"no raw input stored for document {ref!r}")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(data["doc_id"]))[:100] or "document"
    return Response(data["raw"], media_type="text/plain; charset=utf-8", headers={
        "Content-Security-Policy": RAW_CSP,
        "Content-Disposition": f'inline; filename="{name}.txt"',
    })


# --------------------------------------------------------------------------- ingest

_EXTRACTOR_LOCK = threading.Lock()
_EXTRACTORS: dict[tuple, object] = {}


def _extractor():
    """One extractor per process (spaCy and the KB load once, on the first ingest)."""
    from newsgraph.config import load_settings
    from newsgraph.kb import load_kb
    from newsgraph.pipeline import Extractor

    settings = load_settings()
    key = tuple(str(p) for p in settings.kb_dirs)
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = Extractor(load_kb(settings.kb_dirs))
    return _EXTRACTORS[key]


def _extract(body: IngestRequest):
    from newsgraph.ingest import read_jsonl
    from newsgraph.ingest.base import InputError
    from newsgraph.pipeline import ExtractionError

    article = body.model_dump(exclude={"record", "replace"}, exclude_none=True)
    items = list(read_jsonl(Path("api.jsonl"), json.dumps(article, ensure_ascii=False)))
    source = items[0] if items else InputError("request", "no document in the request")
    if isinstance(source, InputError):
        raise ApiError(422, source.message, "invalid_document")
    with _EXTRACTOR_LOCK:  # one extraction at a time: the pipeline is not made for threads
        results = list(_extractor().extract_many([source]))
    result = results[0] if results else None
    if result is None or isinstance(result, ExtractionError):
        raise ApiError(422, getattr(result, "message", "extraction failed"), "extraction_failed")
    result.source = "api"
    return result, source.raw, source.format


@router.post("/documents", response_model=IngestResult, status_code=201, dependencies=[WriteAccess],
             summary="Ingest a document (needs the bearer token)",
             responses={200: {"model": IngestResult, "description": "Already stored (unchanged) or replaced"},
                        401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 413: {"model": ErrorBody}})
async def ingest(body: IngestRequest, store: StoreDep, response: Response):
    """Extract and store one article (``text`` or ``html`` with optional metadata, like one line of
    a JSON-lines input), or store a ``record`` already extracted. Storing is all-or-nothing."""
    if body.record is not None:
        if body.text is not None or body.html is not None:
            raise ApiError(422, "give either record or text/html, not both", "invalid_request")
        try:
            record = Record.model_validate(body.record)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            raise ApiError(422, f"record.{where}: {first.get('msg')}", "invalid_record") from exc
        raw, fmt = None, None
    else:
        record, raw, fmt = await run_in_threadpool(_extract, body)
    result = await run_in_threadpool(store.add_record, record, raw, record.source or "api", fmt=fmt,
                                     replace=body.replace)
    if result.status != "added" and result.status != "new_version":
        response.status_code = 200
    if result.document_id is not None:
        response.headers["Location"] = f"/documents/{result.document_id}"
    return result.as_dict()
