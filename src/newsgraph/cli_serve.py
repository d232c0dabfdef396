"""``newsgraph serve``: the REST API and the analyst's dashboard in one process (uvicorn)."""
from __future__ import annotations

import ipaddress
from typing import Annotated, Optional

import typer

from newsgraph.cli import _fail, app, err
from newsgraph.cli_store import DbOption, _one_line


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    cors_origin: Annotated[Optional[list[str]], typer.Option(
        "--cors-origin", help="Allow browser requests from this origin (repeatable); none by default.")] = None,
    allowed_host: Annotated[Optional[list[str]], typer.Option(
        "--allowed-host", help="Host names the server answers to (repeatable); default: the --host address, "
                               "plus localhost names on a loopback address.")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level (critical, error, warning, info, debug).")] = "info",
) -> None:
    """Serve the dashboard (at /) and the API (OpenAPI at /openapi.json, docs at /docs) from the store.

    Reads are open to anyone who can reach the address; writes need the API token.

    Writes (POST /documents, entity merges and splits) need NEWSGRAPH_API_TOKEN or api_token in newsgraph.toml.
    """
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from newsgraph.api import create_app
    from newsgraph.config import ConfigError

    try:
        application = create_app(db, cors_origins=cors_origin, allowed_hosts=_hosts(host, allowed_host))
    except ConfigError as exc:
        _fail(str(exc))
    except (SQLAlchemyError, OSError, ValueError) as exc:
        _fail(f"cannot open the store {db or ''}: {_one_line(exc)}".replace("  ", " "))
    store = application.state.store
    shown = f"[{host}]" if ":" in host else host
    err.print(f"newsgraph: dashboard at http://{shown}:{port}/  API docs at http://{shown}:{port}/docs  "
              f"store {store!r}; writes {'enabled (token)' if application.state.token else 'disabled'}",
              markup=False)
    if not store.stats()["documents"]:
        err.print("note: the store is empty; add documents with `newsgraph ingest PATH`", markup=False)
    if not _is_loopback(host):
        err.print(f"warning: listening on {host}: anyone who can reach it can read the store", markup=False)
    uvicorn.run(application, host=host, port=port, log_level=log_level, proxy_headers=False,
                server_header=False)


def _hosts(host: str, extra: list[str] | None) -> list[str] | None:
    """Host headers to accept: a page on another domain that rebinds its name to this address is refused.
    Listening on all addresses (0.0.0.0, ::) without --allowed-host accepts any name."""
    names = list(extra or [])
    if host in ("0.0.0.0", "::", ""):
        return names or None
    names.append(host.strip("[]"))
    if _is_loopback(host):
        names += ["localhost", "127.0.0.1", "::1", "[::1]"]
    return sorted(set(names))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


app.command("serve")(serve)
