"""Bytes to text: size limit, binary detection, encoding detection, newlines.

The encoding is detected, never assumed:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) wins and is stripped;
2. known binary formats (PNG, PDF, ZIP, gzip, ...) and files with NUL bytes or
   many control characters are refused (``DecodeError``);
3. strict UTF-8;
4. a charset the container declares (HTML ``<meta charset>``, XML declaration,
   HTTP header), when the bytes decode with it;
5. otherwise the file is decoded line by line: lines that are valid UTF-8 stay
   UTF-8, the others are decoded with a legacy encoding guessed from them
   (cp1252 for Latin-script text, where charset-normalizer guesses poorly; for
   Cyrillic, Arabic, Greek, ... charset-normalizer picks among the legacy code
   pages of those scripts). Bytes that still do not decode are read as cp1252,
   so a UTF-8 file with a few cp1252 bytes keeps its UTF-8 intact.

Newlines become ``\\n``.
"""
from __future__ import annotations

import codecs
import functools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.util import human_size

MAX_BYTES = 20_000_000
"""Default size limit for one input file (20 MB); ``NEWSGRAPH_MAX_BYTES`` overrides it."""

ENV_MAX_BYTES = "NEWSGRAPH_MAX_BYTES"


class DecodeError(Exception):
    """Bytes that are not a text document; ``message`` says why in plain words."""

    def __init__(self, message: str, origin: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.origin = origin

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- size


def resolve_max_bytes(max_bytes: int | None = None) -> int:
    """The size limit: the argument, else ``$NEWSGRAPH_MAX_BYTES``, else ``MAX_BYTES``."""
    if max_bytes is not None:
        return max(1, int(max_bytes))
    env = os.environ.get(ENV_MAX_BYTES, "").strip()
    if env:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?", env)
        if match:
            scale = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}[match.group(2).lower()]
            value = int(float(match.group(1)) * scale)
            if value > 0:
                return value
    return MAX_BYTES


def size_problem(size: int, max_bytes: int) -> str | None:
    """``"file is 50.0 MB, over the 20 MB limit"`` when ``size`` exceeds the limit."""
    if size > max_bytes:
        return f"file is {human_size(size)}, over the {human_size(max_bytes, exact=True)} limit"
    return None


def read_limited(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of ``path``, refusing (``DecodeError``) a file over the limit without reading it."""
    limit = resolve_max_bytes(max_bytes)
    try:
        size = path.stat().st_size
        problem = size_problem(size, limit)
        if problem:
            raise DecodeError(problem, str(path))
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise DecodeError(f"cannot read: {err.strerror or err}", str(path)) from None
    if len(data) > limit:  # the file grew since stat
        raise DecodeError(f"file is over the {human_size(limit, exact=True)} limit", str(path))
    return data


# --------------------------------------------------------------------------- binary

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"%PDF-", 0, "PDF document"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"(\xb5/\xfd", 0, "zstd archive"),
    (b"7z\xbc\xaf'\x1c", 0, "7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "legacy Microsoft Office document: DOC, XLS or PPT"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"\xca\xfe\xba\xbe", 0, "Java class or Mach-O file"),
    (b"\x00asm", 0, "WebAssembly module"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"ID3", 0, "MP3 audio"),
    (b"OggS", 0, "Ogg audio/video"),
    (b"fLaC", 0, "FLAC audio"),
    (b"wOFF", 0, "WOFF font"),
    (b"wOF2", 0, "WOFF2 font"),
    (b"PAR1", 0, "Parquet file"),
    (b"\x1a\x45\xdf\xa3", 0, "Matroska/WebM video"),
    (b"ftyp", 4, "MP4/QuickTime video"),
)


def binary_kind(data: bytes) -> str | None:
    """What binary format ``data`` starts with (``"PNG image"``), or ``None``."""
    head = data[:64]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        window = data[:4096]
        for marker, kind in (
            (b"word/", "DOCX Word document"),
            (b"xl/", "XLSX Excel workbook"),
            (b"ppt/", "PPTX PowerPoint presentation"),
            (b"application/epub+zip", "EPUB book"),
            (b"application/vnd.oasis.opendocument", "OpenDocument file"),
        ):
            if marker in window:
                return kind
        return "ZIP archive"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}.get(head[8:12], "RIFF media file")
    if head.startswith(b"BZh") and not (len(head) > 3 and head[3:4].isdigit()):
        return None
    if head.startswith(b"MZ") and b"\x00" in head:
        return "Windows executable"
    for magic, offset, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    return None


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BINARY_SAMPLE = 8000  # like git: a NUL byte in the first 8000 bytes means binary


def _looks_utf16(sample: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has NUL in every other byte."""
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / max(1, len(odd))
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _binary_message(kind: str) -> str:
    return f"binary file ({kind}), not a text document"


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# cp1252 leaves five bytes undefined; read them as Latin-1 (C1 controls) instead.
_CP1252 = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)}


# Legacy code pages of non-Latin scripts likely in news about Russia and Africa.
_NON_LATIN = [
    "cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "iso8859_5",
    "cp1256", "iso8859_6", "cp1253", "iso8859_7", "cp1255", "iso8859_8",
    "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "tis_620",
]  # fmt: skip
_ASCII_LETTERS = re.compile("[A-Za-z]")
_ESCAPE_RUNS = re.compile("[\udc80-\udcff]+")


