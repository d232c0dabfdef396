"""`newsgraph bench`: deterministic corpus, a complete report, the chart, the command.

Only the report's shape and consistency are checked here; the speed figures
themselves come from running the benchmark, never from timed tests."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsgraph.bench.corpus import corpus_digest, generate_articles
from newsgraph.bench.runner import BenchOptions, run_bench, summary_lines


def test_generated_corpus_is_deterministic_and_news_sized():
    a = generate_articles(12, seed=3, words=600)
    b = generate_articles(12, seed=3, words=600)
    assert [d.body for d in a] == [d.body for d in b]
    assert corpus_digest(a) == corpus_digest(b)
    assert corpus_digest(generate_articles(12, seed=4)) != corpus_digest(a)
    # the first documents do not depend on how many are asked for
    assert generate_articles(3, seed=3)[2].body == a[2].body
    words = [len(d.body.split()) for d in a]
    assert all(600 <= w <= 680 for w in words), words
    assert len({d.doc_id for d in a}) == 12
    body = a[0].body
    assert body.count("\n\n") >= 8          # headline, date, byline, paragraphs
    assert "By " in body and ("said" in body or "told" in body)


def test_generated_articles_do_not_repeat_sentences():
    for doc in generate_articles(5, seed=1):
        sentences = [s for p in doc.body.split("\n\n")[3:] for s in p.split(". ")]
        assert len(sentences) - len(set(sentences)) <= 1


def test_words_option_scales_the_articles():
    short = generate_articles(4, seed=0, words=150)
    assert all(150 <= len(d.body.split()) <= 220 for d in short)


@pytest.fixture(scope="module")
def report(extractor):
    opts = BenchOptions(docs=3, warmup=1, queries=2, pin=False)
    return run_bench(opts, log=lambda _: None, make_extractor=lambda: extractor)


def test_report_has_every_figure(report):
    single = report["single_core"]
    assert single["documents"] == 3 and single["failed"] == 0
    stages = single["stages"]
    for name in ("clean", "metadata", "spacy", "entities", "quotes", "events", "narratives", "signals"):
        assert name in stages, name
        assert stages[name]["ms_per_doc_cpu"] >= 0
    # the stages account for (nearly) all the CPU time of the run
    assert sum(s["ms_per_doc_cpu"] for s in stages.values()) == pytest.approx(single["cpu_ms_per_doc"], rel=0.1)
    assert single["docs_per_cpu_s"] == pytest.approx(1000 / single["cpu_ms_per_doc"], rel=0.01)
    emb = single["embeddings"]
    assert 0 < emb["sentences_computed_per_doc"] <= emb["sentences_requested_per_doc"]
    assert 0 < emb["model_cpu_ms_per_doc"] < single["cpu_ms_per_doc"]
    assert report["store"]["outcome"].get("added") == 3
    for kind in ("entity_profile", "timeline", "search_text"):
        q = report["store"]["queries"][kind]
        assert q["n"] == 2 and q["p50_ms"] <= q["p95_ms"] <= q["max_ms"]
    assert report["peak_rss_mib"] > 100
    base = report["spacy_baseline"]
    assert "parser" in base["full"]["pipeline"] and base["ner_only"]["pipeline"] == ["ner"]
    assert report["ratio_vs_spacy_full"] == pytest.approx(
        single["docs_per_cpu_s"] / base["full"]["docs_per_cpu_s"], rel=0.01)
    assert report["corpus"]["sha256"] == corpus_digest(generate_articles(3, seed=0))
    assert set(report["targets"]) >= {"docs_per_cpu_s", "peak_rss_mib"}
    json.dumps(report)  # JSON-ready


def test_chart_and_summary(report, tmp_path):
    from newsgraph.bench.chart import write_chart

    png = write_chart(report, tmp_path / "bench.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = "\n".join(summary_lines(report))
    assert "docs per CPU-second" in text and "plain spaCy" in text and "narratives" in text


def test_bench_command_writes_report_and_chart(tmp_path):
    from newsgraph.cli import app

    out = tmp_path / "r" / "bench.json"
    result = CliRunner().invoke(app, ["bench", "--docs", "1", "--words", "120", "--no-baseline", "--queries", "1",
                                      "--report", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["corpus"]["documents"] == 1 and "spacy_baseline" not in data
    assert out.with_suffix(".png").is_file()
    assert "docs per CPU-second" in result.output


def test_bench_command_rejects_bad_worker_list(tmp_path):
    from newsgraph.cli import app

    result = CliRunner().invoke(app, ["bench", "--workers", "one,2", "--report", str(tmp_path / "x.json")])
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_summary_warns_when_documents_failed(report):
    import copy

    broken = copy.deepcopy(report)
    broken["single_core"].update(failed=2, errors=["doc.txt: events stage failed: ImportError: boom"])
    first = summary_lines(broken)[0]
    assert first.startswith("WARNING: 2 of 3 documents failed") and "ImportError: boom" in first
