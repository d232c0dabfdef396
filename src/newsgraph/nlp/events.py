"""PLOVER events: who did what to whom, when and where, with the sentence as evidence.

A trigger lexicon (``lexicons/events.yaml``, read by ``events_lexicon``) gives
event types for verbs, nouns and phrases (``events_triggers``); the dependency
parse gives actor and recipient (``events_arguments``, ``events_parties``); a
sentence classifier, where its model is installed, chooses among a trigger's
types. Where no trigger fires, a confident classifier reads the clause's main verb
as a trigger of its type (``classifier_fallback`` in the lexicon; see
``FallbackSettings``). Status comes from the trigger's clause (``events_status``). The
document-level steps (``events_discourse``) add implied actors, speakers'
accusations and praise, dates, and merge what is told twice.

Within a sentence, triggers relate to each other: a light verb gives way to
its event noun ("provided military support": the support), content is not
asserted by the event that governs it ("demanded the resignation": no
resignation happened), undoing consumes what it undoes ("the lifting of the UN
arms embargo on the CAR": the UN concedes to the CAR, no new embargo), and
people sent ("Russian instructors") are no event of their own when they act in
another. Generic actors ("the army", "people") stand for the state the
document is about; coups and protests without a named actor belong to the
state they happen in.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newsgraph.kb import KnowledgeBase, name_key
from newsgraph.nlp.event_classifier import NONE, mode_for
from newsgraph.nlp.events_arguments import SUBJECTS, ArgumentReader, Arguments, children, with_conjuncts
from newsgraph.nlp.events_discourse import Discourse, DocumentView, Draft, names_of
from newsgraph.nlp.events_lexicon import EventLexicon, TriggerSense, event_lexicon
from newsgraph.nlp.events_parties import DocumentParties
from newsgraph.nlp.events_status import status_of
from newsgraph.nlp.events_triggers import Trigger, find_triggers
from newsgraph.record import Entity, Event, Party
from newsgraph.record import Span as Evidence
from newsgraph.temporal import find_time_expressions

VETO_NONE, VETO_TYPE = 0.5, 0.15
OVERRIDE_MIN = 0.6
SYMMETRIC = {"COOPERATE", "CONSULT"}
TARGETED = {"AID", "SUPPORT", "AGREE", "REQUEST", "ACCUSE", "SANCTION", "THREATEN", "ASSAULT", "REJECT", "CONCEDE"}
# Acts whose target is named, never the state a sentence merely mentions (a refusal is of
# someone's demand; a promise goes to the partner the text is about).
UNPLACED = {"AGREE", "REJECT", "REQUEST"}
# Types the classifier may swap a trigger's type among: the same arguments (who did
# what to whom) fit them all; a speech act (accusing, supporting) has a speaker instead.
MATERIAL = {"COOPERATE", "AID", "RETREAT", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "CONCEDE", "PROTEST"}
OWN_DEPS = {"poss", "compound", "amod", "nmod"}  # a site's owner: "the French embassy", "the Orano mine"
GOVERNED_BY = {"dobj", "pobj", "prep", "xcomp", "ccomp", "pcomp", "nsubjpass", "attr", "oprd", "acomp"}
# A type scorer maps sentences to {type: probability}; the classifier provides one.
TypeScorer = Callable[[list[str]], list[dict[str, float]]]
# Speech acts whose doer is the speaker: "Amnesty said soldiers had executed civilians" read as
# ACCUSE is Amnesty's accusation; read as ASSAULT, it is the soldiers' act the speech reports.
SPEAKER_ACTS = {"ACCUSE", "SUPPORT", "REQUEST", "THREATEN", "REJECT"}
CLASSIFIER_LEMMA = "(classifier)"  # the lexicon entry of a trigger the classifier supplied
# Types an actor does without a named target ("the army was put on alert", "soldiers torched a village")
SELF_CONTAINED = {"MOBILIZE", "PROTEST", "RETREAT", "ASSAULT", "COERCE"}


@dataclass(frozen=True)
class FallbackSettings:
    """When the classifier alone makes an event of a sentence no trigger fires in:
    its best event type has at least ``min_type`` and "no event" at most ``max_none``
    (``min_type`` None: never)."""

    min_type: float | None
    max_none: float
    after_triggers: bool = False  # also where triggers fire but yield no event (all dropped)

    @classmethod
    def from_lexicon(cls, lex: EventLexicon) -> "FallbackSettings":
        return cls(lex.fallback_min, lex.fallback_none_max, lex.fallback_after_triggers)

    @classmethod
    def off(cls) -> "FallbackSettings":
        return cls(None, 0.0)


class EventExtractor:
    """Finds events in a parsed document whose canonical entities are known."""

    def __init__(self, kb: KnowledgeBase, type_scorer: TypeScorer | None = None,
                 fallback: FallbackSettings | None = None) -> None:
        """``fallback``: the classifier's path for sentences without a trigger; by
        default as ``classifier_fallback`` of ``lexicons/events.yaml`` sets it."""
        self.kb = kb
        self.lex: EventLexicon = event_lexicon()
        self.type_scorer = type_scorer
        self.fallback = fallback if fallback is not None else FallbackSettings.from_lexicon(self.lex)
        self.demonym_state: dict[str, object] = {}
        for state in kb.states():
            for d in state.demonyms:
                self.demonym_state.setdefault(name_key(d), state)

    def extract(self, doc: Doc, entities: list[Entity], published: str | None, body_start: int = 0,
                quotes: Iterable = ()) -> list[Event]:
        """Events of the document; sentences before ``body_start`` (the headline,
        which restates the story) are skipped. ``quotes`` give the speaker of
        quoted and interview sentences."""
        parties = DocumentParties(self.kb, entities, self.lex, self.demonym_state)
        run = _DocumentRun(self, doc, parties, published, body_start, list(quotes))
        return run.events()


class _DocumentRun:
    """The extraction of one document."""

    def __init__(self, ex: EventExtractor, doc: Doc, parties: DocumentParties, published: str | None,
                 body_start: int, quotes: list) -> None:
        self.ex = ex
        self.lex = ex.lex
        self.doc = doc
        self.parties = parties
        self.reader = ArgumentReader(ex.lex, parties)
        self.published = published
        self.quotes = sorted(((q.start, q.end, q.speaker, getattr(q, "direct", True)) for q in quotes
                              if q.start is not None and q.end is not None), key=lambda q: q[1] - q[0])
        self.sents = [s for s in doc.sents if s.start_char >= body_start]
        self.paragraph = self._paragraphs()
        self.triggers = [find_triggers(s, self.lex, self._in_name) for s in self.sents]
        self.scores = self._scores()
        self.expressions = [find_time_expressions(s.text, published) for s in self.sents]

    # -- setup ------------------------------------------------------------------
    def _in_name(self, tok: Token) -> bool:
        """Whether the token is part of a named entity ("the Alliance of Sahel States")."""
        ent = self.parties.entity_at(tok.idx)
        return ent is not None and tok.pos_ == "PROPN"

    def _paragraphs(self) -> list[int]:
        text = self.doc.text
        ids, n, last_end = [], 0, None
        for s in self.sents:
            if last_end is not None and "\n" in text[last_end:s.start_char]:
                n += 1
            ids.append(n)
            last_end = s.start_char + len(s.text.rstrip())  # a sentence's trailing newlines end its paragraph
        return ids

    def _scores(self) -> dict[int, dict[str, float]]:
        if self.ex.type_scorer is None:
            return {}
        wanted = [k for k, s in enumerate(self.sents) if self.triggers[k] or self.parties.tokens_parties(s)]
        if not wanted:
            return {}
        out = self.ex.type_scorer([self.sents[k].text for k in wanted])
        return dict(zip(wanted, out))

    # -- the whole document ---------------------------------------------------
    def events(self) -> list[Event]:
        drafts = [self._sentence(k) for k in range(len(self.sents))]
        view = DocumentView(self.lex, self.parties, self.sents, self.paragraph, self.triggers, self.expressions,
                            self.scores, self.quotes, self.published)
        return [self._event(d) for d in Discourse(view).run(drafts)]

    # -- one sentence -------------------------------------------------------------
    def _sentence(self, k: int) -> list[Draft]:
        triggers = list(self.triggers[k])
        scores = self.scores.get(k)
        chosen: list[tuple[Trigger, TriggerSense]] = []
        for trig in triggers:
            sense = self._choose(trig.senses, scores, len(triggers))
            if sense is not None:
                chosen.append((trig, sense))
        out = self._drafts(k, chosen) if chosen else []
        if not out and (not triggers or self.ex.fallback.after_triggers):
            guessed = self._classifier_trigger(self.sents[k], scores)
            if guessed is not None:
                # the classifier's reading stands only where the parse names who did it, and
                # to whom when the type is directed at someone
                out = [d for d in self._drafts(k, [guessed], from_classifier=True)
                       if d.actor and (d.recipient or d.type in SELF_CONTAINED)]
        return out

    def _drafts(self, k: int, chosen: list[tuple[Trigger, TriggerSense]],
                from_classifier: bool = False) -> list[Draft]:
        """The events of sentence ``k`` told by its chosen triggers and their readings."""
        sent = self.sents[k]
        dropped: set[int] = set()
        content_of: dict[int, list[int]] = {}
        undone_by: dict[int, list[int]] = {}
        object_event: dict[int, int] = {}
        governed: set[int] = set()
        for i, (trig, sense) in enumerate(chosen):
            g = self._governor(trig, chosen)
            if g is None:
                continue
            gtrig, gsense = chosen[g]
            light = (gtrig.token.pos_ == "VERB" and gtrig.token.lemma_.lower() in self.lex.light_verbs
                     and trig.is_noun and trig.token.head == gtrig.token and trig.token.dep_ in ("dobj", "nsubjpass"))
            with_object = (gtrig.token.lemma_.lower() in self.lex.light_verbs and trig.is_noun
                           and trig.token.dep_ == "pobj" and trig.token.head.lower_ == "with"
                           and trig.token.head.head == gtrig.token and gsense.type == sense.type)
            if with_object:
                dropped.add(i)  # "providing Burkina Faso with military supplies": the providing
            elif light and (gsense.type not in self.lex.content_types or gsense.type == "CONSULT"):
                dropped.add(g)  # "provided military support": the support
            elif gsense.type in self.lex.undoing_types and sense.type in self.lex.undone_types:
                dropped.add(i)  # "lifted the embargo": no new embargo
                undone_by.setdefault(g, []).append(i)
            elif gsense.type == "ACCUSE" and trig.token.dep_ == "dobj":
                object_event[g] = i  # "condemned the attack": the attack happened
            elif gsense.type in self.lex.content_types:
                governed.add(i)  # "demanded the resignation": not (yet) happened
                content_of.setdefault(g, []).append(i)
        for i, (trig, sense) in enumerate(chosen):
            if sense.agentive and self._acts_in_other(trig, [c for j, c in enumerate(chosen) if j not in dropped]):
                dropped.add(i)  # "Russian instructors conducted joint operations": the operations
            if trig.token.dep_ == "acl" and trig.token.tag_ == "VBG":
                dropped.add(i)  # "troops fighting terrorists": a description, not a report
            if trig.is_noun and trig.token.dep_ in ("attr", "oprd") and \
                    trig.token.head.lemma_.lower() in self.lex.naming_verbs:
                dropped.add(i)  # "called the measures an attack on Mali's sovereignty": a name, not an event
        # an event noun that is another event's object does not take that event's subject
        # ("ECOWAS condemned the coup": ECOWAS staged no coup); light verbs pass it on
        events_at = {t.token.i for j, (t, s) in enumerate(chosen)
                     if j not in dropped and t.token.lemma_.lower() not in self.lex.light_verbs}
        args: dict[int, Arguments] = {i: self.reader.read(t, s, events_at) for i, (t, s) in enumerate(chosen)}
        out: list[Draft] = []
        for i, (trig, sense) in enumerate(chosen):
            if i in dropped:
                continue
            a = args[i]
            actor, recipient = list(a.actor), list(a.recipient)
            for u in undone_by.get(i, []):  # the lifted embargo's imposer and target
                actor = actor or list(args[u].actor)
                if trig.is_noun:  # "the lifting of the UN embargo": the embargo is no recipient
                    recipient = [p for p in recipient if p.name not in names_of(args[u].actor)]
                recipient = recipient or list(args[u].recipient)
            own_side = names_of(actor) | {p.name for p in a.affiliation}
            own_countries = {p.country for p in actor + a.affiliation if p.country}
            for c in content_of.get(i, []) if sense.type != "CONSULT" else ():
                # "demanded the withdrawal of the US troops": of the US; "promised that instructors
                # would support the CAR": to the CAR
                doers = [p for p in args[c].actor if p.name not in own_side and p.country not in own_countries]
                done_to = [p for p in args[c].recipient if p.name not in own_side]
                recipient = recipient or (doers or done_to if sense.type == "REQUEST" else done_to or doers)
            if i in object_event:  # "condemned the attack by jihadists": the attackers
                recipient = recipient or [p for p in args[object_event[i]].actor if p.name not in names_of(actor)]
            passive = (any(c.dep_ in ("nsubjpass", "auxpass") for c in trig.token.children)
                       or trig.token.dep_ == "acl" and trig.token.tag_ == "VBN")  # "wheat delivered to ..."
            if (not actor and not a.generic_actor and not a.actor_heads and not passive
                    and any(t.pos_ == "VERB" for t in trig.tokens)):
                # The parse found no subject at all (small models misparse "ECOWAS lifted
                # sanctions"): the nearest party before the verb in its sentence.
                actor = self.reader.nearest(trig.token, before=True)
                if actor and not recipient and sense.type in TARGETED:
                    recipient = [p for p in self.reader.nearest(trig.token, before=False) if p not in actor]
            type_, mode = sense.type, sense.mode
            focus = self.parties.focus or self._local_state(sent)
            if not actor and passive and sense.by_state and not a.actor_heads:
                # "was detained in Bamako": only authorities detain; the state where it happened
                by_state = self._held_in(trig.token) or focus
                actor = [by_state] if by_state is not None else []
            possessed = any(c.dep_ == "poss" and c.lower_ in ("their", "its") for c in trig.token.children)
            if sense.domestic and (not actor or possessed):
                overthrown = recipient or ([focus] if a.generic_recipient and focus is not None else [])
                actor = self._domestic_actor(trig, sense, overthrown) or actor  # "during their coup": theirs
            if focus is not None and a.generic_actor and focus.name not in names_of(actor):
                actor = actor + [focus] if not actor else actor
            if focus is not None and a.generic_recipient and focus.name not in names_of(recipient):
                recipient.append(focus)
            actor_forces, recipient_forces = self._forces(a, focus, [args[c] for c in content_of.get(i, [])]
                                                          + [args[u] for u in undone_by.get(i, [])])
            recipient = [p for p in recipient if p.name not in names_of(actor)] or (
                [focus] if a.generic_recipient and focus is not None and focus.name in names_of(actor)
                and type_ != "CONSULT" else [])
            if type_ == "PROTEST" and not recipient:
                recipient = [p for p in self._protest_target(trig, a, chosen, args) if p.name not in names_of(actor)]
            if actor:
                others = self._other_states(sent, actor + recipient + a.affiliation)
                if len(others) == 1:
                    # One other state in the sentence: the partner of a one-sided
                    # cooperation, the target of aid or an attack ("instructors ... in the CAR").
                    if type_ in SYMMETRIC and not recipient and len(actor) == 1:
                        actor = actor + others
                    elif type_ in TARGETED - UNPLACED and not recipient:
                        recipient = others
            if sense.untargeted and not recipient:
                type_, mode = sense.untargeted  # "closed its borders": no state targeted
            if sense.org_target and any(self._organisation(p) for p in recipient):
                type_, mode = sense.org_target  # "left ECOWAS": a sanction, not a retreat
            status = ("hypothetical" if i in governed or self._purpose(trig.token)
                      else status_of(trig, sent, self.lex, sense))
            if status == "future" and type_ == "AGREE":
                status = "asserted"  # "is ready to share", "will provide" (made AGREE): the promise is made now
            if status == "future" and type_ == "CONSULT" and any(
                    a_.lemma_.lower() in self.lex.agreement_nouns for a_ in list(trig.token.ancestors)[:3]):
                type_, mode, status = "AGREE", None, "asserted"  # "plans for talks": a meeting agreed on
            if status == "future" and type_ in self.lex.future_to_agree:
                type_, mode, status = "AGREE", None, "asserted"
                speaker = self._announcer(trig.token, actor)
                if speaker is not None:
                    actor = [speaker] + actor  # "Lavrov announced that Russia will provide ..."
            out.append(Draft(
                type=type_, mode=mode, actor=actor, recipient=recipient, status=status, sent=sent, index=k,
                trigger=trig, generic_actor=a.generic_actor, location=self._location(trig.token),
                recipient_named=bool(recipient or a.recipient_heads), actor_named=a.actor_phrase,
                clausal=trig.token.pos_ in ("VERB", "AUX", "ADJ") or trig.token.dep_ == "dobj",
                coordinated=any(h.conjuncts for h in a.recipient_heads), passive=passive and not a.actor_heads,
                actor_forces=actor_forces, recipient_forces=recipient_forces, from_classifier=from_classifier,
            ))
        return out

    def _forces(self, a: Arguments, focus: Party | None,
                inner: list[Arguments]) -> tuple[dict[str, Party], dict[str, Party]]:
        """The armed forces the trigger's phrases name, by state; "the army" standing for
        the focus state names its forces. Recipients taken from a content event
        ("demanded the withdrawal of the French army") bring theirs."""
        actor_forces, recipient_forces = dict(a.actor_forces), dict(a.recipient_forces)
        for forces, service, generic in ((actor_forces, a.generic_actor_service, a.generic_actor),
                                         (recipient_forces, a.generic_recipient_service, a.generic_recipient)):
            if focus is not None and generic and service is not None and focus.name not in forces:
                found = self.parties.armed_forces(focus, service)
                if found is not None:
                    forces[focus.name] = found
        for b in inner:
            for state, army in (*b.actor_forces.items(), *b.recipient_forces.items()):
                recipient_forces.setdefault(state, army)
        return actor_forces, recipient_forces

    def _protest_target(self, trig: Trigger, a: Arguments, chosen: list[tuple[Trigger, TriggerSense]],
                        args: dict[int, Arguments]) -> list[Party]:
        """Whom a protest targets when no "against" says: the owner of the site it is
        held at ("a sit-in outside the French embassy", "workers at the Orano mine"),
        else what the protesters demand of whom ("demonstrators demanded the departure
        of the French ambassador")."""
        verb = trig.token
        for _ in range(3):
            if verb.pos_ in ("VERB", "AUX") or verb.head == verb:
                break
            verb = verb.head
        for host in dict.fromkeys([trig.token, verb, *a.actor_heads]):
            for prep in children(host, {"prep"}):
                if prep.lower_ not in self.lex.site_preps:
                    continue
                for site in children(prep, {"pobj"}):
                    if self.parties.entity_at(site.idx) is not None:
                        continue  # "in Dakar", "at Djibo": a place, not a site someone owns
                    owners = self.parties.tokens_parties([c for c in site.children if c.dep_ in OWN_DEPS])
                    if owners:
                        return owners
        if trig.is_noun and verb != trig.token:
            for j, (other, _) in enumerate(chosen):
                if other.token == verb and other is not trig:
                    return list(args[j].recipient)  # the demand the protesters make
        return []

    def _organisation(self, party: Party) -> bool:
        ent = self.parties.by_name.get(party.name)
        return ent is not None and ent.type == "ORG" and ent.kind == "igo"

    @staticmethod
    def _purpose(tok: Token) -> bool:
        """A to-infinitive of purpose ("resources to fight the militants", "in order to
        bring"): intended, not done. Complements of verbs ("began to demand") are done."""
        return (tok.pos_ == "VERB" and tok.dep_ in ("advcl", "relcl", "acl")
                and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children))

    def _announcer(self, tok: Token, actor: list[Party]) -> Party | None:
        """The person announcing a promise on behalf of its actor ("Russian Foreign
        Minister Lavrov announced that Russia will provide ...")."""
        cur = tok
        for _ in range(5):
            if cur.head == cur:
                return None
            if cur.dep_ == "ccomp" and cur.head.lemma_.lower() in self.lex.speech_verbs:
                subj = children(cur.head, SUBJECTS)
                found = self.parties.head_parties(with_conjuncts(subj[0]))[0] if subj else []
                person = next((p for p in found if (e := self.parties.by_name.get(p.name)) is not None
                               and e.type == "PERSON"), None)
                if person is not None and person.name not in names_of(actor) and (
                        person.country and person.country in {p.country for p in actor}):
                    return person
                return None
            cur = cur.head
        return None

    @staticmethod
    def _acts_in_other(trig: Trigger, chosen: list[tuple[Trigger, TriggerSense]]) -> bool:
        """Whether the trigger's noun is the subject (or agent) of a clause holding another trigger."""
        tok = trig.token
        others = {w.i for t, _ in chosen if t is not trig for w in t.tokens}
        if any(a.i in others for a in list(tok.ancestors)[:3]):
            return True  # "the presence of Wagner mercenaries", "with the participation of specialists"
        cur = tok
        while cur.dep_ in ("compound", "amod", "conj", "appos") and cur.head != cur:
            cur = cur.head
        if cur.dep_ not in ("nsubj", "nsubjpass") and not (cur.dep_ == "pobj" and cur.head.dep_ == "agent"):
            return False
        verb = cur.head if cur.dep_ != "pobj" else cur.head.head
        return any(t.i in others for t in verb.subtree if t.i != tok.i)

    def _governor(self, trig: Trigger, chosen: list[tuple[Trigger, TriggerSense]]) -> int | None:
        """The trigger whose object or complement ``trig`` is, within four steps."""
        heads = {t.token.i: j for j, (t, _) in enumerate(chosen) if t is not trig}
        for j, (t, _) in enumerate(chosen):
            if t is not trig:
                for w in t.tokens:
                    heads.setdefault(w.i, j)
        cur = trig.token
        while cur.dep_ == "conj" and cur.head.pos_ == cur.pos_ and cur.head != cur:
            cur = cur.head  # "demanded the resignation ... and better support": both are the demand's
        for _ in range(4):
            if cur.dep_ not in GOVERNED_BY or cur.head == cur:
                return None
            if cur.dep_ == "ccomp" and cur.head.pos_ != "VERB":
                return None  # a clause is the content of a verb ("denied that ..."), not of a noun
            cur = cur.head
            if cur.i in heads and cur.i not in {w.i for w in trig.tokens}:
                return heads[cur.i]
        return None

    def _domestic_actor(self, trig: Trigger, sense: TriggerSense, recipient: list[Party]) -> list[Party]:
        """Who staged a coup (or a protest) no actor is named for: the state it
        happened in ("their coup": the state named before; "in Mali"; "Burkina
        Faso, which ... following a coup"; "countries where coups occurred")."""
        tok = trig.token
        parties = self.parties
        for c in tok.children:
            if c.dep_ == "poss" and c.lower_ in ("their", "its"):
                clause_subject = self._clause_subjectnames_of(tok)
                found = parties.recent_states(tok.idx, 1, exclude=clause_subject)
                if found:
                    return found
        for prep in children(tok, {"prep"}):
            if prep.lower_ in ("in", "at"):
                for o in children(prep, {"pobj"}):
                    p = parties.place_state(o)
                    if p is not None:
                        return [p]
        subj, _, _ = self.reader.subject_of(tok, sense, through_adverbial=False)
        found = parties.head_parties(subj)[0] if subj else []
        if not found and tok.dep_ in SUBJECTS and tok.head.dep_ == "relcl":
            found = parties.head_parties([tok.head.head])[0]  # "countries where coups have occurred"
        # "Traoré, who took power through a coup": a person or a state
        found = [p for p in found if parties.is_state(p) or parties.by_name.get(p.name) is not None
                 and parties.by_name[p.name].type == "PERSON"]
        if not found:
            # "Burkina Faso, which has been under military rule following a coup": the state only
            subj, _, _ = self.reader.subject_of(tok, sense, through_adverbial=True)
            found = [p for p in (parties.head_parties(subj)[0] if subj else []) if parties.is_state(p)]
        if found:
            return found
        # "the overthrow of the president": the state of the overthrown
        own = [p for p in recipient if parties.is_state(p)] or [
            s for p in recipient if (s := parties.state_of_country(p.country)) is not None]
        if own:
            return own[:1]
        if sense.type == "PROTEST":
            # where the sentence places it ("protesters gathered outside the Russian embassy
            # in Bangui": the CAR's), else the state the text is about
            focus = self._held_in(tok) or parties.focus or self._local_state(tok.sent)
            return [focus] if focus else []
        return []

    def _held_in(self, tok: Token) -> Party | None:
        """The state of the place a protest's clause is held at ("protesters gathered outside
        the Russian embassy in Bangui": the CAR), not of places the sentence compares it to."""
        verb = tok
        for _ in range(3):
            if verb.pos_ in ("VERB", "AUX") or verb.head == verb:
                break
            verb = verb.head
        for prep in children(verb, {"prep"}):
            if prep.lower_ not in ("in", "at") and prep.lower_ not in self.lex.site_preps:
                continue
            for o in children(prep, {"pobj"}):
                inner = [w for p2 in children(o, {"prep"}) if p2.lower_ in ("in", "at") for w in children(p2, {"pobj"})]
                for place in (o, *inner):
                    found = self.parties.place_state(place)
                    if found is not None:
                        return found
        return None

    def _local_state(self, sent: Span) -> Party | None:
        """The first state the sentence names or places a city in (when the document
        has no state to be about: "Activists held a sit-in in Dakar")."""
        for tok in sent:
            p = self.parties.place_state(tok)
            if p is not None:
                return p
        return None

    def _clause_subjectnames_of(self, tok: Token) -> set[str]:
        verb = tok
        while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
            verb = verb.head
        subj = children(verb, SUBJECTS)
        return {p.name for p in self.parties.head_parties(with_conjuncts(subj[0]))[0]} if subj else set()

    def _other_states(self, sent: Span, known: list[Party]) -> list[Party]:
        """States named in the sentence besides ``known``, leaving out those in
        adverbials ("amid the Ukraine conflict") and questions of place."""
        names = {p.name for p in known}
        countries = {p.country for p in known if p.country}
        out: list[Party] = []
        for tok in sent:
            ent = self.parties.entity_at(tok.idx)
            if ent is None or ent.kind != "state" or ent.name in names or ent.country in countries:
                continue
            if tok.dep_ == "compound" and self.parties.entity_at(tok.head.idx) is None:
                continue  # "the Ukraine conflict"
            if any(a.dep_ == "prep" and a.lower_ in ("amid", "during", "since", "despite", "unlike")
                   for a in tok.ancestors):
                continue
            if ent.name not in {p.name for p in out}:
                out.append(self.parties.party(ent))
        return out

    def _location(self, tok: Token) -> str | None:
        for prep in children(tok, {"prep"}):
            if prep.lower_ in ("in", "at", "near"):
                for p in children(prep, {"pobj"}):
                    ent = self.parties.entity_at(p.idx)
                    if ent is not None and ent.type in ("GPE", "LOC"):
                        return ent.name
        return None

    # -- the classifier ----------------------------------------------------------
    def _classifier_trigger(self, sent: Span,
                            scores: dict[str, float] | None) -> tuple[Trigger, TriggerSense] | None:
        """The clause's main verb as a trigger of the type the classifier is sure of, in a
        sentence no lexicon trigger fires in; None when it is unsure or the clause has no
        verb of its own (a copula: a description)."""
        settings = self.ex.fallback
        if settings.min_type is None or not scores:
            return None
        type_ = max((t for t in scores if t != NONE), key=lambda t: scores[t], default=None)
        if type_ is None or scores[type_] < settings.min_type or scores.get(NONE, 0.0) > settings.max_none:
            return None
        if sent.text.rstrip().endswith("?"):
            return None  # a question reports nothing
        verb = self._predicate(sent.root, type_)
        if verb is None or not children(verb, SUBJECTS):
            return None  # no subject: an imperative ("Follow him on Telegram"), a fragment
        sense = TriggerSense(type_, mode_for(type_, sent.text), lemma=CLASSIFIER_LEMMA)
        return Trigger(verb, (verb,), [sense]), sense

    def _predicate(self, root: Token, type_: str) -> Token | None:
        """The verb that tells the event: the root, or past a reporting verb the clause it
        reports ("X said that Y attacked Z": attacked), unless the speaker's act is the event."""
        cur = root
        for _ in range(3):
            if cur.lemma_.lower() not in self.lex.speech_verbs | self.lex.report_verbs:
                break
            if type_ in SPEAKER_ACTS:
                return cur
            reported = children(cur, {"ccomp"})
            if not reported:
                return None  # "the minister told the assembly": only the speaking
            cur = reported[0]
        if cur.pos_ != "VERB" or cur.lemma_.lower() in ("be", "have"):
            return None
        return cur

    @staticmethod
    def _choose(senses: list[TriggerSense], scores: dict[str, float] | None, n_triggers: int) -> TriggerSense | None:
        if not scores:
            return senses[0]
        best = max(senses, key=lambda s: scores.get(s.type, 0.0))
        # The classifier vetoes a trigger when it finds no event in the sentence and
        # gives the trigger's type little weight.
        if scores.get("NONE", 0.0) >= VETO_NONE and scores.get(best.type, 0.0) < VETO_TYPE:
            return None
        # "held a joint exercise": the trigger says MOBILIZE, the sentence says COOPERATE.
        # Only for a sentence's single trigger: the sentence's scores say nothing of the others.
        top = max((t for t in scores if t != "NONE"), key=lambda t: scores[t])
        if (n_triggers == 1 and top != best.type and scores[top] >= OVERRIDE_MIN
                and scores.get(best.type, 0.0) < VETO_TYPE and top in MATERIAL and best.type in MATERIAL):
            return TriggerSense(top, None)
        return best

    def _event(self, d: Draft) -> Event:
        return Event(
            type=d.type,  # type: ignore[arg-type]
            mode=d.mode, actor=_with_forces(d.actor, d.actor_forces),
            recipient=_with_forces(d.recipient, d.recipient_forces), date=d.date, location=d.location,
            status=d.status,  # type: ignore[arg-type]
            evidence=Evidence(start=d.sent.start_char, end=d.sent.end_char, text=d.sent.text),
        )


def _with_forces(parties: list[Party], forces: dict[str, Party]) -> list[Party]:
    """The parties, each state followed by its armed forces where the sentence names them
    ("the Malian army": Mali and the Malian Armed Forces)."""
    out: list[Party] = []
    for p in parties:
        out.append(p)
        extra = forces.get(p.name)
        if extra is not None and extra.name not in {q.name for q in parties}:
            out.append(extra)
    return out
