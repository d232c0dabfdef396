"""Time expressions in news sentences, resolved against the publication date.

An event's ``date`` is "as precise as the text allows, relative expressions
resolved against ``published``" (GUIDELINES section 4). This module finds the
time expressions in a sentence and resolves each to ``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``:

* absolute dates come from :func:`newsgraph.dates.find_dates`;
* relative ones ("on Wednesday", "last August", "in November", "two weeks ago",
  "the year before last", "on 30 September") are read by the small regular
  expression rules below, built from the word lists in
  ``lexicons/temporal.yaml``;
* durations ("for two weeks", "a decade", "over the past five years"), ages,
  vague expressions ("recently") and anaphoric ones ("the following day") are
  found too, so that they are not mistaken for dates, but resolve to ``None``.

Conventions (English-language news usage):

* a bare weekday is the most recent such day on or before ``published`` (the
  publication day itself included); with ``future=True`` the coming one, on or
  after ``published``. "last Friday" is strictly before, "next Monday" strictly
  after;
* a month without a year is the most recent such month on or before the
  publication month (``future=True``: on or after); "last August" is the most
  recent August strictly before the publication month, "next August" the first
  one strictly after, "this August" the publication year's;
* a day and month without a year ("on 30 September") is the most recent such
  date on or before ``published`` (``future=True``: on or after); with a
  weekday ("Monday, 30 September") the year whose calendar fits is taken;
* "last week"/"this week"/"next week" and weekends give the month (``YYYY-MM``)
  of the day 7 days before / of / 7 days after ``published``: no day is named;
* "N days/weeks ago" give a day, "N months ago" a month, "N years ago" a year;
* a range ("from 3 to 5 March 2024", "between June and August") is its start.

Resolved to ``None`` on purpose: durations, ages, vague time ("recently", "in
recent months", "several years ago"), anaphoric expressions ("the following
day", "three decades after": relative to another event, not to ``published``),
decades ("the 1990s"), fractional offsets ("a year and a half ago"), a season
without a year that straddles two years ("last winter"), every relative
expression when ``published`` is missing, and all but the year-relative ones
("this year", "last year", "the year before last") when it is partial
(``YYYY``/``YYYY-MM``). "In the past year" is the last twelve months (None)
unless the publication is dated by its year alone: then, as in a review of the
year just ended, the previous calendar year.

:func:`publication_year_hint` reads the year a text is written in from "the
year 2024 has ended" (2025), for documents that give no date.

Everything here is a pure function of its arguments; the compiled rules and the
dateparser fallback parser are cached.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator, NamedTuple

from newsgraph.dates import MONTHS, find_dates
from newsgraph.lexicons import load_lexicon

__all__ = [
    "NON_DATING_KINDS",
    "publication_year_hint",
    "TimeExpression",
    "event_date",
    "find_time_expressions",
    "resolve",
]

# Kinds of expression that say how long, how old or "some time", never when.
NON_DATING_KINDS = frozenset({"duration", "age", "vague", "anaphoric", "decade"})


@dataclass(frozen=True)
class TimeExpression:
    """A time expression in a text: ``value`` is YYYY, YYYY-MM, YYYY-MM-DD or None."""

    start: int
    end: int
    text: str
    value: str | None
    kind: str

    @property
    def precision(self) -> str | None:
        return {4: "year", 7: "month", 10: "day"}.get(len(self.value)) if self.value else None

    @property
    def dating(self) -> bool:
        """Whether the expression says when something happened (not a duration, age...)."""
        return self.kind not in NON_DATING_KINDS


# ---------------------------------------------------------------- calendar helpers

def _as_date(published: Any) -> dt.date | None:
    """A publication date as a ``date``; a partial (YYYY-MM, YYYY) or bad one is None.

    Years outside 1800-2200 (the range ingest accepts) count as bad: resolved
    against year 1 or 9999, "last year" would give year 0 or 10000."""
    if published is None:
        return None
    if isinstance(published, dt.datetime):
        published = published.date()
    if isinstance(published, str) and len(published.strip()) >= 10:
        try:
            published = dt.date.fromisoformat(published.strip()[:10])
        except ValueError:
            return None
    if isinstance(published, dt.date) and 1800 <= published.year <= 2200:
        return published
    return None


def _as_year(published: Any) -> int | None:
    """The publication year, also from a partial date (YYYY, YYYY-MM)."""
    full = _as_date(published)
    if full is not None:
        return full.year
    if isinstance(published, str):
        m = re.match(r"\s*((?:19|20)\d\d)(?:-\d\d)?\s*$", published)
        if m:
            return int(m.group(1))
    return None


def publication_year_hint(text: str) -> str | None:
    """The year a text is written in when it dates itself only by the year that has
    ended ("the year 2024 has ended", "2024 is over"): the following year, or None."""
    m = re.search(r"\b(?:the\s+(?:year\s+)?)?((?:19|20)\d\d)\s+(?:has|had)\s+(?:ended|come\s+to\s+an\s+end|"
                  r"drawn\s+to\s+a\s+close|passed)\b|\b((?:19|20)\d\d)\s+is\s+(?:over|behind\s+us)\b", text)
    if not m:
        return None
    return _year(int(m.group(1) or m.group(2)) + 1)


def _day(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _year(year: int) -> str:
    return f"{year:04d}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _direction(qualifier: str | None, future: bool) -> str:
    """``before``/``after`` (strict) or ``on_or_before``/``on_or_after``."""
    meaning = _lex()["qualifiers"].get(_norm(qualifier)) if qualifier else "this"
    if meaning == "before":
        return "before"
    if meaning == "after":
        return "after"
    return "on_or_after" if future else "on_or_before"


def _weekday_date(pub: dt.date, weekday: int, direction: str) -> dt.date:
    back = (pub.weekday() - weekday) % 7
    ahead = (weekday - pub.weekday()) % 7
    if direction == "on_or_before":
        return pub - dt.timedelta(days=back)
    if direction == "before":
        return pub - dt.timedelta(days=back or 7)
    if direction == "on_or_after":
        return pub + dt.timedelta(days=ahead)
    return pub + dt.timedelta(days=ahead or 7)


def _month_year(pub: dt.date, month: int, direction: str) -> int:
    if direction == "on_or_before":
        return pub.year if month <= pub.month else pub.year - 1
    if direction == "before":
        return pub.year if month < pub.month else pub.year - 1
    if direction == "on_or_after":
        return pub.year if month >= pub.month else pub.year + 1
    return pub.year if month > pub.month else pub.year + 1


def _day_month_date(pub: dt.date, month: int, day: int, direction: str) -> dt.date | None:
    """The nearest ``day month`` on the given side of ``pub`` (29 February may be years away)."""
    step = -1 if direction in ("on_or_before", "before") else 1
    for k in range(9):
        d = _safe_date(pub.year + step * k, month, day)
        if d is None:
            continue
        if direction == "on_or_before" and d <= pub or direction == "before" and d < pub:
            return d
        if direction == "on_or_after" and d >= pub or direction == "after" and d > pub:
            return d
    return None


def _day_month_with_weekday(pub: dt.date, month: int, day: int, weekday: int, future: bool) -> dt.date | None:
    """The date near ``pub`` whose weekday fits ("Monday, 30 September")."""
    fits = [d for y in (pub.year - 1, pub.year, pub.year + 1)
            if (d := _safe_date(y, month, day)) is not None and d.weekday() == weekday]
    if not fits:
        return None
    on_side = (lambda d: d >= pub) if future else (lambda d: d <= pub)
    return min(fits, key=lambda d: (not on_side(d), abs((d - pub).days)))


# ---------------------------------------------------------------- vocabulary

def _norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", (s or "").strip().lower())


@lru_cache(maxsize=1)
def _lex() -> dict[str, Any]:
    return load_lexicon("temporal")


def _alt(words: Any) -> str:
    """A regex alternation of words/phrases, longest first, spaces matching any whitespace."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_FULL_MONTHS = frozenset(k for k in MONTHS if not any(o != k and o.startswith(k) for o in MONTHS))
