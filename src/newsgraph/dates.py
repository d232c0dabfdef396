"""Dates as texts write them, read to the precision they give.

Absolute dates (``01/25/2022``, ``25.01.2022``, ``Wed Jun 05 2024``,
``2024-06-05``, ``June 5, 2024``, ``5 June 2024``, ``June 2024``) are read by
the patterns below, which decide day/month order the way news pages use them
(slashes are US month-first unless the first number cannot be a month; dots
and dashes are day-first). Anything else goes to dateparser.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?,?\s+)?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"

DATE_PATTERNS = [
    ("iso", re.compile(rf"\b{_YEAR}-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")),
    ("slash", re.compile(r"\b(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<year>(?:1[89]|20)?\d\d)\b")),
    ("dot", re.compile(r"\b(?P<a>[0-3]?\d)[.-](?P<b>[01]?\d)[.-](?P<year>(?:1[89]|20)\d\d)\b")),
    ("mdy", re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("dmy", re.compile(rf"\b{_WEEKDAY}{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("my", re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
]


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: ``value`` is YYYY, YYYY-MM or YYYY-MM-DD."""

    value: str
    start: int
    end: int

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}[len(self.value)]


def _valid(year: int, month: int, day: int | None) -> bool:
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return False
    return True


def _value(kind: str, m: re.Match[str]) -> str | None:
    g = m.groupdict()
    year = int(g["year"])
    if year < 100:
        year += 2000 if year < 70 else 1900
    if kind == "iso":
        month, day = int(g["m"]), int(g["d"])
    elif kind == "slash":
        a, b = int(g["a"]), int(g["b"])
        month, day = (a, b) if a <= 12 else (b, a)
    elif kind == "dot":
        day, month = int(g["a"]), int(g["b"])
    elif kind in ("mdy", "dmy"):
        month, day = MONTHS[g["mon"].lower()], int(g["day"])
    else:
        month, day = MONTHS[g["mon"].lower()], None
    if not _valid(year, month, day):
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def find_dates(text: str) -> list[FoundDate]:
    """Absolute dates in ``text``, longest match first where they overlap."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if kind == "my" and m.group("mon").lower() == "may" and not m.group(0)[0].isupper():
                continue  # "may 2024" in running text is rarely a date
            value = _value(kind, m)
            if value:
                found.append(FoundDate(value, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


# A line that is only a date, perhaps with a label, a time and reading-time furniture.
_DATE_LINE_NOISE = re.compile(
    r"(?i)\b(?:published|posted|updated|last updated|date|dated|on|at|am|pm|gmt|utc|msk|cet|cest|edt|est|"
    r"\d+\s*min(?:ute)?s?\s*read|read|by)\b|\d{1,2}:\d{2}(?::\d{2})?|T(?=\d)|[+-]\d{2}:?\d{2}\b|[|:,.·•–—()\-]"
)


def date_only_line(line: str) -> FoundDate | None:
    """The date on a line that holds nothing else of substance (a date line, a signature date)."""
    if len(line) > 80:
        return None
    found = find_dates(line)
    if len(found) != 1:
        return parse_loose(line) if len(line) <= 40 and not found else None
    d = found[0]
    # a signature's place ("Bamako, 4 August 2024") may precede the date
    head = re.sub(r"^(?:[A-Z][\w'’-]+\s?){1,3},\s*$", "", line[: d.start])
    rest = head + " " + line[d.end :]
    rest = _DATE_LINE_NOISE.sub(" ", rest)
    return d if not rest.strip() else None


@lru_cache(maxsize=1)
def _loose_parser():
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en", "fr"],
        settings={"REQUIRE_PARTS": ["year", "month"], "PREFER_DATES_FROM": "past", "STRICT_PARSING": False},
    )


_HAS_DIGIT_AND_WORD = re.compile(r"(?=.*\d)(?=.*[^\W\d_])")


def parse_loose(line: str) -> FoundDate | None:
    """Fallback for a short date-like line in another wording or language ("5 janvier 2022")."""
    if not _HAS_DIGIT_AND_WORD.search(line) or len(re.findall(r"[^\W\d_]{3,}", line)) > 4:
        return None
    data = _loose_parser().get_date_data(line)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj
    if not 1800 <= d.year <= 2200:  # "mars 0099": not a news date (and %Y would not pad it)
        return None
    day = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    value = {"month": day[:7], "year": day[:4]}.get(data.period or "day", day)
    return FoundDate(value, 0, len(line))


def to_date(value: str | None) -> dt.date | None:
    """The first day of a YYYY[-MM[-DD]] value."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])
