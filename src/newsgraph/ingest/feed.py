"""RSS and Atom feeds: each item a document, via feedparser.

Safety: the feed is handed to feedparser as bytes (a string that looks like a
URL or a file name would be fetched or opened), with its DOCTYPE removed so no
entity (external ``SYSTEM`` ones, or "billion laughs" expansions) is declared.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.decode import decode_bytes, declared_xml_encoding, reads_text
from newsgraph.ingest.html import document_from_html, snippet_text
from newsgraph.ingest.util import (
    clean_space,
    content_id,
    normalize_authors,
    normalize_date,
    normalize_language,
    one_line,
    stem_of,
)

_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(r"<html[\s>]", re.IGNORECASE)
_ELEMENT_START = re.compile(r"<[A-Za-z]")
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)[^<>]*>?", re.IGNORECASE)
_FULL_PAGE = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)


def looks_like_feed(text: str) -> bool:
    """Content sniffing: an XML document whose root is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``."""
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if not head.startswith("<"):
        return False
    feed = _FEED_ROOT.search(head)
    if feed is None:
        return False
    page = _HTML_ROOT.search(head)
    return page is None or page.start() > feed.start()


def _decode_feed(data: bytes, origin: str) -> str:
    return decode_bytes(data, origin, declared_encoding=declared_xml_encoding(data))


def _sanitize(text: str) -> bytes:
    """Feed text as UTF-8 bytes with no DOCTYPE or entity declarations.

    The prolog (XML declaration, comments, DOCTYPE with its internal subset)
    is replaced by a plain UTF-8 XML declaration; stray declarations later on
    are removed too.
    """
    start = _ELEMENT_START.search(text)
    prolog, body = (text[: start.start()], text[start.start() :]) if start else ("", text)
    body = _DECLARATION.sub("", body)
    # newlines in place of the prolog keep the line numbers of parse errors right
    return ('<?xml version="1.0" encoding="utf-8"?>' + "\n" * prolog.count("\n") + body).encode("utf-8", "replace")


def _bozo_message(err: object) -> str:
    get_message = getattr(err, "getMessage", None)
    get_line = getattr(err, "getLineNumber", None)
    if callable(get_message) and callable(get_line):
        return f"{get_message()} at line {get_line()}"
    return one_line(err, 120)


def _entry_content(entry: dict) -> tuple[str, str]:
    """``(value, mime type)`` of an item's content, else its summary."""
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if isinstance(value, str) and value.strip():
            return value, content.get("type") or "text/html"
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        detail = entry.get("summary_detail") or {}
        return summary, detail.get("type") or "text/html"
    return "", "text/plain"


def _entry_date(entry: dict) -> str | None:
    for key in ("published", "updated", "created"):
        date = normalize_date(entry.get(key))  # the date as written, no time-zone shift
        if date:
            return date
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        date = normalize_date(entry.get(key))
        if date:
            return date
    return None


@reads_text(_decode_feed)
def read_feed(path: Path, data: str) -> Iterator[SourceDocument | InputError]:
    """An RSS/Atom feed: one document per item, origin ``path#N``."""
    import feedparser

    origin = str(path)
    try:
        parsed = feedparser.parse(
            io.BytesIO(_sanitize(data)),
            response_headers={"content-type": "application/xml; charset=utf-8"},
            resolve_relative_uris=False,
        )
    except Exception as err:  # feedparser's loose parser copes with most things; not all
        yield InputError(origin, f"cannot parse feed: {one_line(err)}")
        return
    entries = parsed.get("entries") or []
    if not any(e.get(k) for e in entries for k in ("title", "link", "summary", "content", "id")):
        if parsed.get("bozo"):
            yield InputError(origin, f"not a valid feed: {_bozo_message(parsed.get('bozo_exception'))}")
        else:
            yield InputError(origin, "feed has no items")
        return
    channel = parsed.get("feed") or {}
    outlet = clean_space(channel.get("title") or "") or None
    language = normalize_language(channel.get("language"))
    stem = stem_of(path.name)
    for n, entry in enumerate(entries, 1):
        item_origin = f"{origin}#{n}"
        try:
            yield _entry_document(entry, item_origin, stem, outlet, language)
        except Exception as err:  # one odd item must not stop the feed
            yield InputError(item_origin, f"cannot read feed item: {one_line(err)}")


def _entry_document(
    entry: dict, origin: str, stem: str, outlet: str | None, language: str | None
) -> SourceDocument | InputError:
    value, mime = _entry_content(entry)
    title = clean_space(snippet_text(entry.get("title") or "")) or None
    hints: dict[str, object] = {}
    if title:
        hints["title"] = title
    published = _entry_date(entry)
    if published:
        hints["published"] = published
    author = entry.get("author")
    if isinstance(author, str) and "@" in author:  # feedparser mangles "mail@host (Name)"
        authors = normalize_authors(author)
    else:
        authors = normalize_authors(entry.get("authors")) or normalize_authors(author)
    if authors:
        hints["authors"] = authors
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        hints["url"] = link.strip()
    if outlet:
        hints["outlet"] = outlet
    if language:
        hints["language"] = language
    doc_id = content_id(stem, hints.get("url"), entry.get("id"), value, title)
    if "html" in mime and _FULL_PAGE.search(value) and len(value) > 2000:
        doc = document_from_html(value, doc_id=doc_id, origin=origin, fmt="feed", hints=hints)
        if isinstance(doc, SourceDocument):
            return doc
    body = snippet_text(value) if "html" in mime else value.replace("\r\n", "\n").strip()
    if not body:
        if not title:
            return InputError(origin, "feed item has no text and no title")
        body = title  # a headline-only item: the headline is its text
    return SourceDocument(doc_id=doc_id, origin=origin, format="feed", body=body, raw=value or body, hints=hints)
