"""Extraction by worker processes: same records as one process, in input order, errors per document."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgraph.ingest import read_documents
from newsgraph.ingest.base import SourceDocument
from newsgraph.parallel import (
    AUTO_MIN_DOCS_PER_WORKER,
    ExtractorSpec,
    LocalPool,
    RunStats,
    available_cores,
    chunks,
    extract_parallel,
    plan_workers,
)
from newsgraph.pipeline import ExtractionError, stage

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"

MARK_FAIL = "PARALLEL-TEST-FAIL"
MARK_CRASH = "PARALLEL-TEST-CRASH"


# Test stages, registered when the workers import this module (ExtractorSpec.plugins).
@stage("test_fail_if_marked")
def _fail_if_marked(ex, ctx) -> None:
    if MARK_FAIL in ctx.text:
        raise ValueError("marked to fail")


@stage("test_crash_if_marked")
def _crash_if_marked(ex, ctx) -> None:
    if MARK_CRASH in ctx.text:
        os._exit(3)  # a worker dying in native code looks like this to the pool


def small_extractor(spec: ExtractorSpec):
    """A real Extractor that starts fast: an empty KB and a blank English pipeline."""
    import spacy

    from newsgraph.kb.store import KnowledgeBase
    from newsgraph.pipeline import Extractor

    return Extractor(KnowledgeBase(), stages=spec.stages, nlp=spacy.blank("en"))


def _doc(i: int, text: str) -> SourceDocument:
    return SourceDocument(f"d{i}", f"doc{i}.txt", "text", text, text, True)


@pytest.fixture(scope="module")
def example_sources():
    docs = [d for d in read_documents([str(EXAMPLES)]) if isinstance(d, SourceDocument)]
    return docs[:5]


def _dump(results):
    return [r.model_dump(mode="json") if hasattr(r, "doc_id") else (r.origin, r.message) for r in results]


def test_two_workers_give_the_records_of_one_process_in_order(extractor, example_sources):
    expected = _dump(extractor.extract_many(example_sources))
    stats = RunStats()
    got = _dump(extract_parallel(example_sources, ExtractorSpec.of(), workers=2, chunk_size=2, stats=stats))
    assert got == expected
    assert stats.documents == len(example_sources)
    assert len(stats.worker_pids) >= 1 and os.getpid() not in stats.worker_pids
    assert stats.cpu_s > 0 and stats.peak_rss_mib > 100
    assert stats.clock is not None and stats.clock.documents == len(example_sources)
    assert set(stats.clock.cpu) >= {"spacy", "entities", "events", "narratives"}


def test_errors_are_reported_per_document_and_the_run_goes_on():
    spec = ExtractorSpec.of(stages=["clean", "metadata", "test_fail_if_marked", "test_crash_if_marked"],
                            plugins=[__name__], factory=f"{__name__}:small_extractor")
    docs = [_doc(0, "Mali signed a deal with Russia."), _doc(1, f"This one is {MARK_FAIL}."),
            _doc(2, f"This one is {MARK_CRASH} and kills its worker."), _doc(3, "Niger left ECOWAS."),
            _doc(4, "Chad expelled the ambassador.")]
    stats = RunStats()
    with LocalPool(spec, workers=1) as pool:
        results = list(pool.run(docs, chunk_size=2, stats=stats))
    assert [getattr(r, "doc_id", None) for r in results] == ["d0", None, None, "d3", "d4"]
    assert isinstance(results[1], ExtractionError) and results[1].origin == "doc1.txt"
    assert "test_fail_if_marked stage failed: ValueError: marked to fail" in results[1].message
    assert isinstance(results[2], ExtractionError) and results[2].origin == "doc2.txt"
    assert "worker died" in results[2].message
    assert stats.restarts >= 1


def test_chunks_keep_order_and_size():
    docs = [_doc(i, "x") for i in range(7)]
    assert [[d.doc_id for d in c] for c in chunks(docs, 3)] == [["d0", "d1", "d2"], ["d3", "d4", "d5"], ["d6"]]


def test_plan_workers_keeps_small_inputs_in_process():
    few = [_doc(i, "x") for i in range(3)]
    workers, it = plan_workers(None, iter(few))
    assert workers == 1
    assert [d.doc_id for d in it] == ["d0", "d1", "d2"]  # nothing lost by peeking
    many = [_doc(i, "x") for i in range(AUTO_MIN_DOCS_PER_WORKER * 4)]
    workers, it = plan_workers(None, iter(many))
    assert workers == min(available_cores(), 4)
    assert len(list(it)) == len(many)
    assert plan_workers(3, iter(few))[0] == 3  # an explicit count is obeyed


def test_extract_command_with_workers_matches_one_process(tmp_path):
    from newsgraph.cli import app

    paths = [str(p) for p in sorted(EXAMPLES.glob("*.txt"))[:3]] + [str(tmp_path / "missing.txt")]
    runner = CliRunner()
    one = runner.invoke(app, ["extract", *paths, "--out", str(tmp_path / "one"), "--workers", "1"])
    two = runner.invoke(app, ["extract", *paths, "--out", str(tmp_path / "two"), "--workers", "2"])
    assert one.exit_code == two.exit_code == 1, (one.output, two.output)  # the missing file
    assert "missing.txt" in two.output and "3 record(s) written" in two.output
    a = {p.name: p.read_text() for p in (tmp_path / "one").glob("*.json")}
    b = {p.name: p.read_text() for p in (tmp_path / "two").glob("*.json")}
    assert len(a) == 3 and a == b


def test_extract_command_rejects_unknown_engine(tmp_path):
    from newsgraph.cli import app

    result = CliRunner().invoke(app, ["extract", "--text", "Mali.", "--engine", "spark"])
    assert result.exit_code == 2 and "--engine" in result.output
    result = CliRunner().invoke(app, ["extract", "--text", "Mali.", "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2 and "--engine dask" in result.output
