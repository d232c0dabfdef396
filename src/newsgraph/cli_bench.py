"""``newsgraph bench``: the throughput benchmark, registered on the main app."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from newsgraph.terminal import echo as safe_echo

from newsgraph.cli import KbOption, _extractor, _fail, _load_kb, app, err


def _worker_counts(value: str | None) -> list[int]:
    if not value:
        return []
    try:
        counts = sorted({int(v) for v in value.replace(" ", "").split(",") if v})
    except ValueError:
        _fail(f"--workers {value!r}: give worker counts separated by commas, e.g. 1,2")
    if any(c < 1 for c in counts):
        _fail("--workers: counts must be 1 or more")
    return counts


@app.command()
def bench(
    docs: Annotated[int, typer.Option("--docs", min=1, help="Documents to extract (generated, or cycled from --corpus).")] = 200,
    report: Annotated[Path, typer.Option("--report", help="Write the JSON report here (the chart goes next to it as .png).")] = Path("bench-report.json"),
    corpus: Annotated[Optional[list[str]], typer.Option("--corpus", help="Benchmark on these files/folders instead of generated articles (repeatable).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated corpus: same seed, same articles.")] = 0,
    words: Annotated[int, typer.Option(min=50, help="Words per generated article.")] = 600,
    workers: Annotated[Optional[str], typer.Option("--workers", help="Also time extraction by worker processes, e.g. 1,2.")] = None,
    queries: Annotated[int, typer.Option(min=1, help="Repetitions of each store query.")] = 20,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Measure plain spaCy on the same texts.")] = True,
    chart: Annotated[bool, typer.Option("--chart/--no-chart", help="Write the PNG chart.")] = True,
    kb: KbOption = None,
) -> None:
    """Measure extraction throughput per stage and core, peak memory, store latency, and a plain-spaCy baseline.

    The single-core figures run pinned to one CPU; "docs per CPU-second" is
    the per-core rate even when other programs share the machine.
    """
    from newsgraph.bench.runner import BenchOptions, run_bench, summary_lines

    counts = _worker_counts(workers)
    knowledge, settings = _load_kb(kb)
    opts = BenchOptions(docs=docs, seed=seed, words=words, corpus=corpus, kb_dirs=list(settings.kb_dirs),
                        workers=counts, queries=queries, baseline=baseline)
    try:
        result = run_bench(opts, log=lambda m: err.print(m, markup=False),
                           make_extractor=lambda: _extractor(tuple(settings.kb_dirs), knowledge))
    except ValueError as exc:
        _fail(str(exc))
    try:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        _fail(f"{report}: cannot write the report: {exc.strerror}")
    if chart:
        from newsgraph.bench.chart import write_chart

        result["chart"] = str(write_chart(result, report.with_suffix(".png")))
    for line in summary_lines(result):
        safe_echo(line)
    safe_echo(f"report: {report}" + (f", chart: {result['chart']}" if chart else ""))
    if result["single_core"]["failed"]:
        raise typer.Exit(1)  # figures of a broken pipeline must not pass for a measurement
