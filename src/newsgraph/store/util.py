"""Small helpers shared by the store and the graph: keys, dates, titles, dialect-aware inserts."""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from newsgraph.kb import name_key

__all__ = ["content_hash", "date_interval", "entity_name_key", "insert", "kb_key", "name_key", "sha256",
           "title_key", "titles_conflict", "translit_entity_key"]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def content_hash(url: str | None, text: str) -> str:
    """Identity of a stored version: the cleaned text at its URL (or with no URL)."""
    return sha256(f"{(url or '').strip()}\n{text}")


def kb_key(kb_id: str) -> str:
    return f"kb:{kb_id}"


def entity_name_key(type_: str, name: str) -> str:
    return f"name:{type_}:{name_key(name)}"


def translit_entity_key(type_: str, name: str) -> str | None:
    """A looser key for people's full names: romanization variants folded (Sergey Shoygu == Sergei Shoigu)."""
    if type_ != "PERSON" or len(name.split()) < 2:
        return None
    from newsgraph.nlp.names import translit_key

    return f"translit:{type_}:{translit_key(name)}"


def date_interval(value: str | None) -> tuple[dt.date, dt.date, str] | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as (first day, last day, precision)."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            day = dt.date(parts[0], parts[1], parts[2])
            return day, day, "day"
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last), "month"
        if len(parts) == 1:
            return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year"
    except ValueError:
        return None
    return None


_TITLE_STOP = frozenset({"of", "the", "for", "and", "a", "an", "to", "in", "on", "s", "then", "former", "acting",
                         "interim", "transitional", "current", "new"})
_TITLE_SYNONYMS = {"defense": "defence", "affairs": "", "ministry": "minister", "chairperson": "chairman",
                   "chair": "chairman", "head": "head", "chief": "head", "leader": "head"}


def title_key(title: str) -> str:
    """Order- and spelling-insensitive key of a title: ``Minister of Defense`` == ``Defence Minister``."""
    words = []
    for w in re.findall(r"\w+", name_key(title)):
        w = _TITLE_SYNONYMS.get(w, w)
        if w and w not in _TITLE_STOP:
            words.append(w)
    return " ".join(sorted(set(words)))


def titles_conflict(a: str, b: str) -> bool:
    """Two title keys that cannot describe one position (neither includes the other)."""
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return False
    return not (wa <= wb or wb <= wa)


_EXCLUSIVE = ("president", "prime", "minister", "head", "director", "commander", "secretary", "chairman",
              "governor", "mayor", "king", "ambassador", "chancellor", "speaker", "general")
_SHARED = ("deputy", "vice", "adviser", "advisor", "member", "spokesman", "spokesperson", "spokeswoman",
           "assistant", "aide", "officer", "official", "representative", "envoy", "special", "senior", "former")


def exclusive_title(key: str) -> bool:
    """A title that one person holds at a time (``Defence Minister``, not ``Deputy Minister``)."""
    words = set(key.split())
    return bool(words & set(_EXCLUSIVE)) and not words & set(_SHARED)


def insert(conn: Connection, table: Table):
    """``INSERT`` with ``on_conflict_do_*`` for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
