"""Command-line commands of the knowledge store, registered on the main ``newsgraph`` app.

``import newsgraph.cli_store`` adds: ``ingest``, ``db upgrade``, ``entity``,
``timeline``, ``narratives``, ``stats``, ``search`` and ``contradictions``.
Every query command takes ``--db URL`` (default ``$NEWSGRAPH_DB`` or
``./newsgraph.db``) and ``--json``.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from newsgraph.terminal import echo as safe_echo
from newsgraph.terminal import safe

from newsgraph.cli import (
    EngineOption,
    KbOption,
    SchedulerOption,
    WorkersOption,
    _fail,
    _load_kb,
    app,
    check_engine,
    err,
)

DbOption = Annotated[Optional[str], typer.Option(
    "--db", help="Database: a SQLite path or URL, or postgresql://... (default $NEWSGRAPH_DB or ./newsgraph.db).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _open(db: str | None, *, upgrade: bool = True):
    from sqlalchemy.exc import SQLAlchemyError

    from newsgraph.store import Store

    try:
        return Store(db, upgrade=upgrade)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        _fail(f"cannot open the store {db or ''}: {_one_line(exc)}".replace("  ", " "))


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dump(data: Any) -> None:
    # safe(): C1 and bidi characters as \uNNNN escapes; the JSON decodes to the same data
    sys.stdout.write(safe(json.dumps(data, ensure_ascii=False, indent=1, default=str)) + "\n")


# --------------------------------------------------------------------------- ingest


def ingest(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files, folders (recursive) or glob patterns to extract and store.")] = None,
    records: Annotated[Optional[list[Path]], typer.Option("--records", help="Store records already extracted: a folder of <doc_id>.json / records.jsonl, or such a file (repeatable).")] = None,
    db: DbOption = None,
    kb: KbOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Re-derive the facts of documents already stored with the same content.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Documents per commit (each document is still all-or-nothing).")] = 200,
    as_json: JsonOption = False,
    workers: WorkersOption = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
) -> None:
    """Extract and store documents (or store extracted records) in the knowledge store."""
    if not paths and not records:
        _fail("give one or more PATHs, or --records DIR")
    check_engine(engine, scheduler)
    store = _open(db)
    failures = 0

    def report(origin: str, message: str) -> None:
        nonlocal failures
        failures += 1
        err.print(f"{origin}: {message}", markup=False)

    items: list[Iterator] = []
    if records:
        items.append(_record_items(records, report))
    if paths:
        items.append(_extracted_items(paths, kb, report, workers=workers, engine=engine, scheduler=scheduler))

    counts: Counter[str] = Counter()

    def on_result(result) -> None:
        counts[result.status] += 1
        if result.status == "failed":
            report(result.doc_id, f"not stored: {result.error}")

    try:
        for group in items:
            store.add_records(group, batch_size=batch_size, replace=replace, on_result=on_result)
    finally:
        store.close()
    summary = {k: counts.get(k, 0) for k in ("added", "new_version", "replaced", "unchanged", "failed")}
    summary["input_errors"] = failures - summary["failed"]
    if as_json:
        _dump(summary)
    err.print(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()), markup=False)
    raise typer.Exit(1 if failures else 0)


def _record_items(sources: list[Path], report) -> Iterator[tuple]:
    from pydantic import ValidationError

    from newsgraph.record import Record

    files: list[Path] = []
    for src in sources:
        if src.is_dir():
            files.extend(sorted(p for p in src.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl")
                                and not p.name.startswith(".")))
        elif src.is_file():
            files.append(src)
        else:
            report(str(src), "no such file or folder")
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report(str(path), f"cannot read: {_one_line(exc)}")
            continue
        lines = [(str(path), text)] if path.suffix == ".json" else \
            [(f"{path}:{i}", line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
        for origin, chunk in lines:
            try:
                record = Record.model_validate_json(chunk)
            except ValidationError as exc:
                report(origin, f"not a record: {_one_line(exc, 200)}")
                continue
            yield record, None, record.source or origin


def _extracted_items(paths: list[str], kb_dirs, report, *, workers: int | None = None, engine: str = "local",
                     scheduler: str | None = None) -> Iterator[tuple]:
    """(record, raw, source, format) for each document extracted (here, by worker processes, or on Dask);
    the store receives them in batches as they come."""
    from newsgraph.cli import extraction_results
    from newsgraph.ingest import read_documents
    from newsgraph.ingest.base import InputError
    from newsgraph.pipeline import ExtractionError

    knowledge, settings = _load_kb(kb_dirs)
    raw_by_origin: dict[str, tuple[str, str]] = {}

    def sources():
        for item in read_documents(paths, max_bytes=settings.max_bytes):
            if isinstance(item, InputError):
                report(item.origin, item.message)
                continue
            raw_by_origin[item.origin] = (item.raw, item.format)
            yield item

    for result in extraction_results(sources(), settings.kb_dirs, knowledge, workers, engine, scheduler):
        if isinstance(result, ExtractionError):
            raw_by_origin.pop(result.origin, None)
            report(result.origin, result.message)
            continue
        raw, fmt = raw_by_origin.pop(result.source or "", (None, None))
        yield result, raw, result.source, fmt


# --------------------------------------------------------------------------- db


db_app = typer.Typer(help="The knowledge store's database: migrations and status.", no_args_is_help=True)


def db_upgrade(db: DbOption = None,
               revision: Annotated[str, typer.Option(help="Target revision.")] = "head") -> None:
    """Create or migrate the store's schema (Alembic) up to REVISION."""
    from sqlalchemy.exc import SQLAlchemyError

    from newsgraph.store import db as dbm

    store = _open(db, upgrade=False)
    try:
        before = dbm.current_revision(store.engine)
        after = dbm.upgrade(store.engine, revision)
    except SQLAlchemyError as exc:
        _fail(f"migration failed: {_one_line(exc)}")
    finally:
        store.close()
    safe_echo(f"{store!r}: {before or 'empty'} -> {after}")


