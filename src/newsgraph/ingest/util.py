"""Small helpers shared by the format readers: ids, dates, names, messages."""
from __future__ import annotations

import datetime as _dt
import email.utils
import hashlib
import re
import time
import unicodedata
from typing import Iterable

_ID_BAD = re.compile(r"[^A-Za-z0-9._-]+")
_WS = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?=$|[T\s_]|[+-]\d\d:?\d\d|Z)")
_LANG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
_BY_PREFIX = re.compile(r"^\s*(?:by|par|por|von|от|written by|posted by)\s*[:\s]\s*", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||&|\band\b|\bet\b)\s*", re.IGNORECASE)
_EMAIL_NAME = re.compile(r"^\s*[^\s@()<>]+@[^\s@()<>]+\s*\((.+)\)\s*$")
_EMAIL = re.compile(r"<?\(?[^\s@()<>,;]+@[^\s@()<>,;]+\)?>?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Languages dateparser tries for dates in unusual formats: those of the sources
# newsgraph reads. Without a list it tries all of its ~200 locales, compiling
# their patterns on first use: ~20 s for one odd date string in a fresh process.
DATE_LANGUAGES = ["en", "fr", "ru", "pt", "es", "ar", "de"]


def one_line(message: object, limit: int = 200) -> str:
    """A message as one printable line of at most ``limit`` characters."""
    text = _WS.sub(" ", _CONTROL.sub("?", str(message))).strip()
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


def human_size(n: int | float, exact: bool = False) -> str:
    """``50.0 MB`` (``exact=False``) or ``20 MB`` (``exact=True``: no padding decimals)."""
    for unit, scale in (("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            value = n / scale
            return f"{value:g} {unit}" if exact else f"{value:.1f} {unit}"
    return f"{int(n)} bytes"


def sanitize_id(value: object) -> str:
    """An id made of ``[A-Za-z0-9._-]`` only (accents dropped, other runs become ``-``)."""
    text = unicodedata.normalize("NFKD", str(value))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _ID_BAD.sub("-", text).strip("-.")
    return text[:120]


def content_id(prefix: str, *parts: object, length: int = 12) -> str:
    """``prefix-<sha256 of the first non-empty part>[:length]``."""
    seed = next((str(p) for p in parts if p), "")
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()[:length]
    prefix = sanitize_id(prefix)
    return f"{prefix}-{digest}" if prefix else digest


def stem_of(name: str) -> str:
    """File name without its extension(s) for known double extensions (``x.warc.gz`` -> ``x``)."""
    lower = name.lower()
    for ext in (".warc.gz", ".arc.gz"):
        if lower.endswith(ext):
            return name[: -len(ext)]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def clean_space(value: object) -> str:
    return _WS.sub(" ", str(value)).strip()


def _valid_ymd(y: int, m: int | None, d: int | None) -> bool:
    if not 1800 <= y <= 2200:
        return False
    if m is None:
        return True
    if not 1 <= m <= 12:
        return False
    if d is None:
        return True
    try:
        _dt.date(y, m, d)
    except ValueError:
        return False
    return True


def normalize_date(value: object) -> str | None:
    """A date as ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when that is all it says).

    Accepts ISO strings (the date part is kept as written, no time-zone shift),
    RFC 2822 strings (``Tue, 05 Mar 2024 10:00:00 +0300``), ``datetime``/``date``,
    ``time.struct_time``, and, as a last resort, what ``dateparser`` reads.
    """
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):  # feedparser's *_parsed dates
        value = _dt.date(value.tm_year, value.tm_mon, value.tm_mday) if _valid_ymd(*value[:3]) else None
    if isinstance(value, _dt.datetime | _dt.date):  # (strftime would write year 506 as "506")
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if _valid_ymd(value.year, None, None) else None
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    text = clean_space(value)
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        y = int(match.group(1))
        m = int(match.group(2)) if match.group(2) else None
        d = int(match.group(3)) if match.group(3) else None
        if _valid_ymd(y, m, d):
            if d is not None:
                return f"{y:04d}-{m:02d}-{d:02d}"
            if m is not None:
                return f"{y:04d}-{m:02d}"
            return f"{y:04d}"
        return None
    parsed = email.utils.parsedate_tz(text)
    if parsed and parsed[0] and _valid_ymd(parsed[0], parsed[1], parsed[2]):
        return f"{parsed[0]:04d}-{parsed[1]:02d}-{parsed[2]:02d}"
    if len(text) > 64 or not re.search(r"\d{4}", text):
        return None
    try:  # slow import: only for unusual formats ("5 mars 2024")
        import dateparser

        for parts, length in ((["day", "month", "year"], 10), (["month", "year"], 7)):
            result = dateparser.parse(
                text, languages=DATE_LANGUAGES, settings={"REQUIRE_PARTS": parts, "PREFER_DAY_OF_MONTH": "first"}
            )
            # the year must be one the text states (dateparser fills gaps from today)
            if result is not None and _valid_ymd(result.year, result.month, result.day) and str(result.year) in text:
                return f"{result.year:04d}-{result.month:02d}-{result.day:02d}"[:length]
    except Exception:  # dateparser is a best effort
        return None
    return None


def normalize_language(value: object) -> str | None:
    """Primary language subtag in lower case: ``en-GB`` -> ``en``, ``fr_FR`` -> ``fr``."""
    if not isinstance(value, str):
        return None
    match = _LANG.match(value.strip())
    return match.group(1).lower() if match else None


def _flatten_names(value: object, depth: int = 0) -> Iterable[str]:
    if depth > 5 or value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        name = value.get("name")
        if name is None and ("givenName" in value or "familyName" in value):
            name = f"{value.get('givenName', '')} {value.get('familyName', '')}"
        if name is not None:
            yield from _flatten_names(name, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value[:50]:
            yield from _flatten_names(item, depth + 1)


def normalize_authors(value: object) -> list[str]:
    """Author names from a string (``By A and B``), a list, or JSON-LD ``Person`` objects."""
    names: list[str] = []
    seen: set[str] = set()
    for raw in _flatten_names(value):
        text = _BY_PREFIX.sub("", clean_space(raw))
        mailbox = _EMAIL_NAME.match(text)  # RSS: "desk@example.org (Jane Doe)"
        if mailbox:
            text = mailbox.group(1)
        text = _EMAIL.sub("", text).strip(" ()")
        parts = [p for p in _AUTHOR_SPLIT.split(text) if p and p.strip()]
        expanded: list[str] = []
        for part in parts:
            pieces = [p.strip() for p in part.split(",")]
            # "Jane Doe, John Roe" is two people; "Doe, Jane" is one.
            if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
                expanded.extend(pieces)
            else:
                expanded.append(part)
        for name in expanded:
            name = clean_space(name).strip(" ,;:-|")
            if not name or len(name) > 80 or "://" in name or "@" in name or name.startswith("www."):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names


def strip_site_name(title: str, site: str | None) -> str:
    """``Title | Site`` / ``Title - Site`` / ``Site: Title`` -> ``Title`` when ``site`` is known."""
    title = clean_space(title)
    if not site:
        return title
    site = re.escape(clean_space(site))
    seps = r"[|\-\u2013\u2014:\u00b7\u2022\u00bb/]+"
    for pattern in (rf"\s*{seps}\s*{site}\s*$", rf"^\s*{site}\s*{seps}\s*"):
        stripped = re.sub(pattern, "", title, flags=re.IGNORECASE).strip()
        if stripped and stripped != title:
            return stripped
    return title
