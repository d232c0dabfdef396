"""JSON lines: one document per line, from a ``text`` or an ``html`` field.

Fields: ``text`` or ``html`` (required, one of them), optional ``id``,
``title``, ``url``, ``published``, ``outlet``, ``authors``/``author``,
``language``. A ``.json`` file holding one object or an array of objects is
read the same way (origin ``path#N`` for array items).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.decode import decode_bytes, reads_text
from newsgraph.ingest.html import document_from_html
from newsgraph.ingest.util import (
    clean_space,
    content_id,
    normalize_authors,
    normalize_date,
    normalize_language,
    one_line,
    sanitize_id,
    stem_of,
)

MAX_LINE_ERRORS = 20
"""Bad lines reported one by one in a file; the rest are counted in one summary error."""


def _json_error(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"invalid JSON: {err.msg} at column {err.colno}"
    if isinstance(err, RecursionError):
        return "invalid JSON: nested too deeply"
    return f"invalid JSON: {one_line(err)}"


def _type_name(value: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _record_hints(record: dict) -> dict[str, object]:
    hints: dict[str, object] = {}
    for key in ("title", "outlet"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            hints[key] = clean_space(value)
    url = record.get("url")
    if isinstance(url, str) and url.strip():
        hints["url"] = url.strip()
    if record.get("published") not in (None, ""):
        published = normalize_date(record.get("published"))
        if published:
            hints["published"] = published
        else:
            hints["published_raw"] = one_line(record.get("published"), 100)
    authors = normalize_authors(record.get("authors")) or normalize_authors(record.get("author"))
    if authors:
        hints["authors"] = authors
    language = normalize_language(record.get("language"))
    if language:
        hints["language"] = language
    return hints


def _record_document(record: object, origin: str, stem: str) -> SourceDocument | InputError:
    if not isinstance(record, dict):
        return InputError(origin, f"invalid record: expected a JSON object, got {_type_name(record)}")
    text, markup = record.get("text"), record.get("html")
    for key, value in (("text", text), ("html", markup)):
        if value is not None and not isinstance(value, str):
            return InputError(origin, f'invalid record: "{key}" must be a string, got {_type_name(value)}')
    text = text.replace("\x00", "") if isinstance(text, str) else text  # a "\u0000" is not content
    markup = markup.replace("\x00", "") if isinstance(markup, str) else markup
    has_text = isinstance(text, str) and bool(text.strip())
    has_html = isinstance(markup, str) and bool(markup.strip())
    if not has_text and not has_html:
        if text is not None or markup is not None:
            return InputError(origin, 'empty record: its "text"/"html" field is blank')
        return InputError(origin, 'invalid record: no "text" or "html" field')
    hints = _record_hints(record)
    raw_id = record.get("id")
    doc_id = sanitize_id(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else ""
    if not doc_id:
        doc_id = content_id(stem, hints.get("url"), text if has_text else markup)
    if has_text:
        body = text.replace("\r\n", "\n").replace("\r", "\n")  # type: ignore[union-attr]
        return SourceDocument(doc_id=doc_id, origin=origin, format="jsonl", body=body, raw=body, hints=hints)
    return document_from_html(markup, doc_id=doc_id, origin=origin, fmt="jsonl", hints=hints)  # type: ignore[arg-type]


def _whole_json(data: str) -> list | dict | None:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list | dict) else None


@reads_text(decode_bytes)
def read_jsonl(path: Path, data: str) -> Iterator[SourceDocument | InputError]:
    """One document per line; a bad line yields an ``InputError`` for ``path:line`` and reading goes on."""
    origin = str(path)
    stem = stem_of(path.name)
    stripped = data.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith("["):
        whole = _whole_json(data)
        if isinstance(whole, list):
            if not whole:
                yield InputError(origin, "empty JSON array: no records")
            for n, record in enumerate(whole, 1):
                yield _record_document(record, f"{origin}#{n}", stem)
            return
        if isinstance(whole, dict) and "\n" in data.strip():
            yield _record_document(whole, origin, stem)
            return
    if not stripped:
        yield InputError(origin, "no records (only blank lines)")
        return
    errors = 0
    for lineno, line in enumerate(data.split("\n"), 1):
        if not line.strip():
            continue
        line_origin = f"{origin}:{lineno}"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as err:
            result: SourceDocument | InputError = InputError(line_origin, _json_error(err))
        else:
            result = _record_document(record, line_origin, stem)
        if isinstance(result, InputError):
            errors += 1
            if errors > MAX_LINE_ERRORS:
                continue
        yield result
    if errors > MAX_LINE_ERRORS:
        yield InputError(origin, f"{errors - MAX_LINE_ERRORS} more bad lines not listed ({errors} in all)")
