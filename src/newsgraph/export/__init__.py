"""Exports in the formats analysts' other tools open, each fact with its source document.

``export(store, fmt, out, filters)`` writes one format:

=========  ====================================================================
jsonl      records (the contract in ``shared/spec``), one per line
csv        tables: documents, entities, mentions, roles, events, quotes,
           narratives, signals (a folder, or a ``.zip``)
plover     PLOVER event records, one per line
graphml    the entity graph for Gephi, Cytoscape, yEd
gexf       the same graph, dynamic (Gephi's timeline)
stix       a STIX 2.1 bundle (OpenCTI, MISP)
ftm        FollowTheMoney entities, one per line (Aleph)
=========  ====================================================================

``out`` is a path (written through a temporary file), ``"-"`` or ``None`` for
standard output, or a binary stream (CSV tables then go out as a ZIP). The
filters (:class:`ExportFilters`) select documents and events the same way for
every format (see :mod:`newsgraph.export.selection`)::

    from newsgraph.export import ExportFilters, export
    export(store, "stix", "africa-corps.json", ExportFilters(entity="Africa Corps", start="2024"))
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsgraph.export.output import OutTarget, as_path
from newsgraph.export.selection import ExportError, ExportFilters, Selection

__all__ = ["EXTENSIONS", "FORMATS", "MEDIA_TYPES", "ExportError", "ExportFilters", "ExportSummary", "Selection",
           "export"]

#: format -> what it is
FORMATS: dict[str, str] = {
    "jsonl": "records, one JSON object per line (the record contract)",
    "csv": "CSV tables (documents, entities, mentions, roles, events, quotes, narratives, signals)",
    "plover": "PLOVER event records, one JSON object per line",
    "graphml": "entity graph, GraphML",
    "gexf": "entity graph, dynamic GEXF (Gephi timeline)",
    "stix": "STIX 2.1 bundle",
    "ftm": "FollowTheMoney entities, one JSON object per line",
}
#: the options each format takes (besides ``bom`` for csv)
OPTIONS: dict[str, frozenset[str]] = {
    "csv": frozenset({"formula_guard"}), "ftm": frozenset({"body_text"}),
    "graphml": frozenset({"edges", "evidence_limit"}), "gexf": frozenset({"edges", "evidence_limit"}),
}
#: the usual file name ending of each format (csv: as a ZIP, the form it takes on a stream)
EXTENSIONS: dict[str, str] = {"jsonl": ".jsonl", "csv": ".zip", "plover": ".plover.jsonl", "graphml": ".graphml",
                              "gexf": ".gexf", "stix": ".stix.json", "ftm": ".ftm.jsonl"}
#: the media type of each format written to a stream (for a web response)
MEDIA_TYPES: dict[str, str] = {"jsonl": "application/x-ndjson", "csv": "application/zip",
                               "plover": "application/x-ndjson", "graphml": "application/graphml+xml",
                               "gexf": "application/gexf+xml", "stix": "application/stix+json;version=2.1",
                               "ftm": "application/x-ndjson"}


@dataclass
class ExportSummary:
    format: str
    out: str  # the path, or "-" for standard output / a stream
    documents: int
    counts: dict[str, int]
    filters: dict[str, object]
    files: list[str] = field(default_factory=list)
    bytes: int | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"format": self.format, "out": self.out, "documents": self.documents, "counts": self.counts,
                "filters": self.filters, "files": self.files, "bytes": self.bytes, "seconds": round(self.seconds, 3)}


def _writer(fmt: str) -> Callable:
    if fmt == "jsonl":
        from newsgraph.export.jsonl import write
    elif fmt == "csv":
        from newsgraph.export.csv_tables import write
    elif fmt == "plover":
        from newsgraph.export.plover import write
    elif fmt == "graphml":
        from newsgraph.export.graphs import write_graphml as write
    elif fmt == "gexf":
        from newsgraph.export.graphs import write_gexf as write
    elif fmt == "stix":
        from newsgraph.export.stix import write
    elif fmt == "ftm":
        from newsgraph.export.ftm import write
    else:
        raise ExportError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    return write


def export(store, fmt: str, out: OutTarget = None, filters: ExportFilters | None = None, *, bom: bool = False,
           **options) -> ExportSummary:
    """Write the store's documents and facts that match ``filters`` in format ``fmt`` to ``out``.

    ``bom`` starts CSV tables with a UTF-8 byte-order mark (Excel). Options:
    ``formula_guard`` (csv, default True), ``body_text`` (ftm, default True),
    ``evidence_limit`` (graphml, gexf: evidence spans per edge, default 5).
    Raises :class:`ExportError` for an unknown format, a filter that matches
    no entity or narrative, or an output that cannot be written.
    """
    started = time.perf_counter()
    fmt = (fmt or "").strip().lower()
    write = _writer(fmt)
    if bom and fmt != "csv":  # a byte-order mark breaks JSON parsers; spreadsheets are what need one
        raise ExportError("--bom applies to csv tables only")
    unknown = set(options) - OPTIONS.get(fmt, frozenset())
    if unknown:
        raise ExportError(f"{fmt} takes no option {', '.join(sorted(unknown))}")
    selection = Selection(store, filters)
    counts = write(selection, out, bom=bom, **options)
    counts.pop("files", None)
    path = as_path(out)
    files: list[Path] = []
    if path is not None:
        if path.is_dir():
            from newsgraph.export.csv_tables import TABLES

            files = [path / f"{name}.csv" for name in TABLES]
        else:
            files = [path]
    files = [p for p in files if p.is_file()]
    size = sum(p.stat().st_size for p in files) if files else None
    return ExportSummary(fmt, str(path) if path is not None else "-", len(selection), counts,
                         selection.filters.as_dict(), [str(p) for p in files], size, time.perf_counter() - started)