def _legacy_encoding(bad_lines: str) -> str:
    """The legacy encoding of the lines that are not UTF-8 (bad bytes escaped as surrogates)."""
    runs = _ESCAPE_RUNS.findall(bad_lines)
    high = sum(len(r) for r in runs)
    if not high:
        return "cp1252"
    letters = len(_ASCII_LETTERS.findall(bad_lines))
    # Latin-script text has isolated accented letters among ASCII ones;
    # Cyrillic, Arabic, Greek or CJK text is made of runs of high bytes.
    if high / len(runs) < 2.0 and high / (high + letters) < 0.3:
        return "cp1252"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(bad_lines.encode("utf-8", "surrogateescape"), cp_isolation=_NON_LATIN).best()
    except Exception:  # detection is a best effort
        best = None
    return best.encoding if best is not None else "cp1252"


_ESCAPED = re.compile("[\udc80-\udcff]")
_ESCAPED_LINE = re.compile("[^\n]*[\udc80-\udcff][^\n]*")
_REAL_NON_ASCII = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")
_CP1252_ESCAPES = {0xDC00 + b: _CP1252[b] for b in range(0x80, 0x100)}


def _decode_mixed(data: bytes) -> str:
    """Line by line: UTF-8 lines stay UTF-8, the others use a guessed legacy encoding.

    The bytes are decoded as UTF-8 with the bad bytes escaped (fast, in C);
    the legacy encoding is guessed from the lines holding escapes; with cp1252
    each bad byte is mapped back in one ``str.translate``.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    bad: list[str] = []
    size = 0
    for match in _ESCAPED_LINE.finditer(text):
        bad.append(match.group())
        size += len(bad[-1])
        if size > 200_000:
            break
    encoding = _legacy_encoding("\n".join(bad))
    if encoding != "cp1252" and not _REAL_NON_ASCII.search(text):  # no UTF-8 at all: one legacy file
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    if encoding != "cp1252":

        def redecode(match: re.Match[str]) -> str:
            line = match.group().encode("utf-8", "surrogateescape")
            try:
                return line.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                return match.group().translate(_CP1252_ESCAPES)

        text = _ESCAPED_LINE.sub(redecode, text)
    return text.translate(_CP1252_ESCAPES)


_ODD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def _plausible(text: str) -> bool:
    sample = text[:100_000]
    return not sample or len(_ODD_CHARS.findall(sample)) / len(sample) < 0.05


def _normalize(text: str) -> str:
    if text.startswith("\ufeff"):  # a BOM decoded as text; files saved twice have two
        text = text.lstrip("\ufeff")
    if "\x00" in text:  # a UTF-16/32 NUL, or padding: never content
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _codec(name: str | None) -> str | None:
    """A Python codec for a declared charset (WHATWG: Latin-1 and ASCII mean cp1252)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    if info.name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if info.name in ("utf-16", "utf-32"):  # declared without byte order: only a BOM says which
        return None
    return info.name


def decode_bytes(data: bytes, origin: str = "<bytes>", *, declared_encoding: str | None = None) -> str:
    """Decode a text document, or raise ``DecodeError`` saying why it is not one.

    ``declared_encoding`` is a charset stated by the container (HTML meta,
    XML declaration, HTTP header); it is used only when the bytes are not
    UTF-8 and decode cleanly with it.
    """
    if not data:
        raise DecodeError("empty file", origin)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _normalize(data[len(bom) :].decode(encoding))
            except UnicodeDecodeError as err:
                message = f"cannot decode text: invalid {encoding.upper()} after its byte-order mark ({err.reason})"
                raise DecodeError(message, origin) from None
    kind = binary_kind(data)
    if kind:
        raise DecodeError(_binary_message(kind), origin)
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        utf16 = _looks_utf16(sample)
        if utf16:
            try:
                text = data.decode(utf16)
            except UnicodeDecodeError:
                text = None
            if text is not None and _plausible(text):
                return _normalize(text)
        raise DecodeError(_binary_message("contains NUL bytes"), origin)
    wide = data[:65536]
    if len(_CONTROL_BYTES.findall(wide)) > 0.05 * len(wide):
        raise DecodeError(_binary_message("mostly control characters"), origin)
    if b"\x00" in data:  # stray NUL padding after a text start: drop it
        data = data.replace(b"\x00", b"")
    try:
        return _normalize(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    codec = _codec(declared_encoding)
    if codec and codec != "utf-8":
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and _plausible(text):
            return _normalize(text)
    text = _decode_mixed(data)
    if not _plausible(text):
        raise DecodeError("cannot decode text: unknown encoding", origin)
    return _normalize(text)


# --------------------------------------------------------------------------- declared charsets

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})["']""")


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB (``<meta charset>``)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def declared_xml_encoding(data: bytes) -> str | None:
    """The encoding an XML declaration names."""
    match = _XML_ENCODING.match(data[:1024].lstrip(codecs.BOM_UTF8))
    return match.group(1).decode("ascii") if match else None


# --------------------------------------------------------------------------- readers

Decoder = Callable[[bytes, str], str]
Documents = Iterator[SourceDocument | InputError]


def decode_or_error(data: bytes, origin: str, decode: Decoder = decode_bytes) -> str | InputError:
    """``data`` decoded by ``decode``, or the ``InputError`` that says why it is not text."""
    try:
        return decode(data, origin)
    except DecodeError as err:
        return InputError(origin, err.message)


def reads_text(decode: Decoder) -> Callable[[Callable[[Path, str], Documents]],
                                          Callable[[Path, str | bytes], Documents]]:
    """Decorator for a reader of text ``(path, text)``: the reader also takes bytes, which it
    decodes with ``decode`` first; bytes that are not text yield one ``InputError`` naming the file."""

    def wrap(read: Callable[[Path, str], Documents]) -> Callable[[Path, str | bytes], Documents]:
        @functools.wraps(read)
        def reader(path: Path, data: str | bytes) -> Documents:
            if isinstance(data, bytes):
                text = decode_or_error(data, str(path), decode)
                if isinstance(text, InputError):
                    yield text
                    return
                data = text
            yield from read(path, data)

        return reader

    return wrap
