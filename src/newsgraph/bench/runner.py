"""``newsgraph bench``: throughput per stage, memory, store latency, and a plain-spaCy baseline.

One run measures, on the same documents and in the same process:

1. full extraction pinned to one core: documents per second of wall time and
   per CPU-second (the honest per-core figure on a shared machine), with the
   time of every stage (``Extractor.clock``);
2. the store: writing the records to a fresh SQLite store, then the latency of
   entity profiles, timelines and full-text search (p50/p95);
3. peak resident memory after 1 and 2;
4. the baseline: plain ``spacy.load`` of the same pinned model over the same
   cleaned texts (full pipeline, NER only, tokenizer only);
5. optionally, extraction with N worker processes (``workers=[1, 2]``): wall
   time and speed-up over one worker, and CPU-seconds per document.

The report is a JSON-ready dict; :mod:`newsgraph.bench.chart` draws it.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsgraph.ingest.base import SourceDocument

# The targets, reported next to the measured figures.
TARGET_DOCS_PER_CORE = 20.0
TARGET_PEAK_RSS_MIB = 1.5 * 1024
TARGET_TWO_WORKER_SPEEDUP = 1.7
# Stages as the issue groups them (our stage names -> its headings).
STAGE_GROUPS = {
    "clean": "cleaning", "metadata": "metadata", "spacy": "spaCy", "entities": "entities",
    "cited_sources": "entities", "roles": "events/roles/quotes", "quotes": "events/roles/quotes",
    "events": "events/roles/quotes", "narratives": "narratives", "signals": "narratives", "record": "record",
}


@dataclass
class BenchOptions:
    docs: int = 200
    seed: int = 0
    words: int = 600
    corpus: list[str] | None = None   # files/folders to cycle through instead of generated articles
    kb_dirs: list[Path] = field(default_factory=list)
    workers: list[int] = field(default_factory=list)  # worker counts for the scaling runs
    warmup: int = 3
    queries: int = 20                 # repetitions of each store query
    baseline: bool = True
    pin: bool = True
    batch_size: int = 16


def _load_avg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_corpus(opts: BenchOptions) -> tuple[list[SourceDocument], list[SourceDocument], dict]:
    """(measured documents, warm-up documents, description)."""
    from newsgraph.bench.corpus import corpus_digest, generate_articles

    if opts.corpus:
        from newsgraph.ingest import read_documents

        found = [d for d in read_documents(opts.corpus) if isinstance(d, SourceDocument)]
        if not found:
            raise ValueError(f"no readable documents in {', '.join(opts.corpus)}")
        docs = [dataclasses.replace(d, doc_id=f"{d.doc_id}-{i}") if i >= len(found) else d
                for i, d in zip(range(opts.docs), itertools.cycle(found))]
        warm = found[: opts.warmup]
        kind = {"kind": "files", "paths": list(opts.corpus), "distinct_documents": len(found)}
    else:
        docs = generate_articles(opts.docs, seed=opts.seed, words=opts.words)
        warm = generate_articles(opts.warmup, seed=opts.seed + 1_000_003, words=opts.words)
        kind = {"kind": "generated", "seed": opts.seed, "target_words": opts.words}
    words = [len(d.body.split()) for d in docs]
    kind.update(documents=len(docs), mean_words=round(statistics.mean(words), 1) if words else 0,
                sha256=corpus_digest(docs))
    return docs, warm, kind


def pin_one_core() -> tuple[set[int] | None, int | None]:
    if not hasattr(os, "sched_setaffinity"):
        return None, None
    allowed = os.sched_getaffinity(0)
    cpu = sorted(allowed)[-1]
    os.sched_setaffinity(0, {cpu})
    return allowed, cpu


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {}

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]

    return {"p50_ms": round(pick(0.5) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "n": len(ordered)}


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure_extraction(extractor, docs: list[SourceDocument], batch_size: int) -> tuple[list, dict]:
    """Run the extractor over ``docs``; (results, figures with per-stage times)."""
    from newsgraph.nlp.embeddings import Embedder

    embedder = Embedder.get()
    before = dict(embedder.counters)
    extractor.clock.reset()
    wall, cpu = time.perf_counter(), time.process_time()
    results = list(extractor.extract_many(docs, batch_size=batch_size))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(docs)
    used = {k: embedder.counters[k] - before[k] for k in before}
    words = sum(len(d.body.split()) for d in docs)
    clock = extractor.clock
    stages = {}
    total_cpu = sum(clock.cpu.values()) or 1e-9
    for name in ["clean", "metadata", "spacy", *[s for s in extractor.stages if s not in ("clean", "metadata")],
                 "record"]:
        if name not in clock.wall:
            continue
        stages[name] = {
            "group": STAGE_GROUPS.get(name, name),
            "ms_per_doc_wall": round(1000 * clock.wall[name] / n, 2),
            "ms_per_doc_cpu": round(1000 * clock.cpu[name] / n, 2),
            "share_cpu": round(clock.cpu[name] / total_cpu, 4),
        }
    errors = [f"{r.origin}: {r.message}" for r in results if not hasattr(r, "doc_id")]
    figures = {
        "documents": n,
        "failed": len(errors),
        "errors": errors[:5],
        "words": words,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "docs_per_s_wall": round(n / wall, 3),
        "docs_per_cpu_s": round(n / cpu, 3),
        "cpu_ms_per_doc": round(1000 * cpu / n, 2),
        "words_per_cpu_s": round(words / cpu),
        "stages": stages,
        # sentence embeddings (inside the events and narratives stages): the largest single cost
        "embeddings": {
            "sentences_requested_per_doc": round(used["requested"] / n, 1),
            "sentences_computed_per_doc": round(used["computed"] / n, 1),
            "model_cpu_ms_per_doc": round(1000 * used["model_cpu_s"] / n, 2),
            "model_cpu_ms_per_sentence": round(1000 * used["model_cpu_s"] / used["computed"], 2)
            if used["computed"] else None,
            "share_cpu": round(used["model_cpu_s"] / cpu, 4) if cpu else None,
        },
    }
    return results, figures


def measure_store(records: list, sources: dict[str, SourceDocument], queries: int) -> dict:
    """Write ``records`` to a fresh SQLite store and time typical queries."""
    from newsgraph.store import Store

    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-") as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        try:
            items = [(r, sources[r.source].raw if r.source in sources else None, r.source, "text") for r in records]
            wall, cpu = time.perf_counter(), time.process_time()
            outcome = Counter(res.status for res in store.add_records(items))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            n = max(1, len(records))
            names = Counter(e.name for r in records for e in r.entities if e.type in ("GPE", "ORG", "PERSON"))
            top = []
            for name, _ in names.most_common(20):  # the most mentioned entities the store knows
                try:
                    store.find_entity(name)
                except LookupError:
                    continue
                top.append(name)
                if len(top) == 5:
                    break
            words = ["sovereignty", "helicopters", '"military cooperation"', "sanctions OR embargo", "Wagner"]
            kinds: dict[str, Callable[[int], object]] = {
                "entity_profile": lambda i: store.entity_profile(top[i % len(top)]),
                "timeline": lambda i: store.timeline(top[i % len(top)]),
                "search_text": lambda i: store.search_text(words[i % len(words)]),
            }
            latency = {}
            for kind, run in kinds.items():
                if not top:
                    break
                cold = _timed(lambda: run(0))
                samples = [_timed(lambda i=i: run(i)) for i in range(queries)]
                latency[kind] = {**_percentiles(samples), "first_ms": round(cold * 1000, 2)}
        finally:
            store.close()
    return {"documents": len(records), "outcome": dict(outcome), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "ms_per_doc_wall": round(1000 * wall / n, 2), "ms_per_doc_cpu": round(1000 * cpu / n, 2),
            "queries": latency}


def measure_spacy_baseline(texts: list[str], batch_size: int) -> dict:
    """Plain spaCy on the same texts: the full pinned pipeline, NER alone, the tokenizer alone."""
    import spacy

    from newsgraph.nlp.spacy_pipeline import MODEL_PACKAGE

    words = sum(len(t.split()) for t in texts)
    n = len(texts)
    out: dict[str, dict] = {}

    def run(label: str, components: list[str], fn) -> None:
        fn(texts[:2])  # warm caches
        wall, cpu = time.perf_counter(), time.process_time()
        fn(texts)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        out[label] = {"pipeline": components, "docs_per_cpu_s": round(n / cpu, 3),
                      "docs_per_s_wall": round(n / wall, 3), "cpu_ms_per_doc": round(1000 * cpu / n, 2),
                      "words_per_cpu_s": round(words / cpu)}

    full = spacy.load(MODEL_PACKAGE)
    run("full", list(full.pipe_names), lambda ts: list(full.pipe(ts, batch_size=batch_size)))
    names = list(full.pipe_names)
    del full
    ner = spacy.load(MODEL_PACKAGE, exclude=[p for p in names if p != "ner"])
    run("ner_only", list(ner.pipe_names), lambda ts: list(ner.pipe(ts, batch_size=batch_size)))
    run("tokenizer_only", [], lambda ts: [ner.make_doc(t) for t in ts])
    out["model"] = MODEL_PACKAGE
    out["spacy_version"] = spacy.__version__
    return out


def measure_workers(docs: list[SourceDocument], kb_dirs: list[Path], counts: list[int],
                    log: Callable[[str], None]) -> list[dict]:
    """Extraction by 1..N worker processes (models loaded before the clock starts)."""
    from newsgraph.parallel import ExtractorSpec, LocalPool, RunStats

    spec = ExtractorSpec.of(kb_dirs)
    rows = []
    for count in counts:
        log(f"bench: {count} worker process(es) over {len(docs)} documents")
        with LocalPool(spec, count) as pool:
            pool.warm()
            stats = RunStats()
            load = _load_avg()
            wall = time.perf_counter()
            done = sum(1 for r in pool.run(docs, stats=stats) if hasattr(r, "doc_id"))
            wall = time.perf_counter() - wall
        rows.append({"workers": count, "documents": done, "wall_s": round(wall, 3),
                     "docs_per_s_wall": round(done / wall, 3),
                     "cpu_ms_per_doc": round(1000 * stats.cpu_s / max(1, stats.documents), 2),
                     "docs_per_cpu_s": round(stats.documents / stats.cpu_s, 3) if stats.cpu_s else None,
                     "worker_peak_rss_mib": round(stats.peak_rss_mib), "load_avg_before": load,
                     "load_avg_after": _load_avg()})
    base = next((r for r in rows if r["workers"] == 1), None)
    for r in rows:
        if base:
            r["speedup_wall_vs_1"] = round(r["docs_per_s_wall"] / base["docs_per_s_wall"], 3)
            if r["docs_per_cpu_s"] and base["docs_per_cpu_s"]:
                # What N workers would give on N idle cores: N x their per-core rate.
                r["speedup_cpu_vs_1"] = round(r["workers"] * r["docs_per_cpu_s"] / base["docs_per_cpu_s"], 3)
    return rows


def run_bench(opts: BenchOptions, log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
              make_extractor: Callable[[], object] | None = None) -> dict:
    """Run the benchmark (see module docstring); ``make_extractor`` returns the extractor to
    measure (default: a new one for ``opts.kb_dirs``); its run time is the startup time."""
    from newsgraph import __version__
    from newsgraph.ingest.clean import clean_plain, clean_scrape
    from newsgraph.kb import load_kb
    from newsgraph.parallel import available_cores, peak_rss_mib
    from newsgraph.pipeline import Extractor

    docs, warm, corpus = load_corpus(opts)
    report: dict = {
        "newsgraph": __version__, "python": platform.python_version(), "platform": platform.platform(),
        "cpu": _cpu_model(), "cores_available": available_cores(), "load_avg_start": _load_avg(),
        "corpus": corpus,
    }
    allowed, cpu = pin_one_core() if opts.pin else (None, None)
    report["pinned_cpu"] = cpu
    try:
        log(f"bench: loading models (pinned to cpu {cpu})" if cpu is not None else "bench: loading models")
        t = time.perf_counter()
        extractor = make_extractor() if make_extractor else Extractor(load_kb(opts.kb_dirs))
        report["startup_s"] = round(time.perf_counter() - t, 2)
        list(extractor.extract_many(warm, batch_size=opts.batch_size))  # lazy models load here
        report["startup_with_warmup_s"] = round(time.perf_counter() - t, 2)
        log(f"bench: extracting {len(docs)} documents")
        results, single = measure_extraction(extractor, docs, opts.batch_size)
        report["single_core"] = single
        records = [r for r in results if hasattr(r, "doc_id")]
        report["peak_rss_mib_extraction"] = round(peak_rss_mib())
        log("bench: storing records and timing queries")
        report["store"] = measure_store(records, {d.origin: d for d in docs}, opts.queries)
        report["peak_rss_mib"] = round(peak_rss_mib())
        del extractor, results, records
        if opts.baseline:
            log("bench: plain spaCy baseline")
            texts = [(clean_scrape(d.body) if d.needs_scrape_cleaning else clean_plain(d.body)).text for d in docs]
            base = measure_spacy_baseline(texts, opts.batch_size)
            report["spacy_baseline"] = base
            report["ratio_vs_spacy_full"] = round(single["docs_per_cpu_s"] / base["full"]["docs_per_cpu_s"], 3)
            report["ratio_vs_spacy_ner"] = round(single["docs_per_cpu_s"] / base["ner_only"]["docs_per_cpu_s"], 3)
    finally:
        if allowed is not None:
            os.sched_setaffinity(0, allowed)
    if opts.workers:
        report["workers"] = measure_workers(docs, opts.kb_dirs, sorted(set(opts.workers)), log)
    report["load_avg_end"] = _load_avg()
    two = next((r for r in report.get("workers", []) if r["workers"] == 2), None)
    report["targets"] = {
        "docs_per_cpu_s": {"target": TARGET_DOCS_PER_CORE, "measured": single["docs_per_cpu_s"],
                           "met": single["docs_per_cpu_s"] >= TARGET_DOCS_PER_CORE},
        "peak_rss_mib": {"target": TARGET_PEAK_RSS_MIB, "measured": report["peak_rss_mib"],
                         "met": report["peak_rss_mib"] <= TARGET_PEAK_RSS_MIB},
    }
    if two is not None:
        report["targets"]["two_worker_speedup_wall"] = {
            "target": TARGET_TWO_WORKER_SPEEDUP, "measured": two.get("speedup_wall_vs_1"),
            "met": (two.get("speedup_wall_vs_1") or 0) >= TARGET_TWO_WORKER_SPEEDUP}
    return report


def summary_lines(report: dict) -> list[str]:
    """A human-readable digest of a report."""
    s = report["single_core"]
    lines = []
    if s["failed"]:
        lines.append(f"WARNING: {s['failed']} of {s['documents']} documents failed; the figures are not "
                     f"comparable. First: {s['errors'][0]}")
    lines += [
        f"corpus: {report['corpus']['documents']} docs, {report['corpus']['mean_words']} words/doc "
        f"({report['corpus']['kind']}, sha256 {report['corpus']['sha256'][:12]})",
        f"one core: {s['docs_per_cpu_s']:.2f} docs per CPU-second ({s['cpu_ms_per_doc']:.0f} ms/doc), "
        f"{s['docs_per_s_wall']:.2f} docs/s wall; load avg {report.get('load_avg_start')}",
        "stage                 ms/doc cpu   ms/doc wall   share",
    ]
    for name, st in s["stages"].items():
        lines.append(f"  {name:<18} {st['ms_per_doc_cpu']:10.1f} {st['ms_per_doc_wall']:12.1f} {st['share_cpu']:8.1%}")
    st = report["store"]
    e = s.get("embeddings")
    if e and e["model_cpu_ms_per_sentence"]:
        lines.append(f"  of which sentence embeddings: {e['model_cpu_ms_per_doc']:.1f} ms/doc "
                     f"({e['sentences_computed_per_doc']:.1f} sentences/doc of {e['sentences_requested_per_doc']:.1f} "
                     f"asked for, {e['model_cpu_ms_per_sentence']:.1f} ms each, {e['share_cpu']:.0%} of the CPU time)")
    lines.append(f"  {'store (write)':<18} {st['ms_per_doc_cpu']:10.1f} {st['ms_per_doc_wall']:12.1f}")
    for kind, q in st["queries"].items():
        lines.append(f"  query {kind:<14} p50 {q['p50_ms']:.1f} ms  p95 {q['p95_ms']:.1f} ms")
    lines.append(f"peak RSS: {report['peak_rss_mib']} MiB")
    if "spacy_baseline" in report:
        b = report["spacy_baseline"]
        lines.append(f"plain spaCy ({b['model']}): full {b['full']['docs_per_cpu_s']:.2f} docs/CPU-s, "
                     f"NER only {b['ner_only']['docs_per_cpu_s']:.2f}, tokenizer {b['tokenizer_only']['docs_per_cpu_s']:.0f}; "
                     f"newsgraph / spaCy full = {report['ratio_vs_spacy_full']:.3f}")
    for r in report.get("workers", []):
        lines.append(f"{r['workers']} worker(s): {r['docs_per_s_wall']:.2f} docs/s wall "
                     f"(x{r.get('speedup_wall_vs_1', 1):.2f}), {r['cpu_ms_per_doc']:.0f} CPU-ms/doc "
                     f"(x{r.get('speedup_cpu_vs_1', 1):.2f} by CPU time), load {r['load_avg_before']}")
    return lines
