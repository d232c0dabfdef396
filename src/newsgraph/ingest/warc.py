"""Web archives (WARC, also ARC; plain or gzip): each archived HTML page a document.

Every ``response`` record with status 200 and an HTML content type (and every
``resource`` record holding HTML) goes through the HTML reader; the page's URL
is the record's ``WARC-Target-URI`` and, when the page states no publication
date, the capture date goes into the ``crawled`` hint.

Limits against decompression bombs: a record's payload is read up to
``max_record_bytes`` (once decompressed, HTTP gzip included); a record over it
yields an ``InputError`` and the archive goes on. The whole archive is read up
to ``max_total_bytes`` of decompressed data. Header lines are read at most
``MAX_HEADER_LINE`` bytes at a time and ``MAX_HEADER_BYTES`` per record (warcio
reads a header line whole: a gzip member inflating to one endless line would
otherwise be gathered in memory, with a quadratic copy). A truncated or
corrupt archive yields an ``InputError`` for the rest of the file after the
documents already read.
"""
from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from typing import BinaryIO

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.decode import DecodeError, resolve_max_bytes
from newsgraph.ingest.html import decode_html, document_from_html, looks_like_html
from newsgraph.ingest.util import content_id, human_size, normalize_date, one_line, stem_of

TOTAL_FACTOR = 10
"""Default cap on a whole archive's decompressed data: this many times the per-record cap."""

MAX_HEADER_LINE = 64_000
"""Longest WARC or HTTP header line read (real ones are under 8 KB)."""

MAX_HEADER_BYTES = 256_000
"""Most header bytes (WARC and HTTP headers, blank lines) read for one record."""

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml+xhtml")

logging.getLogger("warcio").setLevel(logging.CRITICAL)  # its warnings quote raw header values


class _TotalLimit(Exception):
    pass


class _HeaderLimit(Exception):
    pass


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """warcio writes warnings about damaged records straight to stderr, quoting the
    archive's bytes: hostile text (terminal escapes) for the analyst's terminal, and
    noise beside the one-line errors. Its logger is silenced above; this catches the
    rest. (It swaps ``sys.stderr`` for the whole process: readers run one per process.)"""
    with redirect_stderr(_Discard()):
        yield


