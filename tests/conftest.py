"""Shared fixtures: the built-in KB and one extractor for the whole session (spaCy loads once)."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.ingest.base import SourceDocument

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples" / "corpus"


@pytest.fixture(scope="session")
def kb():
    from newsgraph.kb import load_kb

    return load_kb()


@pytest.fixture(scope="session")
def extractor(kb):
    from newsgraph.pipeline import Extractor

    return Extractor(kb)


@pytest.fixture
def extract_text(extractor):
    """Record of a one-off scrape, as `newsgraph extract --text` would make it."""

    def run(text: str, doc_id: str = "t", **hints) -> object:
        return extractor.extract(SourceDocument(doc_id, doc_id, "text", text, text, True, hints))

    return run


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "eval" / "dev" / "gold").is_dir():
        pytest.skip(f"../shared not present at {SHARED}: dev-set checks skipped")
    return SHARED
