"""Cleaning of plain-text and Markdown scrapes: remove site furniture, keep paragraphs.

trafilatura and justext need HTML; analysts' scrapes are often text already,
with the page's furniture flattened into lines. Here each line is stripped of
table pipes and Markdown markup, dropped when a furniture rule
(``lexicons/furniture.yaml``) matches it whole, and the rest become the
paragraphs of the cleaned text. Title, date and byline lines stay in the text
(they are part of the document); ``metadata`` reads them from the paragraphs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsgraph.kb.store import name_key
from newsgraph.lexicons import line_patterns

FURNITURE_GROUPS = ("share_buttons", "comment_forms", "consent_and_subscription", "navigation", "image_markup")

_TABLE_EDGE = re.compile(r"^\s*\|\s*|\s*\|\s*$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))*\)")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\3(?![\w*])")
_MD_QUOTE = re.compile(r"^\s*>\s?")
_HTML_TAG = re.compile(r"</?(?:p|br|div|span|b|i|em|strong|u|small)\b[^>]*>", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!?:;…\"”’»)\]]\s*$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")


@dataclass
class Paragraph:
    """A kept paragraph: its place in the cleaned text and what it looked like in the scrape."""

    start: int
    end: int
    text: str
    heading_level: int = 0  # Markdown "#" depth, 0 when not a heading
    table_row: bool = False  # came from a table cell (captions, credits)


@dataclass
class CleanedText:
    text: str
    paragraphs: list[Paragraph]
    removed: list[str] = field(default_factory=list)  # furniture lines, for debugging and tests


def is_furniture(line: str, raw: str | None = None) -> bool:
    """Does a whole line belong to the page around the article? ``raw`` is the line
    before whitespace was collapsed: menus are often separated by runs of spaces."""
    if any(line_patterns("furniture", g).fullmatch(line) for g in FURNITURE_GROUPS):
        return True
    return raw is not None and raw.strip() != line and bool(line_patterns("furniture", "navigation").fullmatch(raw.strip()))


def _strip_markup(line: str) -> tuple[str, int, bool]:
    """A line without table pipes and Markdown markup: (text, heading level, was a table row)."""
    table_row = bool(_TABLE_EDGE.search(line)) and line.strip() not in ("", "|")
    line = _TABLE_EDGE.sub("", line)
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    level = 0
    m = _MD_HEADING.match(line)
    if m:
        level, line = len(m.group(1)), m.group(2)
    line = _MD_QUOTE.sub("", line)
    line = _HTML_TAG.sub(" ", line)
    line = _MD_EMPHASIS.sub(lambda mm: mm.group(2) or mm.group(4), line)
    line = _SPACES.sub(" ", line).strip()
    return line, level, table_row


def _tail_start(lines: list[str]) -> int:
    """Index of a 'Related posts'-style heading in the last third, else len(lines)."""
    pattern = line_patterns("furniture", "tail_markers")
    for i in range(len(lines) * 2 // 3, len(lines)):
        if pattern.fullmatch(lines[i]):
            return i
    return len(lines)


def _wrapped(prev: str, nxt: str) -> bool:
    """Is ``nxt`` the continuation of a hard-wrapped ``prev``?"""
    return bool(prev) and not _ENDS_SENTENCE.search(prev) and nxt[:1].islower()


def clean_scrape(raw: str) -> CleanedText:
    """Remove furniture from a text or Markdown scrape and rebuild its paragraphs."""
    kept: list[tuple[str, int, bool]] = []
    removed: list[str] = []
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    candidates = [_strip_markup(line) for line in lines]
    cut = _tail_start([c[0] for c in candidates])
    removed += [c[0] for c in candidates[cut:] if c[0]]
    seen_short: set[str] = set()
    for (text, level, table_row), raw_line in zip(candidates[:cut], lines):
        if not text:
            kept.append(("", 0, False))
            continue
        if is_furniture(text, raw_line):
            removed.append(text)
            continue
        key = name_key(text)
        # A headline or byline repeated by the template (title twice, byline as a
        # closing credit) is kept once; long paragraphs are never deduplicated.
        if len(text) < 300 and key in seen_short:
            removed.append(text)
            continue
        if len(text) < 300:
            seen_short.add(key)
        kept.append((text, level, table_row))

    # Rebuild paragraphs: blank lines separate; hard-wrapped lines are joined.
    merged: list[tuple[str, int, bool]] = []
    previous_blank = True
    for text, level, table_row in kept:
        if not text:
            previous_blank = True
            continue
        if merged and not previous_blank and not level and not merged[-1][1] and _wrapped(merged[-1][0], text):
            prev = merged[-1]
            merged[-1] = (f"{prev[0]} {text}", prev[1], prev[2])
        else:
            merged.append((text, level, table_row))
        previous_blank = False

    parts: list[str] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    for text, level, table_row in merged:
        if parts:
            offset += 2
        paragraphs.append(Paragraph(offset, offset + len(text), text, level, table_row))
        parts.append(text)
        offset += len(text)
    return CleanedText("\n\n".join(parts), paragraphs, removed)


def clean_plain(body: str, title: str | None = None) -> CleanedText:
    """Paragraphs of text that a structured format already isolated (HTML main text,
    a JSON ``text`` field), with the headline as first paragraph when it is known."""
    cleaned = clean_scrape(body)
    head = _SPACES.sub(" ", " ".join(title.split())).strip() if title else ""  # one line, as paragraphs are
    if head and (not cleaned.paragraphs or name_key(cleaned.paragraphs[0].text) != name_key(head)):
        shift = len(head) + 2 if cleaned.paragraphs else len(head)
        paragraphs = [Paragraph(0, len(head), head, 1)] + [
            Paragraph(p.start + shift, p.end + shift, p.text, p.heading_level, p.table_row) for p in cleaned.paragraphs
        ]
        text = head + ("\n\n" + cleaned.text if cleaned.text else "")
        return CleanedText(text, paragraphs, cleaned.removed)
    return cleaned
