"""PLOVER events: who did what to whom, when and where, with the sentence as evidence.

A trigger lexicon (``lexicons/events.yaml``) proposes event types for verbs,
nouns and phrases; the dependency parse finds the actor (subject, possessor,
"by" agent, nationality adjective) and the recipient (object, or the object
of the type's prepositions); a sentence classifier, where its model is
installed, confirms the type among the trigger's candidates. Generic actors
("the army", "people") stand for the state the sentence or document is
about. Status (asserted, future, hypothetical, negated) comes from the
clause's auxiliaries and markers, the date from ``newsgraph.temporal``.
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from newsgraph.kb import KnowledgeBase, name_key
from newsgraph.lexicons import load_lexicon
from newsgraph.record import Entity, Event, Party
from newsgraph.record import Span as Evidence
from newsgraph.temporal import event_date

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
OBJECTS = {"dobj", "dative", "attr", "oprd"}
VETO_NONE, VETO_TYPE = 0.5, 0.15
PROPOSE_MIN = 0.5
OVERRIDE_MIN = 0.6
FIRST_PERSON: set[str] = set()  # measured: I/we as actors added more wrong events than right ones
THIRD_PERSON = {"he", "him", "his", "she", "her"}
OF_ACTS = {"AID", "MOBILIZE", "ASSAULT", "PROTEST", "RETREAT"}  # "X of Y": Y acts
SYMMETRIC = {"COOPERATE", "CONSULT"}
TARGETED = {"AID", "SUPPORT", "AGREE", "REQUEST", "ACCUSE", "SANCTION", "THREATEN", "ASSAULT", "REJECT", "CONCEDE"}
ADVERBIAL_PREPS = {"during", "after", "following", "amid", "since", "before", "despite", "until", "in", "at", "on",
                   "over", "under", "through", "throughout", "via", "because", "due", "as"}
CLIMB = {"dobj", "pobj", "prep", "conj", "xcomp", "ccomp", "acomp", "advcl", "appos", "attr", "npadvmod", "relcl", "acl"}
# A type scorer maps sentences to {type: probability}; the classifier provides one.
TypeScorer = Callable[[list[str]], list[dict[str, float]]]


@dataclass(frozen=True)
class TriggerSense:
    type: str
    mode: str | None


@dataclass
class _Lexicon:
    single: dict[str, list[TriggerSense]]
    phrases: dict[tuple[str, ...], list[TriggerSense]]
    recipient_preps: dict[str, set[str]]
    future: frozenset[str]
    hypothetical: frozenset[str]
    negation: frozenset[str]
    future_to_agree: frozenset[str]
    generic: frozenset[str]
    actor_preps: dict[tuple[str, str], tuple[str, ...]]


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data = load_lexicon("events")
    single: dict[str, list[TriggerSense]] = {}
    phrases: dict[tuple[str, ...], list[TriggerSense]] = {}
    preps = {}
    actor_preps: dict[tuple[str, str], tuple[str, ...]] = {}
    for type_, spec in data["types"].items():
        preps[type_] = set(spec.get("recipient_preps", []))
        for trigger, mode in spec["triggers"].items():
            if isinstance(mode, dict):  # {mode: ..., actor_preps: [...]}
                actor_preps[(type_, trigger)] = tuple(mode.get("actor_preps", ()))
                mode = mode.get("mode")
            sense = TriggerSense(type_, mode)
            words = tuple(trigger.lower().split())
            (single.setdefault(words[0], []) if len(words) == 1 else phrases.setdefault(words, [])).append(sense)
    return _Lexicon(
        single, phrases, preps, frozenset(data["future_cues"]), frozenset(data["hypothetical_cues"]),
        frozenset(data["negation_cues"]), frozenset(data["future_becomes_agree"]), frozenset(data["generic_state_actors"]),
        actor_preps,
    )


@dataclass
class _Trigger:
    token: Token  # head token of the trigger
    senses: list[TriggerSense]


class EventExtractor:
    """Finds events in a parsed document whose canonical entities are known."""

    def __init__(self, kb: KnowledgeBase, type_scorer: TypeScorer | None = None) -> None:
        self.kb = kb
        self.lex = lexicon()
        self.type_scorer = type_scorer
        self._quote_spans: list[tuple[int, int, str]] = []
        self.demonym_state: dict[str, object] = {}
        for state in kb.states():
            for d in state.demonyms:
                self.demonym_state.setdefault(name_key(d), state)

    # -- entities as parties ---------------------------------------------
    def _index(self, entities: list[Entity]) -> tuple[list[int], list[tuple[int, int, Entity]]]:
        spans = sorted(((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda t: t[0])
        return [s for s, _, _ in spans], spans

    @staticmethod
    def _entity_at(index, char: int) -> Entity | None:
        starts, spans = index
        i = bisect.bisect_right(starts, char) - 1
        if i >= 0:
            s, e, ent = spans[i]
            if s <= char < e:
                return ent
        return None

    def _party(self, entity: Entity) -> Party:
        return Party(name=entity.name, country=entity.country)

    def _state_party(self, state) -> Party:
        return Party(name=state.name, country=state.country)

    def _pronoun(self, tok: Token, index, entities_by_name) -> Entity | None:
        """he/she: the nearest person named before; I/we inside a quote: its speaker."""
        low = tok.lower_
        if low in FIRST_PERSON:
            for start, end, speaker in self._quote_spans:
                if start <= tok.idx < end:
                    return entities_by_name.get(speaker)
            return None
        if low in THIRD_PERSON:
            starts, spans = index
            i = bisect.bisect_left(starts, tok.idx) - 1
            while i >= 0:
                ent = spans[i][2]
                if ent.type == "PERSON":
                    return ent
                i -= 1
        return None

    def _parties(self, tokens: Iterable[Token], index, entities_by_name, *, places: bool = False) -> list[Party]:
        """Parties named in ``tokens``: entity mentions, or the state of a nationality word.
        With ``places``, a city stands for its state ("left Niamey": Niger)."""
        out: list[Party] = []
        seen: set[str] = set()
        for tok in tokens:
            ent = self._entity_at(index, tok.idx)
            if ent is None and tok.pos_ == "PRON":
                ent = self._pronoun(tok, index, entities_by_name)
            party = None
            if ent is not None and ent.kind == "city" and places and ent.country:
                state = self.kb.state_by_country(ent.country)
                if state is not None:
                    named = entities_by_name.get(state.name)
                    party = self._party(named) if named else self._state_party(state)
            elif ent is not None and ent.type in ("PERSON", "ORG", "GPE") and ent.kind not in ("city", "region"):
                party = self._party(ent)
            elif tok.pos_ in ("ADJ", "PROPN", "NOUN") and name_key(tok.text) in self.demonym_state:
                state = self.demonym_state[name_key(tok.text)]
                named = entities_by_name.get(state.name)
                party = self._party(named) if named else self._state_party(state)
            if party is not None and party.name not in seen:
                seen.add(party.name)
                out.append(party)
        return out

    # -- triggers -------------------------------------------------------------
    def _triggers(self, sent: Span) -> list[_Trigger]:
        found: list[_Trigger] = []
        lemmas = [t.lemma_.lower() for t in sent]
        used: set[int] = set()
        for n in (4, 3, 2):
            for i in range(len(sent) - n + 1):
                key = tuple(lemmas[i : i + n])
                if key in self.lex.phrases and not used & set(range(i, i + n)):
                    head = max(sent[i : i + n], key=lambda t: t.pos_ in ("VERB", "NOUN"))
                    found.append(_Trigger(head, self.lex.phrases[key]))
                    used |= set(range(i, i + n))
        for i, tok in enumerate(sent):
            if i in used or tok.pos_ not in ("VERB", "NOUN", "ADJ", "PROPN"):
                continue
            senses = self.lex.single.get(lemmas[i]) or self.lex.single.get(tok.lower_)
            if senses:
                found.append(_Trigger(tok, senses))
        return found

    # -- arguments -----------------------------------------------------------
    @staticmethod
    def _children(tok: Token, deps: set[str]) -> list[Token]:
        return [c for c in tok.children if c.dep_ in deps]

    @staticmethod
    def _with_conjuncts(tok: Token) -> list[Token]:
        return [tok, *tok.conjuncts]

    def _subject_of(self, tok: Token) -> tuple[list[Token], bool]:
        """The subject phrase governing ``tok`` (climbing to the clause that has one), and
        whether it is a passive subject."""
        cur: Token | None = tok
        for _ in range(6):
            if cur is None:
                break
            subj = self._children(cur, SUBJECTS)
            if subj:
                s = subj[0]
                if s.lower_ in ("who", "which", "that") and cur.dep_ == "relcl":
                    return [cur.head], False
                return self._with_conjuncts(s), s.dep_ == "nsubjpass"
            if cur.dep_ in ("relcl", "acl") and cur.head.pos_ in ("NOUN", "PROPN"):
                return [cur.head], False
            if cur.dep_ not in CLIMB or cur.head is cur:
                break
            if cur.dep_ == "prep" and cur.lower_ in ADVERBIAL_PREPS:
                break  # "during their coup": the clause's subject did not do it
            cur = cur.head
        return [], False

    def _head_parties(self, heads: list[Token], index, ents_by_name, *, places: bool = False) -> tuple[list[Party], bool]:
        """The parties a noun phrase names, read from its head: the entity at the head
        ("Shoigu"), an appositive name ("the Minister of Defence, Kassoum Coulibaly"),
        a nationality ("Russian instructors"), a possessor of a generic head ("Burkina
        Faso's army"), or the list it introduces ("countries, including Mali and Niger").
        Also says whether the head is a generic stand-in for a state ("the army")."""
        out: list[Party] = []
        generic = False

        def add(parties: list[Party]) -> None:
            for p in parties:
                if p.name not in {q.name for q in out}:
                    out.append(p)

        for head in [c for h in heads for c in self._with_conjuncts(h)]:
            direct = self._parties([head], index, ents_by_name, places=places)
            if direct:
                add(direct)
                continue
            appos = self._children(head, {"appos"})
            named = self._parties([t for a in appos for t in a.subtree], index, ents_by_name)
            if named:
                add(named[:1])
                continue
            mods = self._children(head, {"compound", "amod", "nmod", "poss"})
            mod_parties = self._parties([t for m in mods for t in m.subtree], index, ents_by_name)
            including = [p for prep in self._children(head, {"prep"}) if prep.lower_ in ("including", "like", "such")
                         for p in self._children(prep, {"pobj"})]
            if including:
                add(self._parties([t for i in including for t in self._with_conjuncts(i)], index, ents_by_name))
            if mod_parties:
                add(mod_parties)
            elif head.lemma_.lower() in self.lex.generic and not (
                    head.tag_ == "NNS" and head.lemma_.lower() in ("country", "state", "nation", "government")):
                generic = True  # "the country", not "countries"
            elif not including:
                of = [p for prep in self._children(head, {"prep"}) if prep.lower_ == "of"
                      for p in self._children(prep, {"pobj"})]
                add(self._parties(of, index, ents_by_name))
        return out, generic

    def _arguments(self, trig: _Trigger, type_: str, index, ents_by_name):
        tok = trig.token
        actor_heads: list[Token] = []
        recipient_heads: list[Token] = []
        if tok.pos_ in ("VERB", "ADJ", "AUX"):
            subj, passive = self._subject_of(tok)
            agent = [p for a in self._children(tok, {"agent"}) for p in self._children(a, {"pobj"})]
            if passive:
                actor_heads, recipient_heads = agent, subj
            else:
                actor_heads, recipient_heads = subj, self._children(tok, OBJECTS)
        else:  # a noun: "Russia's support", "the delivery of weapons by Russia to Mali"
            preps = {p.lower_: self._children(p, {"pobj"}) for p in self._children(tok, {"prep"})}
            own = self._children(tok, {"poss", "compound", "amod", "nmod"})
            actor_heads = own + preps.get("by", []) + preps.get("between", []) + preps.get("among", [])
            if not self._parties([t for h in actor_heads for t in h.subtree], index, ents_by_name):
                # "the presence of Wagner mercenaries", "the withdrawal of the SADC force": the "of" party acts
                of = self._parties([t for h in preps.get("of", []) for t in h.subtree], index, ents_by_name)
                # "the signing of an accord between Russia and Togo": parties of the noun's object
                inner_between = [p for o in preps.get("of", []) for prep in self._children(o, {"prep"})
                                 if prep.lower_ in ("between", "among") for p in self._children(prep, {"pobj"})]
                if inner_between:
                    actor_heads = inner_between
                elif of and type_ in OF_ACTS:
                    actor_heads = preps.get("of", [])
                else:
                    actor_heads, _ = self._subject_of(tok)
        prep_hosts = [tok]
        if tok.pos_ == "NOUN" and tok.dep_ in ("dobj", "attr") and tok.head.pos_ == "VERB":
            prep_hosts.append(tok.head)  # "showed their support to Niger"
        for host in prep_hosts:
            for prep in self._children(host, {"prep"}):
                if prep.lower_ in self.lex.recipient_preps.get(type_, set()):
                    recipient_heads += self._children(prep, {"pobj"})
        for prep in self._children(tok, {"prep"}):
            if prep.lower_ in self._actor_preps(trig):
                actor_heads = self._children(prep, {"pobj"})
        actor, generic_actor = self._head_parties(actor_heads, index, ents_by_name)
        recipient, generic_recipient = self._head_parties(recipient_heads, index, ents_by_name, places=True)
        if not actor and not generic_actor and tok.pos_ == "VERB" and not actor_heads:
            # The parse found no subject at all (small models misparse "ECOWAS lifted
            # sanctions"): the nearest party before the verb in its sentence.
            actor = self._nearest(tok, index, ents_by_name, before=True)
            if actor and not recipient and type_ in TARGETED:
                recipient = [p for p in self._nearest(tok, index, ents_by_name, before=False) if p not in actor]
        return actor, recipient, (generic_actor, generic_recipient)

    def _nearest(self, tok: Token, index, ents_by_name, *, before: bool, window: int = 8) -> list[Party]:
        sent = tok.sent
        rng = range(tok.i - 1, max(sent.start, tok.i - window) - 1, -1) if before else range(
            tok.i + 1, min(sent.end, tok.i + window + 1))
        for i in rng:
            found = self._parties([tok.doc[i]], index, ents_by_name)
            if found:
                return found[:1]
        return []

    def _actor_preps(self, trig: _Trigger) -> set[str]:
        return {p for s in trig.senses for p in self.lex.actor_preps.get((s.type, trig.token.lemma_.lower()), ())}

    # -- status ---------------------------------------------------------------
    def _status(self, tok: Token, sent: Span) -> str:
        chain = [tok]
        cur = tok
        for _ in range(4):
            if cur.head is cur or cur.dep_ not in CLIMB | {"ROOT"}:
                break
            cur = cur.head
            chain.append(cur)
        words = {c.lower_ for t in chain for c in t.children} | {t.lower_ for t in chain}
        if any(c.dep_ == "neg" for t in chain[:2] for c in t.children) or words & {"never"}:
            return "negated"
        marks = {c.lower_ for t in chain for c in t.children if c.dep_ in ("mark", "aux")}
        if marks & self.lex.hypothetical or (sent[0].lower_ == "if"):
            return "hypothetical"
        if words & self.lex.future:
            return "future"
        return "asserted"

    # -- document -------------------------------------------------------------
    def extract(self, doc: Doc, entities: list[Entity], published: str | None, body_start: int = 0,
                quotes: Iterable = ()) -> list[Event]:
        """Events of the document; sentences before ``body_start`` (the headline,
        which restates the story) are skipped. ``quotes`` lets first-person
        pronouns inside them stand for their speaker."""
        self._quote_spans = [(q.start, q.end, q.speaker) for q in quotes if q.start is not None and q.end is not None]
        index = self._index(entities)
        ents_by_name = {e.name: e for e in entities}
        focus = self._focus_state(entities)
        candidates = []
        for sent in doc.sents:
            if sent.start_char < body_start:
                continue
            triggers = self._triggers(sent)
            # Without a lexicon trigger, the classifier may still find an event in a
            # sentence that names at least one party ("troops jointly secured the town").
            if triggers or (self.type_scorer and self._parties(sent, index, ents_by_name)):
                candidates.append((sent, triggers))
        scores = self.type_scorer([s.text for s, _ in candidates]) if self.type_scorer and candidates else None
        if scores:
            for k, (sent, triggers) in enumerate(candidates):
                if not triggers:
                    proposed = self._proposed(sent, scores[k])
                    if proposed:
                        triggers.append(proposed)
        events: list[Event] = []
        where: dict[tuple, int] = {}
        for k, (sent, triggers) in enumerate(candidates):
            sent_scores = scores[k] if scores else None
            for trig in triggers:
                sense = self._choose(trig.senses, sent_scores)
                if sense is None:
                    continue
                actor, recipient, (generic_actor, generic_recipient) = self._arguments(
                    trig, sense.type, index, ents_by_name)
                # "the army", "people", "the country's leadership": the state the text is about
                if focus is not None and generic_actor and focus not in actor:
                    actor.append(focus)
                if focus is not None and generic_recipient and focus not in recipient:
                    recipient.append(focus)
                recipient = [p for p in recipient if p not in actor] or (
                    [focus] if generic_recipient and focus is not None and focus in actor and sense.type != "CONSULT" else [])
                if not actor:
                    continue
                others = self._other_states(sent, index, actor + recipient)
                if len(others) == 1:
                    # One other state in the sentence: the partner of a one-sided
                    # cooperation, the target of aid or an attack ("instructors ... in the CAR").
                    if sense.type in SYMMETRIC and not recipient and len(actor) == 1:
                        actor = actor + others
                    elif sense.type in TARGETED and not recipient:
                        recipient = others
                status = self._status(trig.token, sent)
                type_, mode = sense.type, sense.mode
                if status == "future" and type_ in self.lex.future_to_agree:
                    type_, mode, status = "AGREE", None, "asserted"
                event = Event(
                    type=type_, mode=mode, actor=actor, recipient=recipient,
                    date=event_date(sent.text, published, future=status == "future"),
                    location=self._location(trig.token, index),
                    status=status,
                    evidence=Evidence(start=sent.start_char, end=sent.end_char, text=sent.text),
                )
                self._add(events, where, event, sent.start_char)
        return events

    @staticmethod
    def _add(events: list[Event], where: dict[tuple, int], event: Event, sentence: int) -> None:
        """One event per occurrence: a sentence's repeated trigger (or the same
        meeting told twice) is merged, keeping the fullest party lists."""
        actors = frozenset(p.name for p in event.actor)
        everyone = actors | {p.name for p in event.recipient}
        keys = [(event.type, event.mode, "sentence", sentence, actors)]
        if event.type == "CONSULT":  # host and visitor may swap between tellings
            keys.append((event.type, "parties", frozenset(everyone)))
        elif event.recipient:
            keys.append((event.type, event.mode, "parties", actors, frozenset(p.name for p in event.recipient)))
        for key in keys:
            if key in where:
                old = events[where[key]]
                if len(event.recipient) > len(old.recipient):
                    old.recipient = event.recipient
                old.date = old.date or event.date
                old.location = old.location or event.location
                old.mode = old.mode or event.mode
                return
        for key in keys:
            where[key] = len(events)
        events.append(event)

    @staticmethod
    def _proposed(sent: Span, scores: dict[str, float]) -> _Trigger | None:
        """The classifier's event for a sentence without a trigger, anchored at its main verb."""
        best = max((t for t in scores if t != "NONE"), key=lambda t: scores[t], default=None)
        if best is None or scores[best] < PROPOSE_MIN or scores[best] <= scores.get("NONE", 0.0):
            return None
        root = sent.root
        if root.pos_ not in ("VERB", "AUX"):
            return None
        return _Trigger(root, [TriggerSense(best, None)])

    def _choose(self, senses: list[TriggerSense], scores: dict[str, float] | None) -> TriggerSense | None:
        if not scores:
            return senses[0]
        best = max(senses, key=lambda s: scores.get(s.type, 0.0))
        # The classifier vetoes a trigger when it finds no event in the sentence and
        # gives the trigger's type little weight.
        if scores.get("NONE", 0.0) >= VETO_NONE and scores.get(best.type, 0.0) < VETO_TYPE:
            return None
        # "held a joint exercise": the trigger says MOBILIZE, the sentence says COOPERATE
        top = max((t for t in scores if t != "NONE"), key=lambda t: scores[t])
        if top != best.type and scores[top] >= OVERRIDE_MIN and scores.get(best.type, 0.0) < VETO_TYPE:
            return TriggerSense(top, None)
        return best

    def _focus_state(self, entities: list[Entity]) -> Party | None:
        states = Counter()
        for e in entities:
            if e.kind == "state":
                states[e.name] += len(e.mentions)
        if not states:
            return None
        name = states.most_common(1)[0][0]
        ent = next(e for e in entities if e.name == name)
        return self._party(ent)

    def _other_states(self, sent: Span, index, known: list[Party]) -> list[Party]:
        names = {p.name for p in known}
        countries = {p.country for p in known if p.country}
        out: list[Party] = []
        for tok in sent:
            ent = self._entity_at(index, tok.idx)
            if (ent is not None and ent.kind == "state" and ent.name not in names
                    and ent.country not in countries and ent.name not in {p.name for p in out}):
                out.append(self._party(ent))
        return out

    def _location(self, tok: Token, index) -> str | None:
        for prep in self._children(tok, {"prep"}):
            if prep.lower_ in ("in", "at", "near"):
                for p in self._children(prep, {"pobj"}):
                    ent = self._entity_at(index, p.idx)
                    if ent is not None and ent.type in ("GPE", "LOC"):
                        return ent.name
        return None
