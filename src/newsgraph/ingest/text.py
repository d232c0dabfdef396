"""Plain-text and Markdown files: one document each, body as found (a scrape to clean)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.decode import decode_bytes, reads_text
from newsgraph.ingest.util import sanitize_id, stem_of

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})


@reads_text(decode_bytes)
def read_text(path: Path, data: str) -> Iterator[SourceDocument | InputError]:
    """A ``.txt`` or ``.md`` file: one document, ``doc_id`` the file name without extension."""
    origin = str(path)
    if not data.strip():
        yield InputError(origin, "no text in file (only whitespace)")
        return
    fmt = "markdown" if path.suffix.lower() in MARKDOWN_SUFFIXES else "text"
    yield SourceDocument(
        doc_id=sanitize_id(stem_of(path.name)) or sanitize_id(path.name) or "document",
        origin=origin,
        format=fmt,
        body=data,
        raw=data,
        needs_scrape_cleaning=True,
    )
