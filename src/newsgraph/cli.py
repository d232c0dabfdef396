"""The ``newsgraph`` command line."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from newsgraph import __version__
from newsgraph.terminal import SafeConsole, echo, safe

app = typer.Typer(
    name="newsgraph",
    help="Turn news articles, statements and interviews into a source-linked knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)
kb_app = typer.Typer(help="Inspect and validate the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)  # one line per error, never wrapped

KbOption = Annotated[
    Optional[list[Path]],
    typer.Option("--kb", help="A folder of KB YAML files merged over the built-in KB (repeatable).",
                 exists=False, file_okay=False),
]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {escape(str(message))}", markup=True)
    raise typer.Exit(code)


def _load_kb(kb_dirs: list[Path] | None):
    from newsgraph.config import ConfigError, load_settings
    from newsgraph.kb import KBError, load_kb

    try:
        settings = load_settings(kb_dirs)
        return load_kb(settings.kb_dirs), settings
    except (KBError, ConfigError) as exc:
        _fail(str(exc))


_EXTRACTORS: dict[tuple, object] = {}


def _extractor(key: tuple, knowledge):
    """One extractor per KB configuration in a process: loading spaCy and the
    KB patterns costs seconds, so repeated calls (tests, the API) reuse it."""
    from newsgraph.pipeline import Extractor

    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = Extractor(knowledge)
    return _EXTRACTORS[key]


WorkersOption = Annotated[Optional[int], typer.Option(
    "--workers", "-j", min=1,
    help="Worker processes (default: all cores; inputs of a few documents run in this process).")]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="local (processes on this machine) or dask (a Dask cluster, see --scheduler).")]
SchedulerOption = Annotated[Optional[str], typer.Option(
    "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster here).")]


def check_engine(engine: str, scheduler: str | None) -> None:
    if engine not in ("local", "dask"):
        _fail(f"--engine {engine!r}: use local or dask")
    if scheduler and engine != "dask":
        _fail("--scheduler needs --engine dask")


def extraction_results(sources: Iterator, kb_dirs, knowledge, workers: int | None, engine: str,
                       scheduler: str | None) -> Iterator:
    """Records (or ExtractionErrors) of ``sources`` in order, by the chosen engine.

    ``local`` runs in this process or in ``workers`` processes (all cores by
    default); ``dask`` runs on the cluster at ``scheduler``."""
    from newsgraph.parallel import ExtractorSpec, extract_parallel, plan_workers

    check_engine(engine, scheduler)
    spec = ExtractorSpec.of(kb_dirs)
    if engine == "dask":
        from newsgraph.dask_engine import DaskUnavailable, extract_dask

        def on_dask() -> Iterator:
            try:
                yield from extract_dask(sources, spec, scheduler=scheduler, workers=workers)
            except DaskUnavailable as exc:
                _fail(str(exc))

        return on_dask()
    count, sources = plan_workers(workers, sources)
    if count > 1:
        return extract_parallel(sources, spec, count)
    return _extractor(tuple(kb_dirs), knowledge).extract_many(sources)


def _write_atomic(path: Path, content: str) -> None:
    """Write through a temporary file and rename: a crash never leaves half a record."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def extract(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files, folders (recursive) or glob patterns.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write one DIR/<doc_id>.json per document.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Write JSON lines (to stdout, or DIR/records.jsonl with --out).")] = False,
    text: Annotated[Optional[str], typer.Option("--text", help="Analyse this text instead of files.")] = None,
    kb: KbOption = None,
    indent: Annotated[Optional[int], typer.Option(help="Indent JSON files by this many spaces.")] = 1,
    workers: WorkersOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
) -> None:
    """Extract one record per document (see shared/spec for the record)."""
    from newsgraph.ingest import read_documents, read_text_input
    from newsgraph.ingest.base import InputError
    from newsgraph.pipeline import ExtractionError

    if not paths and text is None:
        _fail("give one or more PATHs, or --text")
    check_engine(engine, scheduler)
    knowledge, settings = _load_kb(kb)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _fail(f"{out}: cannot create output folder: {exc.strerror}")

    failures = 0
    seen_content: dict[int, str] = {}

    def sources() -> Iterator:
        nonlocal failures
        items = [read_text_input(text)] if text is not None else read_documents(paths or [], max_bytes=settings.max_bytes)
        for item in items:
            if isinstance(item, InputError):
                failures += 1
                err.print(f"{item.origin}: {item.message}", markup=False)
                continue
            digest = hash(item.body)
            if digest in seen_content:
                err.print(f"{item.origin}: skipped, same content as {seen_content[digest]}", markup=False)
                continue
            seen_content[digest] = item.origin
            yield item

    results = extraction_results(sources(), settings.kb_dirs, knowledge, workers, engine, scheduler)
    used_ids: set[str] = set()
    jsonl_fh = None
    jsonl_tmp: Path | None = None
    if jsonl and out is not None:
        jsonl_tmp = out / ".records.jsonl.tmp"
        jsonl_fh = jsonl_tmp.open("w", encoding="utf-8")
    count = 0
    progress = _progress() if sys.stderr.isatty() else None
    task = progress.add_task("extracting", total=None) if progress else None
    try:
        if progress:
            progress.start()
        for result in results:
            if isinstance(result, ExtractionError):
                failures += 1
                err.print(f"{result.origin}: {result.message}", markup=False)
                continue
            record = result
            if record.doc_id in used_ids:  # two inputs named alike in different folders
                record.doc_id = f"{record.doc_id}-{len(used_ids)}"
            used_ids.add(record.doc_id)
            data = record.model_dump(mode="json")
            if out is None:
                sys.stdout.write(safe(json.dumps(data, ensure_ascii=False)) + "\n")
                sys.stdout.flush()
            elif jsonl_fh is not None:
                jsonl_fh.write(json.dumps(data, ensure_ascii=False) + "\n")
            else:
                _write_atomic(out / f"{record.doc_id}.json", json.dumps(data, ensure_ascii=False, indent=indent) + "\n")
            count += 1
            if progress:
                progress.update(task, advance=1, description=f"extracting {record.doc_id[:40]}")
    finally:
        if progress:
            progress.stop()
        if jsonl_fh is not None:
            jsonl_fh.close()
            if jsonl_tmp is not None:
                os.replace(jsonl_tmp, out / "records.jsonl")
    where = f" to {out}" if out else ""
    err.print(f"{count} record(s) written{where}; {failures} input(s) failed", markup=False)
    raise typer.Exit(1 if failures else 0)


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a record."""
    from newsgraph.record import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@kb_app.command("check")
def kb_check(kb: KbOption = None) -> None:
    """Validate the built-in KB and any user folders: schema, ids, references."""
    knowledge, _ = _load_kb(kb)
    problems = knowledge.check()
    for p in problems:
        err.print(p, markup=False)
    by_file: dict[str, int] = {}
    for origin in knowledge.origins.values():
        by_file[str(origin)] = by_file.get(str(origin), 0) + 1
    for path, n in sorted(by_file.items()):
        echo(f"{n:6d}  {path}")
    echo(f"{len(knowledge)} entries, {len(problems)} problem(s)")
    raise typer.Exit(1 if problems else 0)


@kb_app.command("lookup")
def kb_lookup(name: str, kb: KbOption = None) -> None:
    """Show the KB entries a name resolves to."""
    knowledge, _ = _load_kb(kb)
    found = knowledge.lookup(name)
    if not found:
        err.print(f"no KB entry for {name!r}", markup=False)
        raise typer.Exit(1)
    for entry in found:
        echo(json.dumps(entry.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, indent=1))


@app.callback(invoke_without_command=True)
def main(version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False) -> None:
    if version:
        echo(f"newsgraph {__version__}")
        raise typer.Exit()


# Store and graph commands (ingest, db, entity, timeline, narratives, stats, search, contradictions).
import newsgraph.cli_store  # noqa: E402,F401
import newsgraph.cli_serve  # noqa: E402,F401
import newsgraph.cli_export  # noqa: E402,F401

# The throughput benchmark (bench).
import newsgraph.cli_bench  # noqa: E402,F401
