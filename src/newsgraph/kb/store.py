"""Loading, merging, validating and looking up knowledge-base entries."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from newsgraph.kb.model import KBEntry


class KBError(Exception):
    """A knowledge-base file that cannot be used, with the file and the reason."""


def builtin_kb_dir() -> Path:
    return Path(__file__).parent / "data"


_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for a name.

    ``Traoré`` and ``traore`` share a key; ``the U.S.`` and ``US`` too.
    """
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold().replace("’", "'").replace("'s ", " ")
    s = s.replace(".", "")
    s = _PUNCT.sub(" ", s)
    s = _SPACE.sub(" ", s).strip()
    return s[4:] if s.startswith("the ") else s


_PORTFOLIO_OF = re.compile(r"^(?P<head>(?:deputy |first deputy |vice |acting )*(?:minister|secretary|ministry))"
                           r" (?:of |for )(?:the )?(?P<portfolio>.+)$")
_TITLE_SYNONYMS = {
    "defense": "defence", "armed forces": "defence", "foreign affairs": "foreign", "external affairs": "foreign",
    "internal affairs": "interior", "home affairs": "interior", "head of state": "president",
}


@lru_cache(maxsize=4096)
def office_key(title: str) -> str:
    """One key for the ways a title is written: 'Minister of Defense', 'Defence
    Minister' and 'defence minister' share 'defence minister'."""
    key = name_key(title)
    for word, canonical in _TITLE_SYNONYMS.items():
        key = re.sub(rf"\b{word}\b", canonical, key)
    m = _PORTFOLIO_OF.match(key)
    if m:
        key = f"{m.group('portfolio')} {m.group('head')}"
        head_words = m.group("head").split()
        if len(head_words) > 1:  # "deputy minister of defence" -> "deputy defence minister"
            key = f"{' '.join(head_words[:-1])} {m.group('portfolio')} {head_words[-1]}"
    return re.sub(r"\s+", " ", key).strip()


@dataclass
class KnowledgeBase:
    entries: dict[str, KBEntry] = field(default_factory=dict)
    origins: dict[str, Path] = field(default_factory=dict)
    _by_key: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, entry: KBEntry, origin: Path) -> None:
        if entry.id in self.entries:  # a later folder overrides: drop the old forms
            self._unindex(self.entries[entry.id])
        self.entries[entry.id] = entry
        self.origins[entry.id] = origin
        for form in entry.surface_forms:
            ids = self._by_key[name_key(form)]
            if entry.id not in ids:
                ids.append(entry.id)

    def _unindex(self, entry: KBEntry) -> None:
        for form in entry.surface_forms:
            ids = self._by_key.get(name_key(form), [])
            if entry.id in ids:
                ids.remove(entry.id)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries.values())

    def get(self, entry_id: str) -> KBEntry | None:
        return self.entries.get(entry_id)

    def lookup(self, name: str, type_: str | None = None) -> list[KBEntry]:
        """Entries one of whose surface forms matches ``name`` (see ``name_key``)."""
        found = [self.entries[i] for i in self._by_key.get(name_key(name), [])]
        if type_ is not None:
            found = [e for e in found if e.type == type_]
        return found

    def resolve(self, name_or_id: str) -> KBEntry | None:
        """One entry for an id or an unambiguous name, else None."""
        if name_or_id in self.entries:
            return self.entries[name_or_id]
        found = self.lookup(name_or_id)
        return found[0] if len(found) == 1 else None

    def states(self) -> Iterable[KBEntry]:
        return (e for e in self.entries.values() if e.kind == "state")

    def state_by_country(self, iso3: str) -> KBEntry | None:
        for e in self.states():
            if e.country == iso3:
                return e
        return None

    def office_holders(self, title: str, of: str, day: dt.date | None) -> list[tuple[KBEntry, object]]:
        """People the KB says held ``title`` of ``of`` on ``day`` (any day when None)."""
        of_entry = self.resolve(of)
        of_keys = {name_key(of)} | ({name_key(f) for f in of_entry.surface_forms} if of_entry else set())
        out = []
        for e in self.entries.values():
            for office in e.offices:
                if office_key(office.title) != office_key(title):
                    continue
                target = self.resolve(office.of)
                keys = {name_key(office.of)} | ({name_key(f) for f in target.surface_forms} if target else set())
                if keys & of_keys and (day is None or office.holds_on(day)):
                    out.append((e, office))
        return out

    def check(self) -> list[str]:
        """Problems that loading alone does not catch (dangling references)."""
        problems = []
        for e in self.entries.values():
            where = f"{self.origins[e.id].name}: {e.id}"
            for office in e.offices:
                if self.resolve(office.of) is None:
                    problems.append(f"{where}: office 'of' {office.of!r} names no single KB entry")
            if e.front_of and self.resolve(e.front_of) is None:
                problems.append(f"{where}: front_of {e.front_of!r} names no single KB entry")
            if e.kind == "state" and not e.country:
                problems.append(f"{where}: a state needs its ISO-3 country code")
        return problems


def _read_entries(path: Path) -> list[KBEntry]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KBError(f"{path}: cannot read YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise KBError(f"{path}: expected a YAML list of entries, found {type(data).__name__}")
    entries = []
    for i, item in enumerate(data):
        try:
            entries.append(KBEntry.model_validate(item))
        except ValidationError as exc:
            label = item.get("id", f"entry {i + 1}") if isinstance(item, dict) else f"entry {i + 1}"
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise KBError(f"{path}: {label}: {loc}: {first['msg']}") from exc
    return entries


def load_kb(extra_dirs: Iterable[Path] = (), *, builtin: bool = True) -> KnowledgeBase:
    """Read the built-in KB, then each folder in ``extra_dirs`` over it."""
    kb = KnowledgeBase()
    dirs = ([builtin_kb_dir()] if builtin else []) + [Path(d) for d in extra_dirs]
    for folder in dirs:
        if not folder.is_dir():
            raise KBError(f"{folder}: not a folder of KB YAML files")
        seen_here: dict[str, Path] = {}
        for path in sorted(folder.glob("*.y*ml")):
            for entry in _read_entries(path):
                if entry.id in seen_here:
                    raise KBError(f"{path}: id {entry.id} already defined in {seen_here[entry.id].name}")
                seen_here[entry.id] = path
                kb.add(entry, path)
    return kb
