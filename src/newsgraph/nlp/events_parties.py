"""Which parties (entities, or states named by a nationality) tokens of a document stand for.

Used by the event extractor to read actors and recipients: an entity mention,
a nationality adjective ("Russian instructors": Russia), a pronoun ("his":
the person meant), "the two countries" (the two states named last), and
noun phrases headed by a generic word ("the government of Sierra Leone",
"officials in the CAR", "the army": the state the document is about).
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Token

from newsgraph.kb import KnowledgeBase, name_key
from newsgraph.nlp.events_lexicon import EventLexicon
from newsgraph.record import Entity, Party

THIRD_PERSON = {"he", "him", "his", "she", "her"}
PARTY_TYPES = ("PERSON", "ORG", "GPE")
NOT_PARTY_KINDS = ("city", "region")
FORCE_KINDS = ("military", "pmc", "armed_group")  # KB kinds of entities that are armed forces
# "countries, including Mali and Niger", "states like Chad"
LIST_PREPS = ("including", "like", "such", "among")


class DocumentParties:
    """The parties of one document, looked up by token."""

    def __init__(self, kb: KnowledgeBase, entities: list[Entity], lex: EventLexicon,
                 demonym_state: dict[str, object]) -> None:
        self.kb = kb
        self.lex = lex
        self.demonym_state = demonym_state
        spans = sorted(((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda t: t[0])
        self._starts = [s for s, _, _ in spans]
        self._spans = spans
        self.by_name = {e.name: e for e in entities}
        self.focus = self._focus_state(entities)
        self._forces: dict[tuple[str, str], Party | None] = {}

    # -- lookups ----------------------------------------------------------------
    def entity_at(self, char: int) -> Entity | None:
        i = bisect.bisect_right(self._starts, char) - 1
        if i >= 0:
            s, e, ent = self._spans[i]
            if s <= char < e:
                return ent
        return None

    @staticmethod
    def party(entity: Entity) -> Party:
        return Party(name=entity.name, country=entity.country)

    def state_party(self, state) -> Party:
        named = self.by_name.get(state.name)
        return self.party(named) if named else Party(name=state.name, country=state.country)

    def state_of_country(self, country: str | None) -> Party | None:
        if not country:
            return None
        state = self.kb.state_by_country(country)
        return self.state_party(state) if state is not None else None

    def _focus_state(self, entities: list[Entity]) -> Party | None:
        """The state the document is about: the one mentioned most."""
        states = Counter({e.name: len(e.mentions) for e in entities if e.kind == "state"})
        if not states:
            return None
        return self.party(self.by_name[states.most_common(1)[0][0]])

    def is_state(self, party: Party) -> bool:
        ent = self.by_name.get(party.name)
        if ent is not None:
            return ent.kind == "state"
        return self.kb.state_by_country(party.country) is not None if party.country else False

    # -- single tokens ----------------------------------------------------------------
    def token_party(self, tok: Token, *, places: bool = False) -> Party | None:
        """The party a token names: an entity mention, a pronoun's person, or a
        nationality's state. With ``places``, a city stands for its state."""
        ent = self.entity_at(tok.idx)
        if ent is None and tok.pos_ == "PRON":
            ent = self.pronoun(tok)
        if ent is not None:
            if ent.kind == "city" and places:
                return self.state_of_country(ent.country)
            if ent.type in PARTY_TYPES and ent.kind not in NOT_PARTY_KINDS:
                return self.party(ent)
            if ent.type in PARTY_TYPES:
                return None
        if tok.pos_ in ("ADJ", "PROPN", "NOUN"):
            key = name_key(tok.text)
            if tok.i > tok.sent.start:  # "Central African", "South African"
                pair = name_key(f"{tok.doc[tok.i - 1].text} {tok.text}")
                if pair in self.demonym_state:
                    return self.state_party(self.demonym_state[pair])
            if key in self.demonym_state:
                return self.state_party(self.demonym_state[key])
        return None

    def place_state(self, tok: Token) -> Party | None:
        """The state a place token is in (a state, or a city's state)."""
        ent = self.entity_at(tok.idx)
        if ent is None:
            return None
        if ent.kind == "state":
            return self.party(ent)
        if ent.kind == "city":
            return self.state_of_country(ent.country)
        return None

    def pronoun(self, tok: Token) -> Entity | None:
        """he/his/she/her: the person meant. In a fronted adjunct ("During his visit,
        Lavrov said") the clause's subject; otherwise the nearest person named before."""
        if tok.lower_ not in THIRD_PERSON:
            return None
        root = tok.sent.root
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and tok not in list(subjects[0].subtree) and subjects[0].i > tok.i:
            ent = self.entity_at(subjects[0].idx)
            if ent is None:
                ent = next((self.entity_at(t.idx) for t in subjects[0].subtree if self.entity_at(t.idx)), None)
            if ent is not None and ent.type == "PERSON":
                return ent
        i = bisect.bisect_left(self._starts, tok.idx) - 1
        while i >= 0:
            ent = self._spans[i][2]
            if ent.type == "PERSON":
                return ent
            i -= 1
        return None

    def recent_states(self, char: int, n: int = 2, exclude: Iterable[str] = ()) -> list[Party]:
        """The last ``n`` distinct states named before ``char``."""
        out: list[Party] = []
        skip = set(exclude)
        i = bisect.bisect_left(self._starts, char) - 1
        while i >= 0 and len(out) < n:
            ent = self._spans[i][2]
            if ent.kind == "state" and ent.name not in skip and ent.name not in {p.name for p in out}:
                out.append(self.party(ent))
            i -= 1
        return out

    def pair_meant(self, tok: Token) -> list[Party]:
        """The two states "the two countries" means: the last two its sentence names before
        it ("the border between Chad and the CAR ... the military of the two countries"),
        else the two the document has named most so far."""
        start = tok.sent.start_char
        i = bisect.bisect_left(self._starts, tok.idx) - 1
        in_sentence: list[Party] = []
        counts: Counter = Counter()
        first_seen: dict[str, int] = {}
        while i >= 0:
            s, _, ent = self._spans[i]
            if ent.kind == "state":
                if s >= start and ent.name not in {p.name for p in in_sentence}:
                    in_sentence.append(self.party(ent))
                counts[ent.name] += 1
                first_seen[ent.name] = s
            i -= 1
        if len(in_sentence) >= 2:
            return list(reversed(in_sentence[:2]))
        ranked = sorted(counts, key=lambda n: (-counts[n], first_seen[n]))[:2]
        return [self.party(self.by_name[n]) for n in ranked]

    # -- armed forces -----------------------------------------------------------------
    def service_of(self, head: Token) -> str | None:
        """The armed service a noun names as a word ("army", "soldiers", "navy"), if any."""
        if head.pos_ not in ("NOUN", "PROPN") or self.entity_at(head.idx) is not None:
            return None
        return self.lex.armed_forces_words.get(head.lemma_.lower()) or self.lex.armed_forces_words.get(head.lower_)

    def armed_forces(self, state: Party, service: str) -> Party | None:
        """The KB's armed forces (of ``service``) of a state: the first of the lexicon's
        name forms ("<demonym> armed forces", "armed forces of <state>") the KB knows."""
        key = (state.name, service)
        if key not in self._forces:
            self._forces[key] = self._find_forces(state, service)
        return self._forces[key]

    def _find_forces(self, state: Party, service: str) -> Party | None:
        entry = self.kb.state_by_country(state.country) if state.country else None
        if entry is None:
            return None
        for form in self.lex.armed_forces_forms.get(service, ()):
            for name in (entry.name, *entry.aliases, *entry.demonyms):
                for found in self.kb.lookup(form.format(name)):
                    if found.kind == "military" and found.country == entry.country:
                        named = self.by_name.get(found.name)
                        return self.party(named) if named else Party(name=found.name, country=found.country)
        return None

    def is_force(self, head: Token) -> bool:
        """Whether a noun phrase names armed forces: an army word ("troops"), or an armed
        force, military company or armed group by name ("the Africa Corps")."""
        if self.service_of(head) is not None:
            return True
        ent = self.entity_at(head.idx)
        return ent is not None and ent.kind in FORCE_KINDS

    def head_forces(self, heads: list[Token]) -> tuple[dict[str, Party], str | None]:
        """The armed forces a phrase's army words name, by the state they belong to
        ("the Malian army": Mali's), and the service of a bare army word standing
        for the state the text is about ("the army")."""
        out: dict[str, Party] = {}
        generic: str | None = None
        for h in heads:
            for head in (h, *h.conjuncts):
                service = self.service_of(head)
                if service is None:
                    continue
                states, is_generic = self.head_parties([head])
                states = [p for p in states if self.is_state(p)]
                for state in states:
                    forces = self.armed_forces(state, service)
                    if forces is not None:
                        out.setdefault(state.name, forces)
                if not states and is_generic:
                    generic = generic or service
        return out, generic

    # -- phrases ------------------------------------------------------------------
    def tokens_parties(self, tokens: Iterable[Token], *, places: bool = False) -> list[Party]:
        out: list[Party] = []
        for tok in tokens:
            p = self.token_party(tok, places=places)
            if p is not None and p.name not in {q.name for q in out}:
                out.append(p)
        return out

    def is_reciprocal(self, head: Token) -> bool:
        """"the two countries", "both nations", "both sides"."""
        if head.lemma_.lower() not in self.lex.reciprocal_heads:
            return False
        return any((c.dep_ == "nummod" and c.lower_ == "two") or (c.dep_ in ("det", "predet") and c.lower_ == "both")
                   for c in head.children)

    def is_generic(self, head: Token) -> bool:
        lemma = head.lemma_.lower()
        if head.pos_ not in ("NOUN", "PROPN"):
            return False  # "military cooperation": an adjective stands for no one
        if lemma not in self.lex.generic and head.lower_ not in self.lex.generic:
            return False
        # "the country" stands for a state, "countries" for none in particular
        return not (head.tag_ == "NNS" and lemma in ("country", "state", "nation", "government"))

    def head_parties(self, heads: list[Token], *, places: bool = False, depth: int = 0) -> tuple[list[Party], bool]:
        """The parties a noun phrase names, read from its head: the entity at the head,
        an appositive name ("the Minister of Defence, Kassoum Coulibaly"), "the two
        countries", a nationality or possessor ("Russian instructors", "Burkina Faso's
        army"), the list it introduces ("countries, including Mali and Niger"), or the
        "of"/"in" party of a head ("the government of Sierra Leone", "officials in
        the CAR"). Also says whether the head is a generic stand-in for a state."""
        out: list[Party] = []
        generic = False

        def add(parties: Iterable[Party]) -> None:
            for p in parties:
                if p.name not in {q.name for q in out}:
                    out.append(p)

        expanded: list[Token] = []
        for h in heads:
            for c in (h, *h.conjuncts):
                if c not in expanded:
                    expanded.append(c)
        for head in expanded:
            direct = self.tokens_parties([head], places=places)
            if direct:
                add(direct)
                # "Egyptian and Russian paratroopers": every coordinated nationality
                add(self.tokens_parties([t for c in head.children if c.dep_ == "amod" and c.conjuncts
                                         for t in (c, *c.conjuncts)]))
                # "Rossotrudnichestvo Russian House": two names for one actor
                add(p for p in self.tokens_parties([c for c in head.children if c.dep_ == "compound"])
                    if p.name != direct[0].name and self.by_name.get(p.name) is not None)
                continue
            if self.is_reciprocal(head):
                add(self.pair_meant(head))
                continue
            appos = [c for c in head.children if c.dep_ == "appos"]
            named = self.tokens_parties([t for a in appos for t in a.subtree])
            if not named:
                # "the head of Burkina Faso, Ibrahim Traore": the appositive names the head
                late = [c for p in head.children if p.dep_ == "prep" and p.lower_ == "of"
                        for o in p.children if o.dep_ == "pobj" for c in o.children if c.dep_ == "appos"]
                named = [p for p in self.tokens_parties([t for a in late for t in a.subtree])
                         if (e := self.by_name.get(p.name)) is not None and e.type == "PERSON"]
            if named:
                add(named[:1])
                continue
            mods = [c for c in head.children if c.dep_ in ("compound", "amod", "nmod", "poss")]
            mod_parties = self.tokens_parties([t for m in mods for t in m.subtree])
            preps = {p.lower_: [o for o in p.children if o.dep_ == "pobj"] for p in head.children if p.dep_ == "prep"}
            listed = [o for k in LIST_PREPS for o in preps.get(k, [])]
            if listed and depth < 2:
                add(self.head_parties(listed, places=places, depth=depth + 1)[0])
            if mod_parties:
                add(mod_parties)
                continue
            of = preps.get("of", [])
            of_parties, of_generic = (self.head_parties(of, places=places, depth=depth + 1)
                                      if of and depth < 2 else ([], False))
            if self.is_generic(head):
                located = [self.place_state(o) for o in preps.get("in", []) + preps.get("from", [])]
                if of_parties:
                    add(of_parties)  # "the government of Sierra Leone"
                elif any(located):
                    add(p for p in located if p)  # "officials in the CAR"
                else:
                    generic = True  # "the army": the state the text is about
            elif not listed:
                add(of_parties)  # "the head of Niger"
                generic = generic or (not of_parties and of_generic)  # "the resignation of the leadership"
                if places and not of_parties:
                    add(p for o in preps.get("in", []) if (p := self.place_state(o)))  # "bases in Niger"
        return out, generic
