"""Reading the files analysts collect: text, Markdown, HTML, JSON lines, feeds, WARC.

``read_documents(paths)`` expands paths, folders and glob patterns, picks a
reader per file (by extension, then by content for unknown extensions) and
yields a ``SourceDocument`` per document or an ``InputError`` per problem; it
never raises for a bad input. Every error message is one line that names the
file (``path``, ``path:line`` or ``path#item``) and says the problem in plain
words: ``examples/x.bin: binary file (PNG image), not a text document``.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.decode import (
    MAX_BYTES,
    DecodeError,
    decode_bytes,
    decode_or_error,
    read_limited,
    resolve_max_bytes,
)
from newsgraph.ingest.feed import looks_like_feed, read_feed
from newsgraph.ingest.html import looks_like_html, read_html
from newsgraph.ingest.jsonl import read_jsonl
from newsgraph.ingest.sources import expand_paths
from newsgraph.ingest.text import MARKDOWN_SUFFIXES, read_text
from newsgraph.ingest.util import one_line
from newsgraph.ingest.warc import looks_like_warc, read_warc

__all__ = [
    "MAX_BYTES",
    "DecodeError",
    "InputError",
    "SourceDocument",
    "decode_bytes",
    "expand_paths",
    "read_documents",
    "read_file",
    "read_text_input",
]

Reader = Callable[[Path, "str | bytes"], Iterator["SourceDocument | InputError"]]

_TEXT_SUFFIXES = frozenset({".txt", ".text"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines", ".json"})
_FEED_SUFFIXES = frozenset({".rss", ".atom", ".xml", ".rdf"})
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def _sniff_text(path: Path, text: str) -> Reader:
    if looks_like_feed(text):
        return read_feed
    if looks_like_html(text):
        return read_html
    head = text.lstrip("\ufeff \t\n")
    if head.startswith(("{", "[")):
        first = head.split("\n", 1)[0].strip()
        if first.endswith(("}", "]")) or head.startswith("["):
            return read_jsonl
    return read_text


def read_file(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Iterator[SourceDocument | InputError]:
    """Documents from one file, whatever its format; errors are yielded, not raised."""
    path = Path(path)
    origin = str(path)
    limit = resolve_max_bytes(max_bytes)
    name = path.name.lower()
    try:
        if path.is_dir():
            yield InputError(origin, "is a folder, not a file")
            return
        if name.endswith(_WARC_SUFFIXES):
            yield from read_warc(path, None, max_record_bytes=limit)
            return
        try:
            data = read_limited(path, limit)
        except DecodeError as err:
            yield InputError(origin, err.message)
            return
        if not data:
            yield InputError(origin, "empty file")
            return
        suffix = path.suffix.lower()
        if suffix in _HTML_SUFFIXES:
            yield from read_html(path, data)
            return
        if suffix in _FEED_SUFFIXES:
            text = decode_or_error(data, origin)
            if isinstance(text, InputError):
                yield text
            elif looks_like_feed(text):
                yield from read_feed(path, data)
            elif looks_like_html(text):
                yield from read_html(path, data)
            else:
                yield InputError(origin, "XML file that is not an RSS or Atom feed")
            return
        if looks_like_warc(data[:65536]):
            yield from read_warc(path, data, max_record_bytes=limit)
            return
        text = decode_or_error(data, origin)
        if isinstance(text, InputError):
            yield text
            return
        if suffix in _JSONL_SUFFIXES:
            yield from read_jsonl(path, text)
        elif suffix in MARKDOWN_SUFFIXES:
            yield from read_text(path, text)
        else:
            reader = _sniff_text(path, text)
            if reader is read_jsonl and suffix in _TEXT_SUFFIXES:
                reader = read_text
            yield from reader(path, data if reader in (read_html, read_feed) else text)
    except Exception as err:  # last resort: a reader bug must not stop the other files
        yield InputError(origin, f"unexpected error while reading: {type(err).__name__}: {one_line(err, 120)}")


def read_documents(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int | None = None,
) -> Iterator[SourceDocument | InputError]:
    """Every document in ``paths`` (files, folders, glob patterns), and an ``InputError`` per problem.

    ``max_bytes`` caps the size of one file (default 20 MB or
    ``$NEWSGRAPH_MAX_BYTES``); for WARC archives, which are streamed, it caps
    each record. ``doc_id``s are made unique within one call (``-2``, ``-3``).
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    seen_ids: dict[str, int] = {}
    for item in expand_paths(paths):
        if isinstance(item, InputError):
            yield item
            continue
        for result in read_file(item, max_bytes=max_bytes):
            if isinstance(result, SourceDocument):
                count = seen_ids.get(result.doc_id, 0) + 1
                seen_ids[result.doc_id] = count
                if count > 1:
                    new_id = f"{result.doc_id}-{count}"
                    while new_id in seen_ids:
                        count += 1
                        new_id = f"{result.doc_id}-{count}"
                    seen_ids[new_id] = 1
                    result.doc_id = new_id
            yield result


def read_text_input(text: str, doc_id: str | None = None) -> SourceDocument:
    """A one-off string as a document (format ``text``, a scrape to clean).

    ``doc_id`` defaults to the first 16 hex digits of the text's SHA-256.
    """
    body = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if doc_id is None:
        doc_id = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return SourceDocument(
        doc_id=doc_id,
        origin="<text>",
        format="text",
        body=body,
        raw=body,
        needs_scrape_cleaning=True,
    )