_ABBREVIATIONS = frozenset(MONTHS) - _FULL_MONTHS


def _word_before(text: str, end: int) -> str:
    m = re.search(r"[^\W\d_]+$", text[max(0, end - 12):end])
    return m.group(0).lower() if m else ""


def _plural(unit: str) -> str:
    return unit[:-1] + "ies" if unit.endswith("y") and unit != "day" else unit + "s"


@lru_cache(maxsize=1)
def _vocab() -> dict[str, Any]:
    lex = _lex()
    units = lex["units"]
    unit_forms = {u: u for u in units} | {_plural(u): u for u in units}
    number_words = lex["number_words"]
    tens = [w for w, n in number_words.items() if n in (20, 30, 40, 50, 60, 70, 80, 90)]
    ones = [w for w, n in number_words.items() if 1 <= n <= 9 and w not in ("a", "an")]
    num = rf"(?:\d{{1,3}}|(?:{_alt(tens)})-(?:{_alt(ones)})|{_alt(number_words)})"
    return {
        "WD": _alt(lex["weekdays"]),
        "WD_INDEX": {w: i for i, w in enumerate(lex["weekdays"])},
        "WD_FR_INDEX": {w: i for i, w in enumerate(lex["weekdays_fr"])},
        "MON": _alt(MONTHS),
        "MONFULL": _alt(_FULL_MONTHS),
        "PARTS": _alt(lex["day_parts"]),
        "QUAL": _alt(lex["qualifiers"]),
        "NUM": num,
        "VAGUEQ": _alt(lex["vague_quantities"]),
        "APPROX": _alt(lex["approximators"]),
        "UNIT": _alt(unit_forms),
        "UNIT_FORMS": unit_forms,
        "DPREP": _alt(lex["duration_preps"]),
        "SEASON": _alt(lex["seasons"]),
    }


