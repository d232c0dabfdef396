"""Canonical entities for one document: one entity per real-world thing, with
every surface form in ``aliases`` and every mention with exact offsets.

Mentions come from spaCy (KB ruler + NER). They are resolved against the KB
where possible, then merged by document-level consistency rules that the
model cannot apply sentence by sentence:

- the same KB entry, or the same name up to case, accents and punctuation;
- romanization variants of one person (Shoigu/Shoygu, Sergey/Sergei);
- a surname or first name + patronymic standing for a full name used in the document;
- an acronym defined in parentheses after a name ("... Security (SOMB)");
- a short form of an organization ("the Armed Forces" for "Armed Forces of the CAR");
- a capital standing for its state ("Moscow builds relations") unless it is a place ("in Moscow");
- a near-miss spelling of a place named in the document.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from newsgraph.kb import KBEntry, KnowledgeBase, name_key
from newsgraph.lexicons import load_lexicon
from newsgraph.nlp.names import PATRONYMIC, translit_key
from newsgraph.record import Entity
from newsgraph.record import Span as Evidence

LABEL_MAP = {
    "PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "LOC",
    "PRODUCT": "OTHER", "EVENT": "OTHER", "LAW": "OTHER", "OTHER": "OTHER",
}
LEXICON = load_lexicon("entities")
LOCATIVE = frozenset(LEXICON["locative_words"])
GENERIC = frozenset(LEXICON["generic_names"])
REGIONAL = frozenset(LEXICON["regional_adjectives"]) | frozenset(LEXICON["peoples"])
GIVEN_NAMES = frozenset(LEXICON["given_names"])
CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july "
    "august september october november december".split()
)
TITLES = frozenset(LEXICON["person_titles"])
DESCRIPTIVE_HEADS = frozenset(LEXICON["descriptive_heads"])
_SYSTEM = re.compile(
    r"(?:(?<=[‘'\"“])|\b)(?P<name>[A-Z][\w-]*[A-Za-z0-9](?:[ -][A-Z0-9][\w-]*)?)[’'\"”]?\s+(?:"
    + "|".join(LEXICON["system_heads"]) + r")\b"
)
_ORG_WORDS = re.compile(
    r"(?i)\b(?:group|union|company|corporation|ltd|inc|agency|ministry|council|party|front|movement|army|forces|"
    r"bank|fund|foundation|institute|university|association|network|committee|office|news|media|alliance)\b"
)
_PLACE = r"[A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){0,3}"
# "the US Embassy in Bangui", "the Embassy of France in Niamey"
_EMBASSY = re.compile(
    rf"(?:(?P<state1>{_PLACE})\s+Embassy|Embassy\s+of\s+(?:the\s+)?(?P<state2>{_PLACE}))\s+in\s+"
    r"(?P<city>[A-Z][\w'’-]*(?:[ -][A-Z][\w'’-]*){0,2})"
)
# "Sahel Farmers Cooperative Network (SFCN)": capitalised words defining an acronym.
_DEFINITION = re.compile(
    r"((?:[A-Z][\w'’-]*\s+(?:(?:of|for|the|and|on|in|de|du|des|la|le)\s+)*){1,9})\(([A-Z][A-Z0-9&-]{1,9})\)"
)
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:['’]s|['’])$")
_JUNK = re.compile(r"^[\W\d_]+$")


@dataclass
class Mention:
    start: int
    end: int
    text: str
    label: str
    entry: KBEntry | None = None
    in_title: bool = False
    # Resolved only through a bare-surname KB alias ("Belousov"): a full name in
    # the document with that surname ("Nikolai Belousov") takes precedence.
    weak: bool = False
    # For entities named by a rule rather than the KB ("Embassy of Russia in Bamako").
    canonical: str | None = None
    kind: str | None = None
    country: str | None = None


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class EntityResolver:
    """Turns a parsed document's entity spans into canonical record entities."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.capital_of: dict[str, KBEntry] = {}
        # Nationality words are not entities ("Burkinabes", "Russians").
        self.demonyms: set[str] = set()
        for state in kb.states():
            for d in state.demonyms:
                k = name_key(d)
                self.demonyms |= {k, k + "s", k + "es"}
        # surname -> KB people, for "President Traoré" when the text never gives his full name
        self.people_by_surname: dict[str, list[KBEntry]] = {}
        for entry in kb:
            if entry.type == "PERSON" and entry.offices:
                self.people_by_surname.setdefault(name_key(entry.name.split()[-1]), []).append(entry)
        self.name_prefixes = (self.demonyms | set(LEXICON["person_titles"]) | set(LEXICON["regional_adjectives"])
                              | CALENDAR_WORDS)
        for state in kb.states():
            if state.capital:
                city = kb.resolve(state.capital)
                # Moscow was also the Soviet capital: the city's own country decides.
                if city is not None and (city.id not in self.capital_of or city.country == state.country):
                    self.capital_of[city.id] = state

    # -- mentions -------------------------------------------------------
    def _trim(self, full: str, span: Span) -> tuple[int, int] | None:
        text = full[span.start_char:span.end_char]
        start, end = span.start_char, span.end_char
        m = _LEADING.match(text)
        if m:
            start += m.end()
        tail = _TRAILING.search(full[start:end])
        if tail:
            end -= len(tail.group(0))
        while end > start and not full[end - 1].isalnum() and full[end - 1] not in ").":
            end -= 1
        if span.label_ == "PERSON":  # "African Che Guevara", "President Traoré": not part of the name
            while True:
                m = re.match(r"[^\s]+\s+", full[start:end])
                if not m or name_key(m.group(0)) not in self.name_prefixes:
                    break
                start += m.end()
        if end <= start or _JUNK.match(full[start:end]):
            return None
        return start, end

    def _kb_entry(self, span: Span, text: str, label: str) -> KBEntry | None:
        if span.id_ and not span.id_.startswith("gazetteer/"):
            entry = self.kb.get(span.id_)
            if entry is not None:
                return entry
        found = self.kb.lookup(text)
        if not found:
            return None
        same = [e for e in found if e.type == label]
        pool = same or found
        # Several entries share a form (a state and a river): prefer states, then cities.
        pool.sort(key=lambda e: {"state": 0, "city": 1}.get(e.kind or "", 2))
        return pool[0]

    def mentions(self, doc: Doc, title_end: int = 0) -> list[Mention]:
        out = []
        full = doc.text  # built from tokens on every access: read it once
        for span in doc.ents:
            label = LABEL_MAP.get(span.label_)
            if label is None:
                continue
            if span.id_.startswith("gazetteer/"):
                label = "GPE"
            trimmed = self._trim(full, span)
            if trimmed is None:
                continue
            start, end = trimmed
            text = full[start:end]
            if label in ("PERSON", "ORG") and not any(c.isupper() for c in text):
                continue
            entry = self._kb_entry(span, text, label)
            if entry is None and self._generic(text):
                continue
            last = text.split()[-1]
            if last.islower() and last in DESCRIPTIVE_HEADS:
                # "the Russian military": a description, not a name; but in "Mali's army"
                # the possessor is still a mention of Mali.
                owner = re.match(r"(.+?)['’]s\s", text)
                found = self.kb.lookup(owner.group(1)) if owner else []
                if found:
                    o_entry = found[0]
                    out.append(Mention(start, start + len(owner.group(1)), owner.group(1), o_entry.type, o_entry,
                                       start < title_end))
                continue
            if entry is None and label == "PERSON" and len(text.split()) == 1 and self._after_locative(doc, span):
                label = "GPE"  # "near Dembi": NER calls unknown one-word places people
            words = text.split()
            if (entry is None and label in ("ORG", "GPE", "LOC") and 2 <= len(words) <= 4
                    and words[0].lower() in GIVEN_NAMES and not _ORG_WORDS.search(text)):
                label = "PERSON"  # "Amadou Sangare" tagged ORG
            if entry is not None and entry.kind == "city" and entry.id in self.capital_of:
                if not self._is_place(doc, span):
                    entry = self.capital_of[entry.id]
            if entry is None and label in ("PERSON", "ORG", "GPE") and len(text.split()) == 1:
                entry = self._titled_surname(full, start, text)
                if entry is not None:
                    label = "PERSON"
            weak = entry is not None and entry.type == "PERSON" and len(text.split()) == 1
            out.append(Mention(start, end, text, entry.type if entry else label, entry, start < title_end, weak))
        return out

    def _titled_surname(self, full: str, start: int, surname: str) -> KBEntry | None:
        """'President Traoré': the one KB person of that surname who held that office."""
        before = full[max(0, start - 40):start].split()
        if not before or before[-1].lower().rstrip(".") not in TITLES:
            return None
        title = before[-1].lower().rstrip(".")
        fits = [e for e in self.people_by_surname.get(name_key(surname), [])
                if any(title in o.title.lower() for o in e.offices)]
        if len(fits) > 1:  # Moussa Traoré was president too: prefer whoever holds it now
            fits = [e for e in fits if any(title in o.title.lower() and o.end is None for o in e.offices)]
        return fits[0] if len(fits) == 1 else None

    def _generic(self, text: str) -> bool:
        key = name_key(text)
        return (key in GENERIC or key in self.demonyms or key in REGIONAL
                or all(w in GENERIC or w in REGIONAL for w in key.split()))

    @staticmethod
    def _after_locative(doc: Doc, span: Span) -> bool:
        prev = doc[span.start - 1] if span.start > 0 else None
        while prev is not None and prev.is_punct and prev.i > 0:
            prev = doc[prev.i - 1]
        return prev is not None and prev.lower_ in LOCATIVE

    @classmethod
    def _is_place(cls, doc: Doc, span: Span) -> bool:
        """Is this capital a place ("in Moscow", "MOSCOW:" dateline) rather than its government?"""
        if cls._after_locative(doc, span):
            return True
        nxt = doc[span.end] if span.end < len(doc) else None
        at_line_start = span.start == 0 or "\n" in doc[span.start - 1].text_with_ws
        if at_line_start and nxt is not None and nxt.text in (":", ",", "—", "-", "("):
            return True  # dateline
        return nxt is not None and nxt.text.startswith("-based")

    # -- clustering -----------------------------------------------------
    def cluster(self, mentions: list[Mention], text: str) -> list[list[Mention]]:
        uf = _UnionFind(len(mentions))
        by_key: dict[str, int] = {}
        by_entry: dict[str, int] = {}
        def bare_surname(m: Mention) -> bool:
            return m.weak or (m.entry is None and m.label == "PERSON" and len(m.text.split()) == 1)

        for i, m in enumerate(mentions):
            if bare_surname(m):
                # Each "Traoré" may stand for a different full name: placed by
                # _link_short_person_forms, else below by its KB entry or its spelling.
                continue
            if m.entry is not None:
                j = by_entry.setdefault(m.entry.id, i)
            else:
                j = by_key.setdefault(name_key(m.canonical or m.text), i)
            uf.union(i, j)

        persons = [i for i, m in enumerate(mentions) if m.label == "PERSON" and len(m.text.split()) >= 2]
        # An unresolved full name whose KB-resolved twin differs by romanization.
        for i in persons:
            for j in persons:
                if i < j and translit_key(mentions[i].text) == translit_key(mentions[j].text):
                    uf.union(i, j)

        linked = self._link_short_person_forms(mentions, persons, uf, text)
        for i, m in enumerate(mentions):
            if bare_surname(m) and i not in linked:
                if m.entry is not None:
                    uf.union(i, by_entry.setdefault(m.entry.id, i))
                else:
                    uf.union(i, by_key.setdefault(name_key(m.text), i))
        self._link_defined_acronyms(mentions, text, uf)
        self._link_org_short_forms(mentions, uf)
        self._link_near_miss_places(mentions, uf)

        groups: dict[int, list[Mention]] = {}
        for i, m in enumerate(mentions):
            groups.setdefault(uf.find(i), []).append(m)
        return list(groups.values())

    def _link_short_person_forms(
        self, mentions: list[Mention], persons: list[int], uf: _UnionFind, text: str = ""
    ) -> set[int]:
        """A surname ("Traore") or first name + patronymic ("Alexander Alexandrovich")
        stands for the one full name it fits, preferring people already mentioned."""
        def person_forms(i: int) -> list[str]:
            m = mentions[i]
            forms = [m.text] + (m.entry.surface_forms if m.entry is not None and m.entry.type == "PERSON" else [])
            return [f for f in forms if len(f.split()) >= 2 and not PATRONYMIC.match(f.split()[-1])]

        surnames: dict[str, set[int]] = {}
        firsts: dict[str, set[int]] = {}
        first_seen: dict[int, int] = {}
        for i in persons:
            for form in person_forms(i):
                words = form.split()
                surnames.setdefault(translit_key(words[-1]), set()).add(i)
                firsts.setdefault(translit_key(words[0]), set()).add(i)

        def titled(c: int, title: str) -> bool:
            entry = mentions[c].entry
            return entry is not None and any(title in o.title.lower() for o in entry.offices)

        def pick(candidates: set[int], at: int) -> int | None:
            roots = {uf.find(c) for c in candidates}
            if len(roots) <= 1:
                return roots.pop() if roots else None
            # "President Traoré" with two Traorés: the one the KB has in that office
            before = text[max(0, at - 30):at].split()
            title = before[-1].lower().rstrip(".") if before else ""
            if title in TITLES:
                fitting = {uf.find(c) for c in candidates if titled(c, title)}
                if len(fitting) == 1:
                    return fitting.pop()
            # Several people fit (two Traorés): the one named most recently before it.
            earlier = [c for c in candidates if mentions[c].start < at]
            return uf.find(max(earlier, key=lambda c: mentions[c].start)) if earlier else None

        linked: set[int] = set()
        for i, m in enumerate(mentions):
            words = m.text.split()
            if m.entry is not None and m.entry.type != "PERSON":
                continue
            if len(words) == 1:
                target = pick(surnames.get(translit_key(words[0]), set()), m.start)
            elif len(words) == 2 and PATRONYMIC.match(words[1]):
                target = pick(firsts.get(translit_key(words[0]), set()), m.start)
            else:
                continue
            if target is not None:
                uf.union(i, target)
                m.label = "PERSON"
                linked.add(i)
                if m.weak:  # the document's own full name wins over a KB surname alias
                    m.entry = None
        return linked

    def _link_defined_acronyms(self, mentions: list[Mention], text: str, uf: _UnionFind) -> None:
        """'Commonwealth of Officers for International Security (SOMB)': SOMB is that entity."""
        defined: dict[str, int] = {}
        for i, m in enumerate(mentions):
            after = re.match(r"\s*\(([A-Z][A-Za-z0-9&.-]{1,9})\)", text[m.end : m.end + 14])
            if after and len(m.text.split()) >= 2:
                defined[after.group(1)] = i
        for i, m in enumerate(mentions):
            j = defined.get(m.text)
            if j is not None and i != j:
                uf.union(i, j)
                m.label = mentions[j].label

    def _link_org_short_forms(self, mentions: list[Mention], uf: _UnionFind) -> None:
        """'Armed Forces' for 'Armed Forces of the Central African Republic' when only one fits."""
        orgs = [i for i, m in enumerate(mentions) if m.label == "ORG" and " of " in m.text]
        for i, m in enumerate(mentions):
            if m.label != "ORG" or m.entry is not None or " of " in m.text or len(m.text.split()) < 2:
                continue
            key = name_key(m.text)
            fits = {uf.find(j) for j in orgs if name_key(mentions[j].text.split(" of ")[0]) == key}
            if len(fits) == 1:
                uf.union(i, fits.pop())
        # 'Armed Forces of the CAR' and 'Armed Forces of the Central African Republic'
        heads: dict[tuple[str, str], int] = {}
        for j in orgs:
            head, _, tail = mentions[j].text.partition(" of ")
            target = self.kb.resolve(_LEADING.sub("", tail))
            key = (name_key(head), target.id if target else name_key(tail))
            uf.union(j, heads.setdefault(key, j))

    def _link_near_miss_places(self, mentions: list[Mention], uf: _UnionFind) -> None:
        known: dict[str, int] = {}  # one mention per distinct place: forms are compared once
        for i, m in enumerate(mentions):
            if m.entry is not None and m.entry.type in ("GPE", "LOC"):
                known.setdefault(m.entry.id, i)
        for i, m in enumerate(mentions):
            if m.entry is not None or m.label not in ("GPE", "LOC", "ORG") or len(m.text) < 6:
                continue
            best, best_ratio = None, 0.0
            key = name_key(m.text)
            matcher = difflib.SequenceMatcher(None, "", key)  # b is cached: the mention
            for j in known.values():
                for form in mentions[j].entry.surface_forms:
                    matcher.set_seq1(name_key(form))
                    if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                        continue
                    ratio = matcher.ratio()
                    if ratio > best_ratio:
                        best, best_ratio = j, ratio
            if best is not None and best_ratio >= 0.85:
                uf.union(i, best)
                m.label = mentions[best].label

    # -- entities -------------------------------------------------------
    def resolve(self, doc: Doc, title_end: int = 0) -> list[Entity]:
        text = doc.text
        mentions = self.mentions(doc, title_end)
        mentions = self._acronym_definitions(text, mentions)
        mentions = self._embassies(text, mentions)
        mentions = self._named_systems(text, mentions)
        mentions += self._undetected_acronyms(text, mentions)
        mentions.sort(key=lambda m: m.start)
        groups = self.cluster(mentions, text)
        groups = self._propagate(groups, text)
        entities = []
        for group in groups:
            if all(m.in_title for m in group) and not any(m.entry for m in group):
                continue  # Title Case headlines fool NER; keep only what the KB or body confirms
            entities.append(self._entity(group))
        entities.sort(key=lambda e: e.mentions[0].start)
        return entities

    def _named_systems(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """'the Orengk complex', 'Pantsir systems': a named weapon or programme (type OTHER)."""
        taken = [(x.start, x.end) for x in mentions]
        for m in _SYSTEM.finditer(text):
            start, end = m.span("name")
            name = m.group("name")
            # NER's guess for the same words ("Zarkon" as a person) gives way to the head noun
            same = [x for x in mentions if x.start == start and x.end == end and x.entry is None]
            if same:
                mentions = [x for x in mentions if x not in same]
                taken = [(x.start, x.end) for x in mentions]
            if any(s < end and start < e for s, e in taken) or name_key(name) in GENERIC:
                continue
            if start > 0 and text[start - 1] not in " \t\n‘'\"“(":
                continue
            if m.start() == 0 or text[max(0, start - 2):start].strip() in (".", ""):
                # sentence-initial capitals prove nothing unless the name is quoted
                if not (start > 0 and text[start - 1] in "‘'\"“"):
                    continue
            entry = next(iter(self.kb.lookup(name)), None)
            mentions.append(Mention(start, end, name, entry.type if entry else "OTHER", entry,
                                    kind=None if entry else "weapon"))
            taken.append((start, end))
        return sorted(mentions, key=lambda x: x.start)

    def _state_named(self, name: str) -> KBEntry | None:
        key = name_key(name)
        for state in self.kb.states():
            if key in {name_key(f) for f in state.surface_forms} or key in {name_key(d) for d in state.demonyms}:
                return state
        return None

    def _embassies(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """An embassy is one body, named canonically 'Embassy of <state> in <city>'."""
        for m in _EMBASSY.finditer(text):
            state = self._state_named(m.group("state1") or m.group("state2"))
            city = next((e for e in self.kb.lookup(m.group("city")) if e.kind == "city"), None)
            if state is None or city is None:
                continue
            the = "the " if state.name.split()[0] in ("United", "Central", "Democratic", "Czech") else ""
            start, end = m.start(), m.end()
            mentions = [x for x in mentions if x.end <= start or x.start >= end]
            mentions.append(Mention(start, end, text[start:end], "ORG", None,
                                    canonical=f"Embassy of {the}{state.name} in {city.name}",
                                    kind="government_body", country=state.country))
        return sorted(mentions, key=lambda x: x.start)

    def _acronym_definitions(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """A name whose initials spell the acronym that follows it in parentheses is an
        organization, whatever NER made of its words (Schwartz & Hearst's abbreviation rule)."""
        for m in _DEFINITION.finditer(text):
            words = m.group(1).split()
            acronym = m.group(2).replace("-", "").replace("&", "")
            initials = "".join(w[0] for w in words if w[0].isupper())
            while words and not words[0][0].isupper():
                words = words[1:]
            if initials.startswith("The") or not initials.endswith(acronym) and initials != acronym:
                continue
            # keep the last len(acronym) capitalised words (and the function words between them)
            caps = [i for i, w in enumerate(words) if w[0].isupper()]
            if len(caps) < len(acronym):
                continue
            first = caps[len(caps) - len(acronym)]
            name_words = words[first:]
            start = m.start(1) + len(" ".join(m.group(1).split()[: len(m.group(1).split()) - len(name_words)]))
            start = text.index(name_words[0], start)
            end = start + len(" ".join(name_words))
            if text[start:end] != " ".join(name_words):
                continue
            if any(x.start == start and x.end == end for x in mentions):
                continue
            entry = next(iter(self.kb.lookup(text[start:end])), None)
            mentions = [x for x in mentions if x.end <= start or x.start >= end]
            mentions.append(Mention(start, end, text[start:end], entry.type if entry else "ORG", entry))
        return sorted(mentions, key=lambda x: x.start)

    @staticmethod
    def _propagate(groups: list[list[Mention]], text: str) -> list[list[Mention]]:
        """Occurrences NER left untagged of a form already resolved in this document:
        its aliases, and a person's surname when no other person shares it."""
        taken = [(m.start, m.end) for g in groups for m in g]
        surname_owners: dict[str, int] = {}
        for gi, group in enumerate(groups):
            if group[0].label == "PERSON":
                for m in group:
                    words = m.text.split()
                    if len(words) >= 2:
                        owner = surname_owners.setdefault(words[-1], gi)
                        if owner != gi:
                            surname_owners[words[-1]] = -1
        forms_by_group: list[set[str]] = []
        for gi, group in enumerate(groups):
            forms = {m.text for m in group if len(m.text) >= 3}
            forms |= {s for s, owner in surname_owners.items() if owner == gi and len(s) >= 3}
            forms_by_group.append(forms)
        for gi, forms in enumerate(forms_by_group):
            template = groups[gi][0]
            for form in sorted(forms, key=len, reverse=True):
                for occ in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
                    if any(s < occ.end() and occ.start() < e for s, e in taken):
                        continue
                    groups[gi].append(Mention(occ.start(), occ.end(), form, template.label, template.entry))
                    taken.append((occ.start(), occ.end()))
            groups[gi].sort(key=lambda m: m.start)
        return groups

    def _undetected_acronyms(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """Occurrences of an acronym defined in the text that NER left untagged."""
        spans = [(m.start, m.end) for m in mentions]
        extra = []
        for m in mentions:
            after = re.match(r"\s*\(([A-Z][A-Za-z0-9&.-]{1,9})\)", text[m.end : m.end + 14])
            if not after or len(m.text.split()) < 2:
                continue
            acronym = after.group(1)
            for occ in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
                if not any(s < occ.end() and occ.start() < e for s, e in spans):
                    extra.append(Mention(occ.start(), occ.end(), acronym, m.label, m.entry))
                    spans.append((occ.start(), occ.end()))
        return extra

    def _entity(self, group: list[Mention]) -> Entity:
        entries = {m.entry.id: m.entry for m in group if m.entry is not None}
        votes = Counter(m.entry.id for m in group if m.entry is not None)
        entry = entries[votes.most_common(1)[0][0]] if votes else None
        forms: list[str] = []
        for m in group:
            if m.text not in forms:
                forms.append(m.text)
        if entry is not None:
            return Entity(
                id=entry.id, name=entry.name, type=entry.type, kind=entry.kind, country=entry.country,
                aliases=forms, mentions=[Evidence(start=m.start, end=m.end, text=m.text) for m in group],
            )
        labels = Counter(m.label for m in group)
        type_ = "PERSON" if labels.get("PERSON") else labels.most_common(1)[0][0]
        named = next((m for m in group if m.canonical or m.kind), None)
        name = named.canonical if named and named.canonical else self._fullest(forms)
        return Entity(
            id=None, name=name, type=type_, kind=named.kind if named else None,
            country=named.country if named else None, aliases=forms,
            mentions=[Evidence(start=m.start, end=m.end, text=m.text) for m in group],
        )

    @staticmethod
    def _fullest(forms: list[str]) -> str:
        """The longest form; among equals, the one with diacritics (Traoré over Traore)."""
        return max(forms, key=lambda f: (len(f.split()), len(f), sum(ord(c) > 127 for c in f)))
