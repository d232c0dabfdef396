"""The web application: the REST API and the analyst's dashboard, served from one store.

``create_app(store_url)`` builds it; ``newsgraph serve`` runs it with uvicorn.
Reads are open; writes (``POST /documents``, entity merges and splits) need
``Authorization: Bearer <token>`` with the token from ``NEWSGRAPH_API_TOKEN``
or ``api_token`` in ``newsgraph.toml``, and are refused when none is set.
Cross-origin requests are refused unless origins are named (``cors_origins``).
"""
from __future__ import annotations

import contextlib
import importlib.resources
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from newsgraph import __version__
from newsgraph.api import documents, entities, errors, events, graph, meta, narratives, quotes, search
from newsgraph.api.etag import DataVersion, ETagMiddleware
from newsgraph.api.security import BodyLimit, SecurityHeaders, TrustedHosts
from newsgraph.config import ConfigError, load_api_token
from newsgraph.narrative_list import load_narratives
from newsgraph.store import Store

WEB = Path(str(importlib.resources.files("newsgraph").joinpath("web")))
MIN_TOKEN_LENGTH = 16
#: Bodies of write requests other than ingest (merges, splits) are small.
SMALL_BODY = 64 * 1024

DESCRIPTION = """Source-linked knowledge graph of news documents: documents with their records and
highlighted evidence, entities and their ties, events, the timeline, quotes, narratives, signals,
corroboration clusters and contradictions.

Reads are open. Writes need `Authorization: Bearer <token>`. Lists are paginated with an opaque
`cursor` (pass back `next_cursor`). Read answers carry a weak `ETag`; send it back in
`If-None-Match` to get `304 Not Modified` while the store is unchanged. Every error answers
`{"error": {"code": "...", "message": "..."}}`. All text comes from the documents: show it as text.
"""


def create_app(store_url: str | os.PathLike[str] | None = None, token: str | None = None, *,
               store: Store | None = None, use_config: bool = True, cors_origins: list[str] | None = None,
               max_body_bytes: int | None = None, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The app over ``store`` (or a store opened at ``store_url``, default ``$NEWSGRAPH_DB`` or
    ``./newsgraph.db``). ``token`` enables writes; when None it is read from the configuration
    (unless ``use_config`` is false). ``max_body_bytes`` bounds an ingest request (default: the
    ingest size limit plus room for JSON). ``allowed_hosts`` refuses requests whose Host header
    names another host (a web page that rebinds its domain to this address cannot read it)."""
    if token is None and use_config:
        token = load_api_token()
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"the API token must be at least {MIN_TOKEN_LENGTH} characters long")
    owned = store is None
    if store is None:
        store = Store(store_url)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        if owned:
            store.close()

    app = FastAPI(title="newsgraph", version=__version__, description=DESCRIPTION, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan)
    app.state.store = store
    app.state.token = token or None
    app.state.narratives = narrative_names()
    errors.install(app)
    for module in (search, documents, entities, events, quotes, narratives, graph, meta):
        app.include_router(module.router)
    _mount_exports(app)
    _mount_web(app)

    if max_body_bytes is None:
        from newsgraph.config import load_settings
        from newsgraph.ingest.decode import resolve_max_bytes

        # a document of the ingest size limit, JSON-escaped (up to 6 bytes per character in the worst case
        # is not worth allowing: twice the limit covers real text and markup)
        max_body_bytes = 2 * resolve_max_bytes(load_settings().max_bytes) + SMALL_BODY
    app.add_middleware(ETagMiddleware, version=DataVersion(store))
    app.add_middleware(BodyLimit, default=SMALL_BODY, limits={("POST", "/documents"): max_body_bytes})
    if allowed_hosts:
        app.add_middleware(TrustedHosts, allowed=list(allowed_hosts))
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                           expose_headers=["ETag"])
    app.add_middleware(SecurityHeaders)
    return app


def _mount_web(app: FastAPI) -> None:
    """The dashboard: one page (hash-routed), its scripts and styles, and the API docs page."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(WEB / "docs.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=WEB, follow_symlink=False), name="static")


def _mount_exports(app: FastAPI) -> None:
    """``GET /exports/{format}`` when the export package is installed."""
    try:
        from newsgraph.api import exports
    except ImportError:
        return
    app.include_router(exports.router)


def narrative_names() -> dict[str, dict]:
    """Names and descriptions of the narratives (built-in, and ``$NEWSGRAPH_NARRATIVES``), read from
    their YAML files: the API shows them without loading the classifiers."""
    # not strict: names are a convenience; the ids still show when a file cannot be read
    return {n.id: {"name": n.name, "description": n.description or None}
            for n in load_narratives(strict=False)}
