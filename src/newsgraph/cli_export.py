"""``newsgraph export FORMAT``: the store's documents and facts in the formats other tools open.

Registered on the main app by ``import newsgraph.cli_export`` (see the end of
``newsgraph.cli``). Problems with the request (unknown format, an entity or
narrative that does not exist, a bad date, an output that cannot be written)
are one line on stderr and exit status 2.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from newsgraph.cli import _fail, app, err
from newsgraph.cli_store import DbOption, JsonOption, _dump, _one_line, _open

FORMAT_HELP = "jsonl (records), csv (tables), plover (events), graphml, gexf (graph), stix (STIX 2.1), ftm (FollowTheMoney)."


def export_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP, show_default=False)],
    out: Annotated[Optional[str], typer.Option(
        "--out", "-o", help="File to write (csv: a folder, or a .zip). Default: standard output; csv needs --out.")] = None,
    entity: Annotated[Optional[str], typer.Option(
        "--entity", help="Documents that mention this entity and events it is a party to (name, alias, KB id or #id).")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="From this date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Up to this date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    event_type: Annotated[Optional[str], typer.Option("--type", help="PLOVER event type (AGREE, CONSULT, AID, ...).")] = None,
    narrative: Annotated[Optional[str], typer.Option("--narrative", help="Narrative id (e.g. russia_reliable_partner).")] = None,
    bom: Annotated[bool, typer.Option("--bom", help="csv: start each table with a UTF-8 byte-order mark (Excel).")] = False,
    edges: Annotated[Optional[str], typer.Option(
        "--edges", help="graphml, gexf: kinds of edge, comma-separated (default comention,role,event).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export documents and facts, each with its source document, as FORMAT.

    Filters select the same way in every format: documents that match all the
    filters given, and events that match them by their own date and parties;
    the documents those events come from are exported with them.
    """
    from newsgraph.export import FORMATS, ExportError, ExportFilters, export

    name = fmt.strip().lower()
    if name not in FORMATS:
        _fail(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if name == "csv" and (out is None or out == "-"):
        _fail("csv writes several tables: give --out FOLDER or --out FILE.zip")
    target = str(Path(out).expanduser()) if out not in (None, "-") else None
    options: dict = {}
    if edges is not None:
        if name not in ("graphml", "gexf"):
            _fail("--edges applies to graphml and gexf")
        options["edges"] = tuple(x.strip().lower() for x in edges.split(",") if x.strip())
    try:
        filters = ExportFilters(entity=entity, start=start, end=end, type=event_type, narrative=narrative)
    except ExportError as exc:
        _fail(str(exc))
    store = _open(db)
    try:
        summary = export(store, name, target, filters, bom=bom, **options)
    except ExportError as exc:
        _fail(str(exc))
    except OSError as exc:  # e.g. the disk filled up while writing
        _fail(f"cannot write {target or 'standard output'}: {_one_line(exc)}")
    finally:
        store.close()
    if as_json:
        if target is None:  # the export itself is on stdout: the summary goes to stderr
            err.print(_summary_json(summary.as_dict()), markup=False)
        else:
            _dump(summary.as_dict())
    counts = ", ".join(f"{v} {k}" for k, v in summary.counts.items())
    where = summary.out if summary.out != "-" else "standard output"
    size = f", {summary.bytes:,} bytes" if summary.bytes is not None else ""
    err.print(f"{name}: {summary.documents} document(s); {counts} -> {where}{size}", markup=False)
    sys.stdout.flush()


def _summary_json(data: dict) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, default=str)


app.command("export")(export_command)