def _number(word: str) -> int | None:
    w = _norm(word)
    if w.isdigit():
        return int(w)
    words = _lex()["number_words"]
    if "-" in w:
        a, _, b = w.partition("-")
        return words[a] + words[b] if a in words and b in words else None
    return words.get(w)


# ---------------------------------------------------------------- rules

_REJECT = object()
_YEAR = r"(?:19|20)\d\d"
_PREP = (r"in|on|at|by|from|since|until|till|through|throughout|during|before|after|around|between|of|"
         r"as\s+of|as\s+early\s+as|as\s+late\s+as|as\s+recently\s+as|no\s+later\s+than|not\s+until|"
         r"no\s+earlier\s+than|starting|beginning|ending")
_POSN = (r"(?:the\s+)?(?:very\s+)?(?:end|beginning|start|middle|turn|close|first\s+half|second\s+half|"
         r"(?:first|second|third|fourth|last|final)\s+quarter|(?:first|second|last|final)\s+(?:days?|weeks?|months?))"
         r"\s+of")
# Read backwards from the start of a match: "in", "late on", "at the end of", "mid-".
_LEAD_RE = re.compile(
    rf"(?<![\w-])(?:(?:early|late|earlier|later)\s+)?(?:(?:{_PREP})\s+)?(?:{_POSN}\s+)?"
    r"(?:(?:early|late|mid|earlier|later)(?:\s+|-))?$"
)
_TRAIL = r"(?:,?\s+(?:of\s+)?(?P<rel>last|this|next)\s+year\b)?"
_ORD = r"(?:st|nd|rd|th)?"


class _Ctx(NamedTuple):
    text: str
    pub: dt.date | None
    future: bool
    pub_year: int | None = None  # the publication year, also when only YYYY or YYYY-MM is known


Handler = Callable[[re.Match, _Ctx, str], Any]


class _Rule(NamedTuple):
    kind: str
    pattern: re.Pattern
    handler: Handler
    lead: re.Pattern | None  # what may precede the match ("in", "late on", "at the end of"), read backwards
    triggers: tuple[frozenset[str], ...]  # words the text must hold, one from each set
    window: tuple[int, int] = (64, 64)  # how far a match may reach before and after a word of triggers[0]


def _month_word_ok(word: str | None, cue: bool) -> bool:
    """Month names in running text are capitalised; "may" and bare abbreviations need a cue."""
    if not word:
        return True
    w = word.rstrip(".")
    if not w[:1].isupper():
        return False
    if w.lower() == "may" or w.lower() not in _FULL_MONTHS:
        return cue
    return True


def _orig(m: re.Match, c: _Ctx, name: str) -> str | None:
    """A group as the text writes it (rules match the lower-cased text)."""
    return c.text[m.start(name):m.end(name)] if m.group(name) is not None else None