def _content_type(headers: object) -> tuple[str, str | None]:
    """``(mime type, charset)`` from a headers object's Content-Type."""
    value = headers.get_header("Content-Type") if headers is not None else None  # type: ignore[attr-defined]
    if not value:
        return "", None
    parts = [p.strip() for p in value.split(";")]
    charset = next((p.split("=", 1)[1].strip().strip("\"'") for p in parts[1:] if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset or None


def looks_like_warc(head: bytes) -> bool:
    """Content sniffing: a WARC/ARC file, plain or gzip-compressed."""
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head[:65536], 64)
        except zlib.error:
            return False
    return head.startswith((b"WARC/", b"filedesc://"))


def _gzip_problem(stream: BinaryIO, limit: int) -> str | None:
    """Why a (multi-member) gzip stream is not whole, or ``None``; stops quietly past ``limit`` bytes."""
    stream.seek(0)
    decomp = None
    total = 0
    pending = b""
    while True:
        if not pending:
            pending = stream.read(65536)
            if not pending:
                break
        if decomp is None:
            pending = pending.lstrip(b"\x00\r\n ")  # padding between members
            if not pending:
                continue
            decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            total += len(decomp.decompress(pending, 1 << 20))
        except zlib.error as err:
            return f"corrupt gzip data ({one_line(err, 80)})"
        if total > limit:
            return None
        if decomp.eof:
            pending, decomp = decomp.unused_data, None
        else:
            pending = decomp.unconsumed_tail
    while decomp is not None and not decomp.eof:  # flush output held back by the length cap
        try:
            out = decomp.decompress(decomp.unconsumed_tail, 1 << 20)
        except zlib.error as err:
            return f"corrupt gzip data ({one_line(err, 80)})"
        if not out:
            break
    if decomp is not None and not decomp.eof:
        return "truncated gzip data (the file ends in the middle of a record)"
    return None


def read_warc(
    path: Path,
    data: bytes | None = None,
    *,
    max_record_bytes: int | None = None,
    max_total_bytes: int | None = None,
) -> Iterator[SourceDocument | InputError]:
    """Documents from a WARC file: ``data`` if given, else streamed from ``path``.

    ``max_record_bytes`` defaults to the ingest size limit (20 MB,
    ``NEWSGRAPH_MAX_BYTES``); ``max_total_bytes`` to ten times that.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    origin = str(path)
    record_cap = resolve_max_bytes(max_record_bytes)
    total_cap = max_total_bytes if max_total_bytes is not None else record_cap * TOTAL_FACTOR
    try:
        stream: BinaryIO = io.BytesIO(data) if data is not None else open(path, "rb")  # noqa: SIM115
    except OSError as err:
        yield InputError(origin, f"cannot read: {err.strerror or err}")
        return
    with stream:
        head = stream.read(65536)
        stream.seek(0)
        if not head:
            yield InputError(origin, "empty file")
            return
        gzipped = head.startswith(b"\x1f\x8b")
        if not looks_like_warc(head):
            what = "gzip data without a WARC record" if gzipped else "no WARC header at its start"
            yield InputError(origin, f"not a WARC file: {what}")
            return
        iterator = ArchiveIterator(stream, arc2warc=True)
        reader = iterator.reader
        counted = [0]
        decompress = reader._decompress

        def counting_decompress(chunk: bytes) -> bytes:
            out = decompress(chunk)
            counted[0] += len(out)
            if counted[0] > total_cap:
                raise _TotalLimit
            return out

        reader._decompress = counting_decompress  # the archive's decompressed bytes, skipped ones included
        readline = reader.readline
        header_bytes = [0]

        def bounded_readline(length: int | None = None) -> bytes:
            # warcio reads headers (and the blank lines between records) with
            # readline and nothing else: cap each line and the bytes per record.
            cap = MAX_HEADER_LINE + 1 if length is None or length < 0 else min(length, MAX_HEADER_LINE + 1)
            line = readline(cap)
            header_bytes[0] += len(line)
            if len(line) > MAX_HEADER_LINE or header_bytes[0] > MAX_HEADER_BYTES:
                raise _HeaderLimit
            return line

        reader.readline = bounded_readline  # LimitReader (HTTP headers) calls it too
        stem = stem_of(path.name)
        n = 0
        yielded = 0
        try:
            records = iter(iterator)
            while True:
                with _quiet_stderr():
                    record = next(records, None)
                if record is None:
                    break
                n += 1
                header_bytes[0] = 0  # the next record's headers are read when this one is done
                try:
                    with _quiet_stderr():
                        result = _record_document(record, f"{origin}#{n}", stem, record_cap)
                except (_TotalLimit, _HeaderLimit):
                    raise
                except Exception as err:  # one odd record must not end the archive
                    result = InputError(f"{origin}#{n}", f"cannot read record: {type(err).__name__}: {one_line(err, 100)}")
                if result is not None:
                    yielded += 1
                    yield result
        except _TotalLimit:
            yield InputError(
                origin,
                f"stopped after record {n}: the archive holds over {human_size(total_cap, exact=True)} "
                "of decompressed data, the limit for one file",
            )
            return
        except _HeaderLimit:
            yield InputError(
                origin,
                f"stopped at record {n + 1}: its header is longer than {human_size(MAX_HEADER_LINE, exact=True)} "
                f"in one line or {human_size(MAX_HEADER_BYTES, exact=True)} in all "
                "(a corrupt file or a decompression bomb)",
            )
            return
        except Exception as err:  # warcio on damaged data: ArchiveLoadFailed, zlib.error, AttributeError, ...
            reason = one_line(str(err).split(", first line")[0], 100) if isinstance(err, ArchiveLoadFailed) else ""
            reason = f" ({reason})" if reason else ""
            if n == 0:
                yield InputError(origin, f"corrupt or truncated archive: nothing could be read{reason}")
            else:
                yield InputError(origin, f"corrupt or truncated archive after record {n}: the rest was skipped{reason}")
            return
        if gzipped:
            problem = _gzip_problem(stream, total_cap)
            if problem:
                yield InputError(origin, f"{problem} after record {n}; the rest of the file could not be read")
                return
        if n == 0:
            yield InputError(origin, "not a WARC file: no records found")
        elif yielded == 0:
            yield InputError(origin, f"no HTML pages in this archive ({n} records, none an HTML page with status 200)")


def _record_document(record: object, origin: str, stem: str, cap: int) -> SourceDocument | InputError | None:
    """The document a record holds, an error, or ``None`` for records that are not HTML pages."""
    rec_type = record.rec_type  # type: ignore[attr-defined]
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    if rec_type == "response":
        if http is None or http.get_statuscode() != "200":
            return None
        mime, charset = _content_type(http)
    elif rec_type == "resource":
        mime, charset = _content_type(rec_headers)
    else:
        return None
    if mime and mime not in _HTML_TYPES:
        return None
    url = (rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    declared = rec_headers.get_header("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap + 65536:
        size, limit = human_size(int(declared)), human_size(cap, exact=True)
        return InputError(origin, f"record for {url or 'unknown URL'} is {size}, over the {limit} limit")
    try:
        stream = record.content_stream()  # type: ignore[attr-defined]
        payload = stream.read(cap + 1)
    except Exception as err:  # broken chunking or content encoding
        return InputError(origin, f"cannot read record for {url or 'unknown URL'}: {one_line(err, 120)}")
    if len(payload) > cap:
        return InputError(
            origin,
            f"record for {url or 'unknown URL'} is over the {human_size(cap, exact=True)} limit once decompressed",
        )
    raw = record.raw_stream  # type: ignore[attr-defined]
    if stream is raw and getattr(raw, "limit", 0) > 0:
        return InputError(origin, f"record for {url or 'unknown URL'} is truncated (the file ends inside it)")
    if not payload.strip():
        return None if rec_type == "response" else InputError(origin, "empty record")
    if not mime and not looks_like_html(payload[:4096].decode("utf-8", "replace")):
        return None
    try:
        markup = decode_html(payload, origin, http_charset=charset)
    except DecodeError as err:
        return InputError(origin, err.message)
    hints: dict[str, object] = {"url": url} if url else {}
    doc = document_from_html(markup, doc_id=content_id(stem, url, markup), origin=origin, fmt="warc", hints=hints)
    if isinstance(doc, SourceDocument) and "published" not in doc.hints:
        crawled = normalize_date(rec_headers.get_header("WARC-Date"))
        if crawled:
            doc.hints["crawled"] = crawled
    return doc
