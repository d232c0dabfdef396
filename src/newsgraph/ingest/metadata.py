"""Document metadata: title, publication date, authors and signatories, outlet, language.

Structured inputs state some of it (HTML meta tags, JSON fields, feed items:
``hints``); what they state wins. For scrapes it is read from the shape of the
paragraphs around the body: a headline first, a date line near the top, a
byline or closing credit, a date and name signed under a statement. A date
mentioned in passing inside the prose never counts as the publication date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from newsgraph.dates import FoundDate, date_only_line, find_dates, to_date
from newsgraph.ingest.clean import CleanedText, Paragraph
from newsgraph.kb import KnowledgeBase
from newsgraph.lexicons import load_lexicon
from newsgraph.temporal import publication_year_hint

_TITLES = frozenset(load_lexicon("entities")["person_titles"])
HEADER_PARAGRAPHS = 5  # title, date line, byline live in the first few paragraphs
FOOTER_PARAGRAPHS = 4  # signature blocks and credits live in the last few

_NAME_TOKEN = r"(?:[A-Z][a-zà-öø-ÿ]+(?:[-'’][A-Za-zà-öø-ÿ]+)*|[A-Z]\.)"
_PARTICLE = r"(?:de|da|di|del|dos|du|van|von|der|al|el|bin|ben|ibn|le|la|ould|ag)"
PERSON_NAME = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_TOKEN}){{1,3}}")
_BYLINE = re.compile(
    r"^(?:by|written by|words by|reporting by|text by|author|authors)\s*:?\s+(?P<names>.+?)\s*$", re.IGNORECASE
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_BYLINE_TAIL = re.compile(r"\s*(?:[|,]|\s[–—-]\s|\bin\b).*$")
_SIGNED_TITLE = re.compile(
    rf"^(?P<name>{PERSON_NAME.pattern})['’]s?\s+(?:statement|address|appeal|letter|message|declaration|"
    r"open letter|op-ed|column|speech|remarks)\b",
)
_SOURCE_CREDIT = re.compile(r"^(?:source|credit|photo|text)?\s*:?\s*(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?P<name>[^|,;]{2,60}?)\s*$", re.IGNORECASE)
_AGENCY_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,40},?[^()]{0,40}\((?P<agency>[A-Z][\w .-]{1,30})\)\s*[-–—]")


@dataclass
class Metadata:
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    language: str = "en"
    url: str | None = None


def looks_like_person(name: str, kb: KnowledgeBase) -> bool:
    """A capitalised two-to-four-word name that the KB does not know as a place or body."""
    if not PERSON_NAME.fullmatch(name):
        return False
    known = kb.lookup(name)
    return not known or any(e.type == "PERSON" for e in known)


def _without_titles(name: str) -> str:
    """'Colonel Abdoulaye Maïga' -> 'Abdoulaye Maïga'."""
    words = name.split()
    while len(words) > 2 and words[0].lower().rstrip(".") in _TITLES:
        words = words[1:]
    return " ".join(words)


def canonical_person(name: str, kb: KnowledgeBase) -> str:
    known = [e for e in kb.lookup(name) if e.type == "PERSON"]
    return known[0].name if len(known) == 1 else name


def _title_like(p: Paragraph) -> bool:
    text = p.text
    if p.heading_level:
        return True
    if p.table_row or len(text) > 250 or len(text.split()) > 35:
        return False
    if text[-1] in ".;,:" and not text.endswith("..."):
        return False
    if text[0] in "—–-\"“‘'(«" or _BYLINE.match(text) or date_only_line(text):
        return False
    return any(c.isalpha() for c in text)


_SENTENCE_END = re.compile(r"[.!?][\"”’»)]?$")


def _is_body(p: Paragraph) -> bool:
    """Prose: a long paragraph, or a sentence (a headline has no final full stop)."""
    words = len(p.text.split())
    if p.table_row or date_only_line(p.text):
        return False
    return words >= 25 or (words >= 3 and bool(_SENTENCE_END.search(p.text)) and not p.text.endswith("..."))


def _site_label(text: str) -> bool:
    """A site name or section kicker: short and in capitals ("MERIDIAN REVIEW", "NIGER / DIPLOMACY")."""
    letters = [c for c in text if c.isalpha()]
    return len(text.split()) <= 8 and bool(letters) and all(c.isupper() for c in letters)


def read_title(paragraphs: list[Paragraph]) -> str | None:
    """A Markdown H1, else the last headline-like paragraph before the body starts:
    site names and kickers come before the headline, the date line and byline after it."""
    head = paragraphs[:HEADER_PARAGRAPHS + 2]
    for p in head:
        if p.heading_level == 1:
            return p.text
    title = None
    for p in head:
        if _is_body(p):
            break
        if _title_like(p) and not _site_label(p.text):
            title = p.text
    return title


def read_published(paragraphs: list[Paragraph], title: str | None) -> str | None:
    head = paragraphs[:HEADER_PARAGRAPHS]
    for p in head:
        found = date_only_line(p.text)
        if found:
            return found.value
    if title:
        # A headline that states a full date ("Statement dated 01/25/2022") dates the document.
        full = [d for d in find_dates(title) if d.precision == "day"]
        if len(full) == 1:
            return full[0].value
    body = [p for p in head if p.text != title]
    if body:
        dateline = _dateline_date(body[0].text)
        if dateline:
            return dateline.value
    for p in reversed(paragraphs[-FOOTER_PARAGRAPHS:]):
        found = date_only_line(p.text)
        if found:
            return found.value
    return None


def _dateline_date(text: str) -> FoundDate | None:
    """``BAMAKO, March 3, 2024 (Reuters) -``: a dated dateline opening the first paragraph."""
    opening = text[:70]
    m = re.match(r"^[A-Z][A-Z .'-]{2,40},\s*", opening)
    if not m:
        return None
    found = [d for d in find_dates(opening) if d.start <= m.end() + 2]
    return found[0] if found else None


def _names(chunk: str, kb: KnowledgeBase) -> list[str]:
    names = [n.strip(" .") for n in _NAME_SPLIT.split(chunk) if n.strip(" .")]
    if names and all(looks_like_person(n, kb) for n in names):
        return names
    return []


def read_authors(paragraphs: list[Paragraph], title: str | None, kb: KnowledgeBase) -> list[str]:
    found: list[str] = []
    for p in paragraphs[:HEADER_PARAGRAPHS] + paragraphs[-FOOTER_PARAGRAPHS:]:
        m = _BYLINE.match(p.text)
        if m:
            found += _names(_BYLINE_TAIL.sub("", m.group("names")) or m.group("names"), kb)
    if title:
        m = _SIGNED_TITLE.match(title)
        if m and looks_like_person(m.group("name"), kb):
            found.append(m.group("name"))
    footer = [p for p in paragraphs[-FOOTER_PARAGRAPHS:] if p.text != title]
    for i, p in enumerate(footer):
        text = p.text.rstrip(",")
        if len(text) > 80 or _BYLINE.match(text) or p in paragraphs[:1]:
            continue
        names = _names(text, kb)
        if not names:
            continue
        # A closing credit is the last paragraph; a signature is a name line
        # followed by the signatory's title or preceded by a date line.
        last = i == len(footer) - 1
        followed_by_title = i + 1 < len(footer) and footer[i + 1].text.split()[0].lower().rstrip(".,") in _TITLES
        signature = (i > 0 and date_only_line(footer[i - 1].text)) or p.text.endswith(",") or followed_by_title
        if last or signature:
            found += names
    out: list[str] = []
    for name in (canonical_person(_without_titles(n), kb) for n in found):
        if name not in out:
            out.append(name)
    return out


_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}[\s,–-]*)*(?P<name>[A-Z][\w&' -]{1,50}?)\s*(?:[.|,]|all rights|$)", re.IGNORECASE)


def read_outlet(paragraphs: list[Paragraph], kb: KnowledgeBase, removed: list[str] = ()) -> str | None:
    """A self-credit ("Source: © TASS", a "(Reuters) -" dateline), else the site's
    own copyright line ("© 2024 Sahel Wire. All rights reserved.")."""
    found = _credited_outlet(paragraphs, kb)
    if found:
        return found
    for line in reversed(list(removed)):
        m = _COPYRIGHT.match(line)
        if m:
            return _media_name(m.group("name"), kb) or m.group("name").strip()
    return None


def _credited_outlet(paragraphs: list[Paragraph], kb: KnowledgeBase) -> str | None:
    for p in paragraphs[:HEADER_PARAGRAPHS + 1] + paragraphs[-FOOTER_PARAGRAPHS:]:
        if len(p.text) > 80:
            m = _AGENCY_DATELINE.match(p.text)
            if m:
                return _media_name(m.group("agency"), kb)
            continue
        m = _SOURCE_CREDIT.match(p.text)
        if m:
            return _media_name(m.group("name"), kb)
    return None


def _media_name(name: str, kb: KnowledgeBase) -> str | None:
    media = [e for e in kb.lookup(name) if e.kind == "media"]
    return media[0].name if media else None


@lru_cache(maxsize=1)
def _langid():
    import py3langid

    return py3langid


def detect_language(text: str) -> str:
    sample = text[:3000]
    if not sample.strip():
        return "en"
    lang, _score = _langid().classify(sample)
    return lang


def read_metadata(cleaned: CleanedText, hints: dict, kb: KnowledgeBase) -> Metadata:
    paragraphs = cleaned.paragraphs
    title = hints.get("title") or read_title(paragraphs)
    published = hints.get("published") or read_published(paragraphs, title)
    if not published:  # "the year 2024 has ended": written in 2025
        published = publication_year_hint(cleaned.text[:2000])
    authors = list(hints.get("authors") or []) or read_authors(paragraphs, title, kb)
    outlet = hints.get("outlet") or read_outlet(paragraphs, kb, cleaned.removed)
    language = str(hints.get("language") or "").split("-")[0] or detect_language(cleaned.text)
    return Metadata(
        title=str(title) if title else None,
        published=_as_date_value(published),
        authors=[canonical_person(str(a), kb) for a in authors],
        outlet=str(outlet) if outlet else None,
        language=str(language).split("-")[0].lower(),
        url=str(hints["url"]) if hints.get("url") else None,
    )


def _as_date_value(value: object) -> str | None:
    """Hints may carry dates as strings in any format; the record wants YYYY[-MM[-DD]]."""
    if value is None or value == "":
        return None
    text = str(value)
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) and _real_date(text):
        return text
    m = re.match(r"(\d{4}-\d{2}-\d{2})[T ]", text)
    if m and _real_date(m.group(1)):
        return m.group(1)
    found = find_dates(text) or ([date_only_line(text)] if date_only_line(text) else [])
    return found[0].value if found else None


def _real_date(value: str) -> bool:
    """A calendar date in the years ingest accepts (not 2024-02-30, not 0000)."""
    try:
        return 1800 <= to_date(value).year <= 2200  # type: ignore[union-attr]
    except ValueError:
        return False
