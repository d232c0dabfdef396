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
    "published": 0.8,  # exact on at least four of five
    "title": 1.0,  # exact on at least four: four of the five have a gold title
    "span_integrity": 1.0,
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
