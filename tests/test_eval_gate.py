"""The evaluation gate: extraction on the dev set must stay above the floors
the issues set (like trafilatura's evaluation corpus). Skips without ../shared."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsgraph.ingest import read_documents

FLOORS = {
    "entities": 0.90,  # F1
    "published": 1.0,  # exact on all five (one dated only by "the year 2024 has ended")
    "title": 1.0,  # exact on at least four: four of the five have a gold title
    "span_integrity": 1.0,
    # issue 3 asks for strict 0.65, lenient 0.75, dates 0.85; measured 0.824, 0.837, 0.905
    "events_strict": 0.80,  # F1
    "events_lenient": 0.81,  # F1
    "event_dates": 0.88,  # share of strictly matched events with the gold date
    # issues 3 and 4: roles and quotes 0.80, narratives and signals 0.75 (F1)
    "roles": 0.80,
    "quotes": 0.80,
    "narratives": 0.75,
    "signals": 0.75,
    "cited_sources": 0.90,
}


@pytest.fixture(scope="module")
def dev_scores(extractor, shared_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pred")
    docs = sorted((shared_dir / "eval" / "dev" / "docs").glob("*"))
    sources = [d for d in read_documents([str(p) for p in docs]) if hasattr(d, "doc_id")]
    assert len(sources) == len(docs)
    for record in extractor.extract_many(sources):
        (out / f"{record.doc_id}.json").write_text(record.model_dump_json())
    result = subprocess.run(
        [sys.executable, str(shared_dir / "eval" / "score.py"), "--pred", str(out),
         "--gold", str(shared_dir / "eval" / "dev" / "gold"), "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


def test_entities_f1(dev_scores):
    assert dev_scores["entities"]["f1"] >= FLOORS["entities"], dev_scores["entities"]


def test_published_exact(dev_scores):
    assert dev_scores["published"] >= FLOORS["published"]


def test_titles_exact(dev_scores):
    assert dev_scores["title"] >= FLOORS["title"]


def test_span_integrity(dev_scores):
    assert dev_scores["span_integrity"] == FLOORS["span_integrity"]


def test_events_f1(dev_scores):
    assert dev_scores["events_strict"]["f1"] >= FLOORS["events_strict"], dev_scores["events_strict"]
    assert dev_scores["events_lenient"]["f1"] >= FLOORS["events_lenient"], dev_scores["events_lenient"]


def test_event_dates(dev_scores):
    assert dev_scores["event_dates"] >= FLOORS["event_dates"]


@pytest.mark.parametrize("field", ["roles", "quotes", "narratives", "signals", "cited_sources"])
def test_field_f1(dev_scores, field):
    assert dev_scores[field]["f1"] >= FLOORS[field], dev_scores[field]