def _mon(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


def _rel_year(rel: str | None, pub: dt.date | None) -> int | None:
    if not rel or pub is None:
        return None
    return pub.year + {"last": -1, "this": 0, "next": 1}[rel.lower()]


# Handlers: each returns a value (str or None) or _REJECT when the match is no expression.

def _h_none(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    return None


def _h_range_dmy(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = m.groupdict()
    prefixed = bool(g.get("pre")) or re.search(r"\bon\s+$", c.text[: m.start()], re.IGNORECASE)
    if _norm(g["sep"]) == "and" and not prefixed:
        return _REJECT  # "between 3 and 5 March", "on 3 and 4 March"; not "killed 12 and 5 March"
    if not (_month_word_ok(_orig(m, c, "m1"), True) and _month_word_ok(_orig(m, c, "m2"), True)):
        return _REJECT
    d1, d2 = int(g["d1"]), int(g["d2"])
    m2 = _mon(g["m2"])
    if g.get("m1"):
        m1 = _mon(g["m1"])
    else:
        m1 = m2 if d1 <= d2 else _add_months(2000, m2, -1)[1]
    if g.get("y1"):
        year = int(g["y1"])
    elif g.get("y2"):
        year = int(g["y2"]) - (1 if (m1, d1) > (m2, d2) else 0)
    else:
        if _safe_date(2000, m1, d1) is None:
            return _REJECT
        if c.pub is None:
            return None
        d = _day_month_date(c.pub, m1, d1, "on_or_after" if c.future else "on_or_before")
        return _day(d) if d else None
    d = _safe_date(year, m1, d1)
    return _day(d) if d else _REJECT


def _h_range_mdy(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = dict(m.groupdict())
    g["m2"] = g.get("m2") or g["m1"]
    if _norm(g["sep"]) == "and" and not (g.get("pre") or re.search(r"\bon\s+$", c.text[: m.start()], re.IGNORECASE)):
        return _REJECT
    if not (_month_word_ok(_orig(m, c, "m1"), True) and _month_word_ok(_orig(m, c, "m2") or _orig(m, c, "m1"), True)):
        return _REJECT
    m1, m2, d1, d2 = _mon(g["m1"]), _mon(g["m2"]), int(g["d1"]), int(g["d2"])
    if m1 == m2 and d1 >= d2:
        return _REJECT  # "June 5 - 3": not a range
    if g.get("y2"):
        d = _safe_date(int(g["y2"]) - (1 if (m1, d1) > (m2, d2) else 0), m1, d1)
        return _day(d) if d else _REJECT
    if _safe_date(2000, m1, d1) is None:
        return _REJECT
    if c.pub is None:
        return None
    d = _day_month_date(c.pub, m1, d1, "on_or_after" if c.future else "on_or_before")
    return _day(d) if d else None


def _h_range_month(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = m.groupdict()
    if not (_month_word_ok(_orig(m, c, "m1"), True) and _month_word_ok(_orig(m, c, "m2"), True)):
        return _REJECT
    m1, m2 = _mon(g["m1"]), _mon(g["m2"])
    if g.get("y1"):
        return _month(int(g["y1"]), m1)
    if g.get("y2"):
        return _month(int(g["y2"]) - (1 if m1 > m2 else 0), m1)
    if c.pub is None:
        return None
    return _month(_month_year(c.pub, m1, _direction(None, c.future)), m1)


def _h_range_year(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    y1, y2 = m.group("y1"), m.group("y2")
    end = int(y2) if len(y2) == 4 else int(y1[:2] + y2)
    return _year(int(y1)) if end > int(y1) else _REJECT


def _h_day_month(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = m.groupdict()
    if not _month_word_ok(_orig(m, c, "mon"), True):
        return _REJECT
    month, day = _mon(g["mon"]), int(g["day"])
    if _safe_date(2000, month, day) is None:
        return _REJECT
    year = _rel_year(g.get("rel"), c.pub)
    if year is not None:
        d = _safe_date(year, month, day)
        return _day(d) if d else _REJECT
    if c.pub is None:
        return None
    if g.get("wd"):
        d = _day_month_with_weekday(c.pub, month, day, _vocab()["WD_INDEX"][g["wd"].lower()], c.future)
        if d:
            return _day(d)
    d = _day_month_date(c.pub, month, day, _direction(None, c.future))
    return _day(d) if d else None


def _h_ordinal_day(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    day = int(m.group("day"))
    if not 1 <= day <= 31:
        return _REJECT
    if c.pub is None:
        return None
    step = 1 if c.future else -1
    for k in range(0, 4):
        y, mo = _add_months(c.pub.year, c.pub.month, step * k)
        d = _safe_date(y, mo, day)
        if d and (d >= c.pub if c.future else d <= c.pub):
            return _day(d)
    return None


def _h_weekday(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    if c.pub is None:
        return None
    g = m.groupdict()
    wd = _vocab()["WD_INDEX"][g["wd"].lower()]
    if g.get("wk"):
        monday = c.pub - dt.timedelta(days=c.pub.weekday())
        shift = {"last": -7, "this": 0, "next": 7}[g["wk"].lower()]
        return _day(monday + dt.timedelta(days=shift + wd))
    return _day(_weekday_date(c.pub, wd, _direction(g.get("q"), c.future)))


def _h_day_rel(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    w = _norm(m.group("w"))
    if w in ("today", "tomorrow", "tonight") and c.text[m.start("w")].isupper():
        before = c.text[: m.start("w")].rstrip()
        if before and re.search(r"\b[A-Z][\w.]*$", before):
            return _REJECT  # "Russia Today", "USA Today": a name
    if c.pub is None:
        return None
    shift = {"the day before yesterday": -2, "yesterday": -1, "last night": -1, "tomorrow": 1,
             "the day after tomorrow": 2}.get(w, 0)
    return _day(c.pub + dt.timedelta(days=shift))


def _h_week_rel(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    if c.pub is None:
        return None
    w = _norm(m.group("w"))
    if w.endswith("weekend"):
        if w.startswith("next") or (c.future and not w.startswith(("last", "this past", "the past"))):
            d = _weekday_date(c.pub, 5, "after" if w.startswith("next") else "on_or_after")
        else:
            d = _weekday_date(c.pub, 5, "before" if w.startswith("last") else "on_or_before")
        return _month(d.year, d.month)
    shift = -14 if "before last" in w else -7 if w.startswith("last") else 7 if w.startswith("next") else 0
    d = c.pub + dt.timedelta(days=shift)
    return _month(d.year, d.month)


def _h_month_rel(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    w = _norm(m.group("w"))
    if w == "the month" and " of" not in lead:
        return _REJECT
    if c.pub is None:
        return None
    shift = -2 if "before last" in w else -1 if w.startswith("last") else 1 if w.startswith("next") else 0
    return _month(*_add_months(c.pub.year, c.pub.month, shift))


def _h_year_rel(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    w = _norm(m.group("w"))
    if w == "the year" and " of" not in lead:
        return _REJECT
    if c.pub_year is None:
        return None
    shift = (-2 if "before last" in w else 2 if "after next" in w else -1 if w.startswith("last")
             else 1 if w.startswith("next") else 0)
    return _year(c.pub_year + shift)


def _h_past_year(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    """"in the past year": the last twelve months, a calendar year only when the
    publication is dated by its year alone (a review of the year just ended)."""
    if c.pub is None and c.pub_year is not None:
        return _year(c.pub_year - 1)
    return None


def _h_month_of_year(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    """"October of 2022"."""
    if not _month_word_ok(_orig(m, c, "mon"), True):
        return _REJECT
    return _month(int(m.group("year")), _mon(m.group("mon")))


def _h_season(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = m.groupdict()
    if g.get("year"):
        return _year(int(g["year"]))
    if not g.get("q"):
        return _REJECT  # "the fall of Kidal", "in the summer": no year to give
    if c.pub is None:
        return None
    first, last = _lex()["seasons"][g["season"].lower()]
    meaning = _lex()["qualifiers"][_norm(g["q"])]
    if meaning == "this":
        return None if first > last else _year(c.pub.year)
    if first > last:
        return None  # winter straddles two years
    if meaning == "before":
        return _year(c.pub.year if c.pub.month > last else c.pub.year - 1)
    return _year(c.pub.year if c.pub.month < first else c.pub.year + 1)


def _h_month_only(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = m.groupdict()
    cue = bool(lead or g.get("q") or g.get("rel"))
    word = _orig(m, c, "mon") or ""
    if not word[:1].isupper() or word.lower() == "may" and not cue:
        return _REJECT  # "march", "may": verbs
    if word.lower() not in _FULL_MONTHS and not (cue or g.get("dot")):
        return _REJECT  # "Jan", "Dec": names more often than months
    month = _mon(g["mon"])
    year = _rel_year(g.get("rel"), c.pub)
    if year is not None:
        return _month(year, month)
    if c.pub is None:
        return None
    q = g.get("q")
    if q and _lex()["qualifiers"][_norm(q)] == "this":
        return _month(c.pub.year, month)  # "this August": the publication year's
    return _month(_month_year(c.pub, month, _direction(q, c.future)), month)


def _h_year(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    g = m.groupdict()
    cue = bool(lead)
    if not cue:
        before = c.text[: m.start()]
        after = c.text[m.end():]
        if not re.search(r"['’]s\s*$", before) and re.match(r"\s+[a-z]", after):
            return _REJECT  # "2000 soldiers": a count, not a year
    return _year(int(g["year"]))


def _h_ago(m: re.Match, c: _Ctx, lead: str = "") -> Any:
    n = _number(m.group("num"))
    if n is None or m.group("half") or c.pub is None:
        return None
    unit = _vocab()["UNIT_FORMS"][m.group("unit").lower()]
    base, amount, precision = _lex()["units"][unit]
    if base == "day":
        d = c.pub - dt.timedelta(days=n * amount)
        return _day(d)
    if base == "month":
        return _month(*_add_months(c.pub.year, c.pub.month, -n * amount))
    return _year(c.pub.year - n * amount)


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    v = _vocab()
    WD, MON, MONFULL, NUM, UNIT = v["WD"], v["MON"], v["MONFULL"], v["NUM"], v["UNIT"]
    QUAL, PARTS, VAGUEQ, APPROX, DPREP, SEASON = v["QUAL"], v["PARTS"], v["VAGUEQ"], v["APPROX"], v["DPREP"], v["SEASON"]
    QTY = rf"(?:{NUM}|{VAGUEQ})"
    SEP = r"(?P<sep>-|–|—|\bto\b|\band\b|\buntil\b|\btill\b|\bthrough\b)"
    lex = _lex()
    D = frozenset({"#digit"})
    MONW, WDW = frozenset(MONTHS), frozenset(lex["weekdays"])
    UNITW = frozenset(v["UNIT_FORMS"])
    last_words = lambda key: frozenset(p.split()[-1] for p in lex[key])  # noqa: E731
    W = lambda *words: frozenset(words)  # noqa: E731
    SEPW = W("to", "and", "until", "till", "through", "#dash")
    # kind, pattern, handler, the lead that may precede it, trigger word sets[, search window]
    specs: list[tuple[Any, ...]] = [
        # ranges: the start
        ("range", rf"(?P<pre>\b(?:from|between)\s+)?\b(?P<d1>[0-3]?\d){_ORD}(?:\s+(?:of\s+)?(?P<m1>{MON})\b\.?)?"
                  rf"(?:,?\s+(?P<y1>{_YEAR}))?\s*{SEP}\s*(?P<d2>[0-3]?\d){_ORD}\s+(?:of\s+)?(?P<m2>{MON})\b\.?"
                  rf"(?:,?\s+(?P<y2>{_YEAR})\b)?", _h_range_dmy, False, (D, MONW, SEPW)),
        ("range", rf"(?P<pre>\b(?:from|between)\s+)?\b(?P<m1>{MON})\b\.?\s+(?P<d1>[0-3]?\d){_ORD}\b\s*{SEP}\s*"
                  rf"(?:(?P<m2>{MON})\b\.?\s+)?(?P<d2>[0-3]?\d){_ORD}\b(?:,?\s+(?P<y2>{_YEAR})\b)?",
         _h_range_mdy, False, (D, MONW, SEPW)),
        ("range", rf"\b(?:from|between)\s+(?:(?:early|late|mid)[\s-]+)?(?P<m1>{MONFULL})(?:\s+(?P<y1>{_YEAR}))?"
                  rf"\s+(?:to|and|until|till|through)\s+(?:(?:early|late|mid)[\s-]+)?(?P<m2>{MONFULL})\b"
                  rf"(?:,?\s+(?P<y2>{_YEAR})\b)?", _h_range_month, False, (W("from", "between"), MONW)),
        ("range", rf"\b(?P<m1>{MON})\b\.?\s*[-–/]\s*(?P<m2>{MON})\b\.?,?\s+(?P<y2>{_YEAR})\b",
         _h_range_month, False, (D, MONW, W("#dash"))),
        ("range", rf"\b(?:from|between)\s+(?P<y1>{_YEAR})\s+(?:to|and|until|till|through)\s+(?P<y2>{_YEAR})\b",
         _h_range_year, False, (D,)),
        ("range", rf"\b(?P<y1>{_YEAR})\s*[-–/]\s*(?P<y2>(?:19|20)?\d\d)\b(?![-/.]\d)", _h_range_year, False,
         (D, W("#dash"))),
        # day and month without a year
        ("day_month", rf"\b(?:(?P<wd>{WD}),?\s+)?(?:the\s+)?(?P<day>[0-3]?\d){_ORD}\s+(?:of\s+)?(?P<mon>{MON})\b\.?"
                      rf"(?!,?\s*{_YEAR}\b){_TRAIL}", _h_day_month, True, (D, MONW)),
        ("day_month", rf"\b(?:(?P<wd>{WD}),?\s+)?(?P<mon>{MON})\b\.?\s+(?P<day>[0-3]?\d){_ORD}\b"
                      rf"(?!,?\s*{_YEAR}\b)(?![:.,]\d){_TRAIL}", _h_day_month, True, (D, MONW)),
        ("day_month", rf"\bon\s+the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:{MON})\b)",
         _h_ordinal_day, False, (D, W("on"))),
        # weekdays and days
        ("weekday", rf"\b(?:(?P<q>{QUAL})\s+)?(?P<wd>{WD})(?:['’]s)?\b(?:\s+(?P<part>{PARTS})\b)?"
                    rf"(?:,?\s+(?P<wk>last|this|next)\s+week\b)?", _h_weekday, True, (WDW,), (24, 48)),
        ("day", rf"\b(?P<w>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday|today|tonight|"
                rf"tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))(?:['’]s)?\b(?:\s+(?:{PARTS})\b)?",
         _h_day_rel, True, (W("yesterday", "today", "tonight", "tomorrow", "night", "morning", "afternoon", "evening"),), (24, 32)),
        # weeks, months, years relative to publication
        ("week", r"\b(?P<w>(?:the\s+)?week\s+before\s+last|(?:this\s+past|the\s+past|this|last|next|the)\s+weekend|"
                 r"this\s+week|last\s+week|next\s+week)\b", _h_week_rel, True, (W("week", "weekend"),), (24, 24)),
        ("month", r"\b(?P<w>(?:the\s+)?month\s+before\s+last|this\s+month|last\s+month|next\s+month|"
                  r"the\s+(?:current\s+)?month)\b", _h_month_rel, True, (W("month"),), (24, 24)),
        ("year", r"\b(?:in|over|during|throughout)\s+the\s+(?:past|last|previous)\s+year\b(?!\s+(?:and|or))",
         _h_past_year, False, (W("year"),), (32, 24)),
        ("month", rf"\b(?P<mon>{MONFULL})\s+of\s+(?P<year>{_YEAR})\b", _h_month_of_year, True, (MONW, D)),
        ("year", rf"\b(?P<w>(?:the\s+)?year\s+before\s+last|(?:the\s+)?year\s+after\s+next|this\s+year|last\s+year|"
                 rf"next\s+year|the\s+current\s+year|the\s+year)\b(?!\s+{_YEAR})", _h_year_rel, True, (W("year"),), (24, 24)),
        ("season", rf"\b(?:(?P<q>{QUAL})\s+)?(?:the\s+)?(?P<season>{SEASON})\b(?:\s+of)?(?:\s+(?P<year>{_YEAR})\b)?",
         _h_season, True, (frozenset(lex["seasons"]),), (24, 24)),
        # a month without a year
        ("month", rf"\b(?:(?P<q>{QUAL})\s+)?(?P<mon>{MON})\b(?P<dot>\.)?(?!\s+[0-3]?\d\b)"
                  rf"(?!\.?,?\s+{_YEAR}\b){_TRAIL}", _h_month_only, True, (MONW,), (24, 40)),
        # a year
        ("year", rf"(?<![$€£\d\w])(?P<year>{_YEAR})\b(?![.,:]\d|\s*(?:%|percent\b|per\s+cent\b|gmt\b|utc\b|hrs?\b|hours\b|h\b|local\s+time\b))(?:['’]s\b)?",
         _h_year, _year_lead_re(), (D,), (4, 12)),
        ("decade", r"(?:(?<![\w'’])(?:19|20)\d0|['’]\d0)s\b", _h_none, _year_lead_re(), (D,), (4, 12)),
        # N units ago
        ("ago", rf"\b(?:(?:{APPROX})\s+)?(?P<num>{QTY})\s+(?P<unit>{UNIT})\b(?P<half>\s+and\s+a\s+half)?\s+ago\b",
         _h_ago, False, (W("ago"),), (64, 4)),
        # not dates: ages, durations, anaphora, vague time
        ("age", rf"\b{NUM}[\s-]+(?:years?|months?)[\s-]+old\b|\baged\s+\d{{1,3}}\b|\bat\s+the\s+age\s+of\s+{NUM}\b"
                rf"|\bage\s+\d{{1,3}}\b", _h_none, False, (W("old", "aged", "age"),)),
        ("anaphoric", rf"\b(?:(?:{APPROX})\s+)?{QTY}\s+(?:{UNIT})\b(?:\s+and\s+a\s+half)?\s+"
                      r"(?:later|earlier|after|before|afterwards|on|prior)\b", _h_none, False, (UNITW,), (64, 32)),
        ("anaphoric", rf"\b(?:{_alt(lex['anaphoric'])})\b", _h_none, False, (last_words("anaphoric"),)),
        ("duration", rf"\b(?:(?:{DPREP})\s+)?(?:the\s+)?(?:(?:past|last|next|coming|previous|first|following|final|"
                     rf"ensuing)\s+)?(?:(?:{APPROX})\s+)?{QTY}\s+(?:{UNIT})\b(?:\s+and\s+a\s+half)?",
         _h_none, False, (UNITW,), (64, 32)),
        ("duration", rf"\b(?:(?:{DPREP})\s+)?the\s+(?:past|last|next|coming|previous|first|following|final)\s+"
                     rf"(?:{UNIT})\b", _h_none, False, (UNITW,), (64, 32)),
        ("duration", rf"\b{NUM}-(?:{UNIT})(?:-long)?\b(?!-old)", _h_none, False, (UNITW,), (64, 32)),
        ("vague", rf"\b(?:{_alt(lex['vague'])})\b", _h_none, False, (last_words("vague"),)),
    ]
    return tuple(
        _Rule(kind, re.compile(p), h, _LEAD_RE if lead is True else lead or None, trig, *window)
        for kind, p, h, lead, trig, *window in specs
    )


@lru_cache(maxsize=1)
def _year_lead_re() -> re.Pattern:
    """What may precede a year: a lead, "the", "Q1", "spring (of)", "year"."""
    return re.compile(
        _LEAD_RE.pattern[:-1]
        + rf"(?:the\s+)?(?:(?:q[1-4]|h[12])\s+)?(?:(?:{_vocab()['SEASON']})(?:\s+of)?\s+)?(?:year\s+)?$"
    )


_TOKEN = re.compile(r"[a-z]+|\d+")
_DASHES = re.compile(r"[-–—/]")


@lru_cache(maxsize=1)
def _all_anchor_words() -> frozenset[str]:
    return frozenset().union(*(rule.triggers[0] for rule in _rules()))


def _windowed(pattern: re.Pattern, text: str, anchors: list[int], window: tuple[int, int]) -> Iterator[re.Match]:
    """The matches of ``pattern`` reaching at most ``window`` characters before/after an anchor word."""
    back, ahead = window
    windows: list[list[int]] = []
    for p in anchors:
        if windows and p - back <= windows[-1][1]:
            windows[-1][1] = p + ahead
        else:
            windows.append([max(0, p - back), p + ahead])
    for start, end in windows:
        while end < len(text) and not text[end].isspace():
            end += 1  # never cut a word: the end of the search is read as the end of the text
        yield from pattern.finditer(text, start, min(end, len(text)))


# ---------------------------------------------------------------- public API

def find_time_expressions(text: str, published: dt.date | str | None = None, future: bool = False) -> list[TimeExpression]:
    """The time expressions in ``text``, in order, resolved against ``published``.

    Without ``published`` relative expressions are found but their ``value`` is
    None; absolute ones still resolve. ``future`` reads bare weekdays, months and
    day-months as the coming ones (for sentences about what will happen).
    Durations, ages, vague and anaphoric expressions come back with ``value``
    None and a kind in :data:`NON_DATING_KINDS`.
    """
    ctx = _Ctx(text, _as_date(published), future, _as_year(published))
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two ("İ"): keep offsets
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    tokens: dict[str, list[int]] = {}
    for t in _TOKEN.finditer(low):
        tokens.setdefault("#digit" if t.group()[0].isdigit() else t.group(), []).append(t.start())
    words = set(tokens)
    if "#digit" in words and _DASHES.search(text):
        words.add("#dash")
    if words.isdisjoint(_all_anchor_words()):
        return []
    absolute = [(d.start, d.end, 0, "date", d.value) for d in find_dates(text)] if "#digit" in words else []
    cands: list[tuple[int, int, int, str, str | None]] = list(absolute)
    for prio, rule in enumerate(_rules(), start=1):
        if any(words.isdisjoint(trigger) for trigger in rule.triggers):
            continue
        # every match holds a word of the rule's first trigger set: search only around those
        anchors = sorted(p for w in words.intersection(rule.triggers[0]) for p in tokens[w])
        for m in _windowed(rule.pattern, low, anchors, rule.window):
            start, end = m.start(), m.end()
            lead = ""
            if rule.lead is not None and start:
                lm = rule.lead.search(low, max(0, start - 48), start)
                if lm:
                    lead, start = lm.group(0), lm.start()
            while end > start and text[end - 1].isspace():
                end -= 1
            if end - 1 > start and text[end - 1] == "." and _word_before(text, end - 1) not in _ABBREVIATIONS:
                end -= 1  # a sentence's full stop, not an abbreviation's
            if end <= start:
                continue
            # a relative reading of part of an absolute date ("the end of March" in "... March 2022")
            if any(s < end and start < e and not (start <= s and e <= end) for s, e, *_ in absolute):
                continue
            value = rule.handler(m, ctx, lead)
            if value is _REJECT:
                continue
            cands.append((start, end, prio, rule.kind, value))
    chosen: list[tuple[int, int, int, str, str | None]] = []
    for cand in sorted(cands, key=lambda x: (x[0] - x[1], x[2], x[0])):
        if all(cand[1] <= s or e <= cand[0] for s, e, *_ in chosen):
            chosen.append(cand)
    chosen.sort()
    return [TimeExpression(s, e, text[s:e], value, kind) for s, e, _, kind, value in chosen]


def resolve(expression_text: str, published: dt.date | str | None, future: bool = False) -> str | None:
    """The date a time expression names, as YYYY, YYYY-MM or YYYY-MM-DD, or None.

    The rules of :func:`find_time_expressions` decide first; text they do not
    read at all (another wording, French) goes to dateparser, guarded against its
    known misreadings (durations read as dates, today's weekday read as last
    week's).
    """
    found = find_time_expressions(expression_text, published, future)
    for e in found:
        if e.dating:
            return e.value
    if found:
        return None
    return _fallback(expression_text, _as_date(published), future)


def event_date(sentence: str, published: dt.date | str | None, future: bool = False) -> str | None:
    """The date of the event a sentence reports: its first resolvable dating expression.

    Durations ("for two weeks"), ages, vague ("recently") and anaphoric ("the
    following day") expressions are skipped; a range gives its start.
    """
    for e in find_time_expressions(sentence, published, future):
        if e.dating and e.value:
            return e.value
    return None


# ---------------------------------------------------------------- dateparser fallback

@lru_cache(maxsize=64)
def _fallback_parser(base: dt.date | None, future: bool) -> Any:
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "future" if future else "past", "STRICT_PARSING": False}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en", "fr"], settings=settings)


@lru_cache(maxsize=1)
def _fallback_words() -> dict[str, Any]:
    lex = _lex()

    def words(key: str) -> re.Pattern:
        return re.compile(rf"(?<!\w)(?:{_alt(lex[key])})(?!\w)", re.IGNORECASE)

    return {
        "units": words("fallback_units"),
        "cues": words("fallback_cues"),
        "before": words("fallback_before"),
        "after": words("fallback_after"),
        "weekday": re.compile(rf"(?<!\w)({_alt(lex['weekdays'] + lex['weekdays_fr'])})(?!\w)", re.IGNORECASE),
    }


def _fallback(text: str, pub: dt.date | None, future: bool) -> str | None:
    text = text.strip()
    if not text or len(text) > 60 or not re.search(r"[^\W\d_]", text):
        return None
    if pub is None and not re.search(rf"\b{_YEAR}\b", text):
        return None  # nothing absolute to read without a publication date
    w = _fallback_words()
    if w["units"].search(text) and not w["cues"].search(text):
        return None  # "a decade", "deux semaines": a duration
    wd = w["weekday"].search(text)
    if wd:
        if pub is None:
            return None
        v = _vocab()
        index = v["WD_INDEX"].get(wd.group(1).lower(), v["WD_FR_INDEX"].get(wd.group(1).lower()))
        direction = ("before" if w["before"].search(text) else "after" if w["after"].search(text)
                     else "on_or_after" if future else "on_or_before")
        return _day(_weekday_date(pub, index, direction))
    try:
        data = _fallback_parser(pub, future).get_date_data(text)
    except Exception:  # dateparser raises on odd input; a miss is a None here
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj
    period = data.period or "day"
    if period == "year":
        return _year(d.year)
    if period in ("month", "week"):
        return _month(d.year, d.month)
    return _day(d.date())
