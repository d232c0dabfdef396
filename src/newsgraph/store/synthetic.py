"""Deterministic synthetic records for store tests and benchmarks.

``generate_records(n, seed)`` yields valid :class:`~newsgraph.record.Record`s
that look like a news corpus at scale: a popularity-skewed cast of people,
organizations and states (some with KB ids), texts of 250-500 words with
exact mention offsets, roles, PLOVER events (several outlets reporting the
same occurrence), quotes, narratives and signals, a share of syndicated
near-copies and of updated versions of a URL. No real data is used.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from newsgraph.record import Entity, Event, Narrative, Party, Quote, Record, Role, Signal, Span

EVENT_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
               "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
NARRATIVES = ("west_exploits_resources", "west_destabilizes_region", "western_security_failure",
              "russia_reliable_partner", "russian_security_success", "sovereignty_multipolar_world",
              "ukraine_backs_terrorists", "historical_friendship", "juntas_popular_legitimacy",
              "russia_economic_benefit", "western_hypocrisy_interference", "russia_threat_to_africa")
STATES = (("Russia", "RUS"), ("Mali", "MLI"), ("Burkina Faso", "BFA"), ("Niger", "NER"),
          ("Central African Republic", "CAF"), ("France", "FRA"), ("United States", "USA"), ("Ukraine", "UKR"),
          ("Chad", "TCD"), ("Sudan", "SDN"), ("Libya", "LBY"), ("Guinea", "GIN"), ("Senegal", "SEN"),
          ("Algeria", "DZA"), ("Egypt", "EGY"), ("Ethiopia", "ETH"), ("Nigeria", "NGA"), ("Ghana", "GHA"),
          ("Togo", "TGO"), ("Benin", "BEN"), ("Cameroon", "CMR"), ("Mozambique", "MOZ"), ("Madagascar", "MDG"),
          ("Angola", "AGO"), ("South Africa", "ZAF"), ("China", "CHN"), ("Turkey", "TUR"), ("Germany", "DEU"),
          ("United Kingdom", "GBR"), ("Morocco", "MAR"))
TITLES = ("President", "Prime Minister", "Defence Minister", "Foreign Minister", "Ambassador", "Chief of Staff",
          "Head", "Director", "Spokesperson", "Deputy Defence Minister", "Commander", "Secretary")
SPEECH = ("said", "stated", "told reporters", "declared", "emphasized", "announced")
_SYLLABLES = ("ka", "ro", "mi", "sa", "do", "tra", "ou", "be", "ni", "go", "la", "vi", "ser", "gei", "ko", "ma",
              "di", "ba", "zu", "ta", "ol", "ek", "an", "ry", "pa", "chi", "nu", "fe", "lo", "ha")
_ORG_WORDS = ("Union", "Council", "Front", "Corps", "Agency", "Ministry", "Alliance", "Group", "Company",
              "Movement", "Service", "Institute", "Brigade", "Party", "Foundation", "Network")
_ORG_QUAL = ("National", "International", "African", "Security", "Defence", "Patriotic", "Sahel", "Strategic",
             "Mining", "Energy", "Information", "Revolutionary", "Officers", "Development")


@dataclass
class Cast:
    name: str
    type: str
    kind: str | None
    country: str | None
    kb_id: str | None
    aliases: tuple[str, ...] = ()


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n))


def build_cast(rng: random.Random, people: int, orgs: int) -> list[Cast]:
    cast: list[Cast] = []
    for name, code in STATES:
        cast.append(Cast(name, "GPE", "state", code, f"state/{code.lower()}"))
    seen: set[str] = {c.name for c in cast}
    while len(cast) < len(STATES) + people:
        first = _word(rng, rng.randint(2, 3)).capitalize()
        last = _word(rng, rng.randint(2, 3)).capitalize()
        name = f"{first} {last}"
        if name in seen:
            continue
        seen.add(name)
        state = rng.choice(STATES)
        kb = f"person/{first.lower()}-{last.lower()}" if rng.random() < 0.2 else None
        cast.append(Cast(name, "PERSON", None, state[1], kb, (last,)))
    while len(cast) < len(STATES) + people + orgs:
        words = [rng.choice(_ORG_QUAL), rng.choice(_ORG_QUAL), rng.choice(_ORG_WORDS)]
        if rng.random() < 0.5:
            words.append("for " + rng.choice(_ORG_QUAL))
        name = " ".join(dict.fromkeys(words))
        if name in seen:
            continue
        seen.add(name)
        state = rng.choice(STATES)
        acronym = "".join(w[0] for w in name.split() if w[0].isupper())
        kb = f"org/{'-'.join(name.lower().split())}" if rng.random() < 0.3 else None
        cast.append(Cast(name, "ORG", rng.choice(("military", "company", "government_body", "media", "ngo")),
                         state[1], kb, (acronym,) if len(acronym) > 2 else ()))
    return cast


class _Text:
    """Builds a text and records exact spans as it goes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def span(self, s: str) -> Span:
        start = self.pos
        self.add(s)
        return Span(start=start, end=self.pos, text=s)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Generator:
    """Deterministic corpus: same ``seed`` and ``n``, same records."""

    def __init__(self, seed: int = 42, *, people: int | None = None, orgs: int | None = None, n: int = 1000,
                 syndication: float = 0.05, updates: float = 0.01):
        self.rng = random.Random(seed)
        people = people or max(200, min(20000, n // 10))
        orgs = orgs or max(100, min(8000, n // 25))
        self.cast = build_cast(self.rng, people, orgs)
        self.states = {c.country: c for c in self.cast if c.kind == "state"}
        self.vocab = [_word(self.rng, self.rng.randint(1, 4)) for _ in range(4000)]
        self.outlets = [f"{_word(self.rng, 2).capitalize()} {self.rng.choice(('Times', 'Post', 'Wire', 'Daily', 'News', 'Monitor'))}"
                        for _ in range(60)]
        self.syndication = syndication
        self.updates = updates
        # popularity: Zipf-like weights over the cast (states most popular)
        self.cum_weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(self.cast))))
        self.population = range(len(self.cast))
        self.recent: list[Record] = []
        self.start = dt.date(2019, 1, 1)
        self.occurrences: list[tuple[dt.date, str, list[int], list[int]]] = []

    def _pick(self, k: int) -> list[int]:
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.update(self.rng.choices(self.population, cum_weights=self.cum_weights, k=k - len(chosen)))
        return list(chosen)

    def _filler(self, n: int) -> str:
        words = self.rng.choices(self.vocab, k=n)
        words[0] = words[0].capitalize()
        return " ".join(words) + ". "

    def record(self, i: int) -> Record:
        rng = self.rng
        if self.recent and rng.random() < self.syndication:
            return self._copy(i, rng.choice(self.recent[-200:]))
        if self.recent and rng.random() < self.updates:
            return self._update(i, rng.choice(self.recent[-500:]))
        published = self.start + dt.timedelta(days=rng.randint(0, 6 * 365))
        # a share of documents reports an occurrence already reported elsewhere
        occurrence = None
        if self.occurrences and rng.random() < 0.3:
            occurrence = rng.choice(self.occurrences[-300:])
            published = occurrence[0] + dt.timedelta(days=rng.randint(0, 2))
        picked = self._pick(rng.randint(6, 14))
        if occurrence:
            picked = list(dict.fromkeys([*occurrence[2], *occurrence[3], *picked]))
        t = _Text()
        outlet = rng.choice(self.outlets)
        title = self._filler(rng.randint(6, 10)).strip().rstrip(".")
        t.add(title + "\n\n")
        mentions: dict[int, list[Span]] = {p: [] for p in picked}
        used_alias: dict[int, set[str]] = {p: set() for p in picked}
        bounds: list[tuple[int, int]] = []
        for _ in range(rng.randint(12, 24)):
            start = t.pos
            t.add(self._filler(rng.randint(4, 9)).rstrip(". ") + " ")
            for p in rng.sample(picked, k=min(len(picked), rng.randint(1, 3))):
                c = self.cast[p]
                form = rng.choice((c.name, c.name, *c.aliases)) if c.aliases else c.name
                mentions[p].append(t.span(form))
                used_alias[p].add(form)
                t.add(" " + " ".join(rng.choices(self.vocab, k=rng.randint(2, 6))) + " ")
            t.add(self._filler(rng.randint(3, 8)))
            bounds.append((start, t.pos))
        body = t.text
        sentences = [Span(start=a, end=b, text=body[a:b]) for a, b in bounds]
        # quotes: speaker said "..."
        quotes: list[Quote] = []
        people = [p for p in picked if self.cast[p].type == "PERSON" and mentions[p]]
        for p in rng.sample(people, k=min(len(people), rng.randint(0, 3))):
            c = self.cast[p]
            mentions[p].append(t.span(c.name))
            t.add(f" {rng.choice(SPEECH)}: \"")
            qstart = t.pos
            t.add(self._filler(rng.randint(6, 14)).strip())
            other = rng.choice(picked)
            if other != p:
                t.add(" ")
                mentions[other].append(t.span(self.cast[other].name))
            qend = t.pos
            t.add("\". ")
            quotes.append(Quote(speaker=c.name, text=t.text[qstart:qend], direct=True, start=qstart, end=qend))
        text = t.text
        entities = []
        for p in picked:
            if not mentions[p]:
                continue
            c = self.cast[p]
            entities.append(Entity(id=c.kb_id, name=c.name, type=c.type, kind=c.kind, country=c.country,
                                   aliases=sorted(used_alias[p] | {c.name}), mentions=mentions[p]))
        present = [p for p in picked if mentions[p]]
        roles = []
        for p in [p for p in present if self.cast[p].type == "PERSON"][: rng.randint(0, 2)]:
            c = self.cast[p]
            of = self.states[c.country or "RUS"]
            stable = TITLES[zlib.crc32(f"{c.name}|{published.year}".encode()) % len(TITLES)]
            office = stable if rng.random() < 0.97 else rng.choice(TITLES)
            ev = mentions[p][0]
            roles.append(Role(person=c.name, title=office, of=of.name, evidence=ev))
        events = []
        if occurrence:
            day, etype, actors, recips = occurrence
            events.append(self._event(etype, actors, recips, day if rng.random() < 0.8 else None, sentences))
        for _ in range(rng.randint(0, 3)):
            actors = rng.sample(present, k=1)
            recips = [x for x in rng.sample(present, k=min(2, len(present))) if x not in actors][:1]
            day = published - dt.timedelta(days=rng.randint(0, 3))
            etype = rng.choice(EVENT_TYPES)
            events.append(self._event(etype, actors, recips, day if rng.random() < 0.7 else None, sentences))
            self.occurrences.append((day, etype, actors, recips))
        narratives = [Narrative(id=n, score=round(rng.uniform(0.5, 1.0), 2), evidence=[rng.choice(sentences)])
                      for n in rng.sample(NARRATIVES, k=rng.choice((0, 1, 1, 2)))]
        signals = []
        if rng.random() < 0.05:
            signals.append(Signal(kind="kb_conflict", detail=f"{self.cast[present[0]].name}: title not in the KB",
                                  evidence=mentions[present[0]][0]))
        if rng.random() < 0.1:
            signals.append(Signal(kind="state_media_source", detail="cites TASS"))
        rec = Record(doc_id=f"syn-{i:07d}", title=title, published=published.isoformat(), outlet=outlet,
                     language="en", text=text, entities=entities, roles=roles, events=events, quotes=quotes,
                     narratives=narratives, signals=signals,
                     url=f"https://{outlet.lower().replace(' ', '')}.example/{published:%Y/%m/%d}/{i}")
        self.recent.append(rec)
        if len(self.recent) > 1000:
            del self.recent[:500]
        return rec

    def _event(self, etype: str, actors: list[int], recips: list[int], day: dt.date | None,
               sentences: list[Span]) -> Event:
        def party(p: int) -> Party:
            c = self.cast[p]
            return Party(name=c.name, country=c.country)

        return Event(type=etype, actor=[party(a) for a in actors], recipient=[party(r) for r in recips],
                     date=day.isoformat() if day else None, status="asserted", evidence=self.rng.choice(sentences))

    def _copy(self, i: int, base: Record) -> Record:
        """A syndicated copy: same story at another outlet, a line of furniture added at the end."""
        outlet = self.rng.choice(self.outlets)
        extra = f"\n\nRepublished by {outlet}."
        return base.model_copy(update={"doc_id": f"syn-{i:07d}", "outlet": outlet, "text": base.text + extra,
                                       "url": f"https://{outlet.lower().replace(' ', '')}.example/copy/{i}"})

    def _update(self, i: int, base: Record) -> Record:
        """The same URL with a correction appended: a new version."""
        extra = "\n\nCorrection: an earlier version misstated a date."
        return base.model_copy(update={"text": base.text + extra})


def generate_records(n: int, seed: int = 42, **kwargs) -> Iterator[Record]:
    gen = Generator(seed, n=n, **kwargs)
    for i in range(n):
        yield gen.record(i)