def db_current(db: DbOption = None) -> None:
    """Show the schema revision of the store."""
    from newsgraph.store import db as dbm

    store = _open(db, upgrade=False)
    try:
        safe_echo(f"{dbm.current_revision(store.engine) or 'empty'} (head {dbm.head_revision()})")
    finally:
        store.close()


# --------------------------------------------------------------------------- queries


def entity(
    args: Annotated[list[str], typer.Argument(help="NAME | merge A B | split ENTITY NAME... | search NAME", show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="Items per list in a profile.")] = 10,
    note: Annotated[Optional[str], typer.Option(help="Why (kept with a merge or split judgement).")] = None,
) -> None:
    """Profile of an entity; or `entity merge A B`, `entity split ENTITY NAME...`, `entity search NAME`.

    A profile gives aliases, kind, roles over time, events as actor and recipient,
    quotes by and about, narratives of the documents that mention it, and
    neighbours with evidence counts. `merge A B` merges B into A; `split ENTITY NAME...`
    moves the mentions named NAME off ENTITY to a new entity. Both are kept as
    judgements that later ingests follow. Use `entity show NAME` for an entity
    named like a subcommand.
    """
    from newsgraph.store import EntityNotFound

    store = _open(db)
    try:
        verb = args[0].lower() if args else ""
        if verb == "merge":
            if len(args) != 3:
                _fail("usage: newsgraph entity merge A B (quote names with spaces)")
            keep = store.merge_entities(args[1], args[2], note=note)
            result = store.entity(keep)
            _dump(result) if as_json else safe_echo(f"merged {args[2]!r} into {result['name']} (#{keep})")
            return
        if verb == "split":
            if len(args) < 3:
                _fail("usage: newsgraph entity split ENTITY NAME... (quote names with spaces)")
            new = store.split_entity(args[1], args[2:], note=note)
            result = store.entity(new)
            _dump(result) if as_json else safe_echo(f"split {', '.join(args[2:])!s} off {args[1]!r}: "
                                                      f"new entity {result['name']} (#{new})")
            return
        if verb == "search":
            hits = store.search_entities(" ".join(args[1:]), limit=limit)
            if as_json:
                _dump(hits)
            for h in hits if not as_json else []:
                safe_echo(f"#{h['id']:<6} {h['score']:5.1f}  {h['name']} ({h['type']}) "
                           f"{h['documents']} doc(s); matched {h['matched']!r}")
            return
        name = " ".join(args[1:] if verb == "show" else args)
        profile = store.entity_profile(name, limit=limit)
        _dump(profile) if as_json else _print_profile(profile)
    except EntityNotFound as exc:
        _fail(str(exc), 1)
    finally:
        store.close()


def _print_profile(p: dict) -> None:
    echo = safe_echo
    head = f"{p['name']}  #{p['id']}  {p['type']}"
    head += "".join(f"  {k}={p[k]}" for k in ("kind", "country", "kb_id") if p.get(k))
    echo(head)
    echo(f"  documents: {p['documents']}")
    echo("  aliases: " + ", ".join(f"{a['alias']} ({a['documents']})" for a in p["aliases"][:15]))
    if p["roles"]:
        echo("  roles:")
        for r in p["roles"]:
            span = r["first"] if r["first"] == r["last"] else f"{r['first']}..{r['last']}"
            echo(f"    {r['title']}" + (f" of {r['of']}" if r["of"] else "") + f"  [{span}; {r['documents']} doc(s), "
                 f"{r['independent_sources']} independent]")
    for side in ("actor", "recipient"):
        ev = p["events"][f"as_{side}"]
        if ev["total"]:
            echo(f"  events as {side}: {ev['total']} (" + ", ".join(f"{k} {v}" for k, v in ev["by_type"].items()) + ")")
            for e in ev["latest"]:
                other = e["recipients"] if side == "actor" else e["actors"]
                echo(f"    {e['date'] or '????'}  {e['type']:<9} " + ", ".join(x["name"] for x in other)
                     + f"  [{e['document']['doc_id']}]")
    for side in ("by", "about"):
        qs = p["quotes"][side]
        if qs["total"]:
            echo(f"  quotes {side}: {qs['total']}")
            for q in qs["latest"]:
                text = q["text"] if len(q["text"]) <= 100 else q["text"][:99] + "…"
                echo(f"    {q['speaker']}: \"{text}\"  [{q['document']['doc_id']}]")
    if p["narratives"]:
        echo("  narratives: " + ", ".join(f"{n['narrative']} ({n['documents']})" for n in p["narratives"]))
    if p["neighbours"]:
        echo("  neighbours:")
        for n in p["neighbours"]:
            echo(f"    {n['name']} ({n['type']})  {n['documents']} doc(s), {n['independent_sources']} independent")


def timeline(
    entity_name: Annotated[Optional[str], typer.Option("--entity", help="Only events with this entity as a party.")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="From this date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Up to this date (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    event_type: Annotated[Optional[str], typer.Option("--type", help="PLOVER event type (AGREE, CONSULT, AID, ...).")] = None,
    limit: Annotated[int, typer.Option(help="Events to start from (their clusters are shown).")] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Events in date order, one line per occurrence with its sources (corroboration)."""
    from newsgraph.store import EntityNotFound
    from newsgraph.store.util import date_interval

    for value, flag in ((start, "--from"), (end, "--to")):
        if value and date_interval(value) is None:
            _fail(f"{flag} {value!r}: give YYYY, YYYY-MM or YYYY-MM-DD")
    store = _open(db)
    try:
        entries = store.timeline(entity_name, start, end, event_type, limit=limit)
    except EntityNotFound as exc:
        _fail(str(exc), 1)
    finally:
        store.close()
    if as_json:
        _dump(entries)
        return
    for c in entries:
        actors = ", ".join(a["name"] for a in c["actors"]) or "?"
        recips = ", ".join(a["name"] for a in c["recipients"])
        date = c["date"] or c["date_start"] or "????"
        if len(c["dates"]) > 1:
            date += f" (also {', '.join(c['dates'][1:])})"
        safe_echo(f"{date}  {c['type']:<9} {actors}" + (f" -> {recips}" if recips else "")
                   + f"  [{c['reports']} report(s), {c['independent_sources']} independent: "
                   + ", ".join(s["doc_id"] for s in c["sources"][:5]) + ("…" if len(c["sources"]) > 5 else "") + "]")


def narratives(
    by: Annotated[str, typer.Option("--by", help="Group by month or outlet.")] = "month",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """How often each narrative is advanced, by month or by outlet."""
    if by not in ("month", "outlet"):
        _fail("--by must be month or outlet")
    store = _open(db)
    try:
        rows = store.narrative_trends(by)
    finally:
        store.close()
    if as_json:
        _dump(rows)
        return
    key = "period" if by == "month" else "outlet"
    for r in rows:
        safe_echo(f"{r[key] or '(undated)':<24} {r['narrative']:<40} {r['documents']:6d} doc(s) "
                   f"{r['independent_sources']:6d} independent")


def stats(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Counts of documents, entities, events, quotes and more."""
    store = _open(db)
    try:
        data = store.stats()
    finally:
        store.close()
    if as_json:
        _dump(data)
        return
    for k, v in data.items():
        safe_echo(f"{k:<22} {v}")


def search(
    query: Annotated[list[str], typer.Argument(help='Words, "exact phrases", OR, -excluded.')],
    limit: Annotated[int, typer.Option(help="Hits of each kind.")] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over document text and quotes."""
    store = _open(db)
    try:
        hits = store.search_text(" ".join(query), limit=limit)
    finally:
        store.close()
    if as_json:
        _dump(hits)
        return
    for h in hits:
        who = f"{h['speaker']}: " if h["kind"] == "quote" else ""
        snippet = " ".join((h["snippet"] or "").split())
        safe_echo(f"{h['kind']:<8} {h['doc_id']}  {who}{snippet}")


def contradictions(
    window: Annotated[int, typer.Option("--window", help="Days apart that roles still count as the same date.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Conflicting roles, conflicting dates of one event, and KB conflicts, with their sources."""
    store = _open(db)
    try:
        found = store.contradictions(role_window_days=window)
    finally:
        store.close()
    if as_json:
        _dump(found)
        return
    for c in found:
        safe_echo(f"{c['kind']:<14} {c['detail']}  [" + ", ".join(s["doc_id"] for s in c["claims"]) + "]")


db_app.command("upgrade")(db_upgrade)
db_app.command("current")(db_current)


app.command("ingest")(ingest)
app.command("entity")(entity)
app.command("timeline")(timeline)
app.command("narratives")(narratives)
app.command("stats")(stats)
app.command("search")(search)
app.command("contradictions")(contradictions)
app.add_typer(db_app, name="db")
