"""Actor and recipient of one trigger, read from the dependency parse.

Verbs: the subject acts and the object receives (the passive's "by" agent
acts and its subject receives). Nouns: the possessor or nationality ("Russia's
support", "Russian instructors"), "by"/"between"/"from" phrases, "X of Y"
(Y acts for some types, "the presence of Wagner mercenaries"; Y is the patient
for others, "the overthrow of the president"), else the subject of the clause
the noun sits in ("Russia provided military support"). Climbing to that
subject stops at reporting verbs ("RIA reported negotiations ...": RIA did
not negotiate), at topics ("spoke about the reopening of the embassy"), at
another event ("ECOWAS condemned the coup": ECOWAS staged none), at adverbials
("during their coup") except for meetings ("during a meeting in Moscow, X
said": X took part) and instruments ("assumed power through a coup");
experiencer verbs ("face attacks", "has seen the presence of ...") make their
subject the recipient; object control gives the infinitive its doer ("ordered
the diplomats to leave"). Other nouns' phrases: "with the help of Turkey"
(Turkey helps whom the clause is about), "the supply of weapons from Russia"
(from acts), "sanctions imposed by X" (X acts), "due to the supply of weapons"
(the clause's subject receives).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from newsgraph.nlp.events_lexicon import EventLexicon, TriggerSense
from newsgraph.nlp.events_parties import DocumentParties
from newsgraph.nlp.events_triggers import Trigger
from newsgraph.record import Party

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
OBJECTS = {"dobj", "dative", "attr", "oprd"}
OWN = {"poss", "compound", "amod", "nmod"}
ADVERBIAL_PREPS = {"during", "after", "following", "amid", "since", "before", "despite", "until", "in", "at", "on",
                   "over", "under", "throughout", "because", "due", "as", "thanks", "for", "against", "with"}
PURPOSE_PREPS = {"for", "on"}  # "arrived in Moscow for talks", "is in Bamako on a visit"
TOPIC_PREPS = {"about", "regarding", "concerning"}  # "spoke about the reopening of the embassy": a topic
CLIMB = {"dobj", "pobj", "prep", "conj", "xcomp", "ccomp", "acomp", "advcl", "appos", "attr", "npadvmod", "relcl",
         "acl", "pcomp", "oprd"}
SYMMETRIC = {"COOPERATE", "CONSULT"}


@dataclass
class Arguments:
    actor: list[Party] = field(default_factory=list)
    recipient: list[Party] = field(default_factory=list)
    generic_actor: bool = False
    generic_recipient: bool = False
    actor_heads: list[Token] = field(default_factory=list)
    recipient_heads: list[Token] = field(default_factory=list)
    actor_phrase: bool = False  # a subject, agent or "by"/"from" phrase names someone (a party or not)
    affiliation: list[Party] = field(default_factory=list)  # states the actor phrase names ("Russian minister X")
    # armed forces the phrases name by their state ("the Malian army": {Mali: Malian Armed Forces}),
    # and the service of a bare "the army" (the state the text is about)
    actor_forces: dict[str, Party] = field(default_factory=dict)
    recipient_forces: dict[str, Party] = field(default_factory=dict)
    generic_actor_service: str | None = None
    generic_recipient_service: str | None = None


def with_conjuncts(tok: Token) -> list[Token]:
    return [tok, *tok.conjuncts]


def children(tok: Token, deps: set[str] | tuple[str, ...]) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


QUANTIFIERS = {"number", "series", "lot", "couple", "dozen", "wave", "range", "string", "spate", "host", "set"}


def prep_objects(tok: Token) -> dict[str, list[Token]]:
    """A word's prepositional objects by preposition ("by" for passive agents); a noun
    counted by a quantifier shares its phrases ("a number of operations by X")."""
    out: dict[str, list[Token]] = {}
    hosts = [tok]
    if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lemma_.lower() in QUANTIFIERS:
        hosts.append(tok.head.head)
    for p in [c for h in hosts for c in children(h, {"prep", "agent"}) if c != tok.head]:
        key = "by" if p.dep_ == "agent" else p.lower_
        out.setdefault(key, []).extend(children(p, {"pobj", "pcomp"}))
    return out


class ArgumentReader:
    def __init__(self, lex: EventLexicon, parties: DocumentParties) -> None:
        self.lex = lex
        self.parties = parties

    # -- climbing to the clause's subject -----------------------------------------
    def subject_of(self, tok: Token, sense: TriggerSense, through_adverbial: bool | None = None,
                   events_at: frozenset[int] | set[int] = frozenset()) -> tuple[list[Token], bool, list[Token]]:
        """The subject phrase governing ``tok``, whether it is a passive subject, and the
        subject of an experiencer verb on the way ("Mali faces attacks": Mali receives).
        ``through_adverbial``: climb out of adverbials ("during a meeting, X said": X
        met); by default for meetings only. ``events_at``: tokens of other events, whose
        subjects are theirs ("ECOWAS condemned the coup")."""
        cur = tok
        if through_adverbial is None:
            through_adverbial = sense.type == "CONSULT"
        controlled = False  # reached through "to"-infinitive control ("were forced to leave")
        for _ in range(7):
            subj = children(cur, SUBJECTS)
            if subj:
                s = subj[0]
                if s.lower_ in ("who", "which", "that") and cur.dep_ == "relcl":
                    return [cur.head], s.dep_ == "nsubjpass", []  # "children who had been enslaved by X"
                # "were forced to leave": the controller's passive is not the trigger's;
                # "were arrested and accused": coordinated passives share it
                return with_conjuncts(s), s.dep_ == "nsubjpass" and not controlled, []
            if cur.dep_ == "xcomp" and cur.head.lemma_.lower() in self.lex.object_control_verbs:
                objects = children(cur.head, {"dobj"})
                if objects:
                    return with_conjuncts(objects[0]), False, []  # "ordered the diplomats to leave"
            if cur.dep_ in ("relcl", "acl") and cur.head.pos_ in ("NOUN", "PROPN"):
                # "a citizen abducted by the 3R group": the noun is the passive subject
                return [cur.head], cur.dep_ == "acl" and cur.tag_ == "VBN", []
            if cur == tok and cur.dep_ == "nsubjpass":
                return prep_objects(cur.head).get("by", []), False, []  # "accusations were voiced by X"
            if cur.dep_ not in CLIMB or cur.head == cur:
                break
            if cur.dep_ == "prep" and cur.lower_ in TOPIC_PREPS:
                break
            if cur.dep_ == "prep" and cur.head.pos_ in ("VERB", "AUX"):
                p = cur.lower_
                if p not in self.lex.instrumental_preps and p in ADVERBIAL_PREPS and not through_adverbial:
                    break  # "during their coup": the clause's subject did not do it
            nxt = cur.head
            if nxt.i in events_at and nxt.i != tok.i and cur.dep_ in ("dobj", "pobj", "nsubjpass"):
                return [], False, []
            if nxt.pos_ in ("VERB", "AUX") and cur.dep_ in ("dobj", "ccomp", "xcomp", "prep"):
                lemma = nxt.lemma_.lower()
                if lemma in self.lex.report_verbs:
                    return [], False, []  # "RIA reported negotiations between ...": RIA did not negotiate
                if lemma in self.lex.experiencer_verbs and cur.dep_ == "dobj":
                    subj = children(nxt, SUBJECTS)
                    return [], False, with_conjuncts(subj[0]) if subj else []
            controlled = controlled or cur.dep_ == "xcomp"
            cur = nxt
        return [], False, []

    # -- the trigger's arguments -------------------------------------------------------
    def read(self, trig: Trigger, sense: TriggerSense, events_at: frozenset[int] | set[int] = frozenset()) -> Arguments:
        """Actor and recipient of ``trig`` read as ``sense``; ``events_at`` are the other
        triggers' tokens (an event noun in their object is not done by their subject)."""
        tok = trig.token
        if tok.pos_ == "ADV" and tok.head != tok:
            tok = tok.head  # "jointly directed": the verb's arguments
        lex = self.lex
        actor_heads: list[Token] = []
        recipient_heads: list[Token] = []
        extra_actor: list[Party] = []
        own_moved: list[Token] = []  # the actor's own forces moved ("withdrew its troops")
        verbal = tok.pos_ in ("VERB", "ADJ", "AUX")
        own_words = {t.i for t in trig.tokens}
        if verbal:
            subj, passive, _ = self.subject_of(tok, sense)
            preps = prep_objects(tok)
            if passive:
                actor_heads, recipient_heads = preps.get("by", []), subj
            else:
                objects = [o for o in children(tok, OBJECTS) if o.i not in own_words]
                # "sent instructors to Niger": the parser may label "to" itself the dative
                objects = [p for o in objects for p in (children(o, {"pobj"}) if o.pos_ == "ADP" else [o])]
                actor_heads, recipient_heads = subj, objects
                owned = objects + [o for o in children(tok, OBJECTS) if o.i in own_words]
                if owned and not self._named(objects):
                    # "revoked Orano's licence", "suspended the broadcasts of the BBC": the
                    # object's owner undergoes it
                    recipient_heads = objects + [w for o in owned for w in children(o, {"poss"})
                                                 + prep_objects(o).get("of", [])]
            if not recipient_heads and sense.type in ("REQUEST", "ACCUSE", "AID", "SUPPORT"):
                # "demanded that Kyiv stop ...", "alleged that Russia sold ...", "helped the army
                # defend it": whom it is about
                recipient_heads = [h for c in children(tok, {"ccomp", "xcomp"}) for h in children(c, SUBJECTS)]
            if sense.moves:
                actor_heads, recipient_heads, own_moved = self._moved(tok, passive, actor_heads, recipient_heads)
            # "agreements were signed between Russia and Togo"
            reciprocal = preps.get("between", []) + preps.get("among", [])
            if reciprocal:
                actor_heads = actor_heads + reciprocal if not passive else reciprocal
        else:
            preps = prep_objects(tok)
            own = [c for c in children(tok, OWN) if c.i not in own_words]
            actor_heads = own + preps.get("by", []) + preps.get("between", []) + preps.get("among", [])
            if sense.type in lex.from_actor_types:
                actor_heads += preps.get("from", [])
            of_acts = sense.of == "actor" or (sense.of is None and sense.type in lex.of_actor_types)
            before = tok.doc[tok.left_edge.i - 1] if tok.left_edge.i > tok.sent.start else None
            if tok.lemma_.lower() in lex.participation_nouns and before is not None and before.lower_ == "with":
                of_acts = True  # "with the support of Russia": Russia supports
                verb = tok
                while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
                    verb = verb.head
                # "with the help of Turkey, the Somali army retook the port": the army is helped
                recipient_heads += [s for s in children(verb, SUBJECTS) if s.dep_ == "nsubj"]
            if tok.head.lower_ == "in" and tok.dep_ == "pobj":
                of_acts = False  # "in support of Mali": Mali is supported
            if not self._named(actor_heads):
                of = preps.get("of", [])
                inner = [p for o in of for prep in children(o, {"prep"}) if prep.lower_ in ("between", "among")
                         for p in children(prep, {"pobj"})]
                if inner:
                    actor_heads = inner  # "the signing of an accord between Russia and Togo"
                elif of and of_acts and self._named(of):
                    actor_heads = of  # "the presence of Wagner mercenaries"
                else:
                    imposed = [h for c in children(tok, {"acl"}) if c.tag_ == "VBN" and c.i not in events_at
                               for h in prep_objects(c).get("by", [])]
                    if imposed:
                        actor_heads = actor_heads + imposed  # "sanctions imposed by Western states"
                    else:
                        subj, passive, experiencer = self.subject_of(tok, sense, events_at=events_at)
                        actor_heads = actor_heads + subj
                        recipient_heads += experiencer
            if not of_acts and sense.type not in SYMMETRIC:
                recipient_heads += preps.get("of", [])  # "the overthrow of the president"
            # "Belousov reiterated Russia's support": the speaker acts for Russia
            if tok.dep_ == "dobj" and tok.head.lemma_.lower() in lex.light_verbs and tok.head.pos_ == "VERB":
                speaker, passive, _ = self.subject_of(tok.head, sense)
                if speaker and not passive:
                    extra_actor = self.parties.head_parties(speaker)[0]
            governing = tok.head.lemma_.lower() if tok.dep_ == "dobj" else ""
            if governing in lex.experiencer_verbs:
                # "garnered support from X", "faces attacks by X": the subject undergoes it
                recipient_heads += [s for s in children(tok.head, SUBJECTS)]
                actor_heads = [h for h in actor_heads if h not in children(tok.head, SUBJECTS)]
                if not self._named(actor_heads):
                    actor_heads = actor_heads + prep_objects(tok.head).get("from", [])
            elif governing in lex.causative_verbs:
                # "the ties between Russia and X have raised concerns among Y": about them
                for cause in children(tok.head, SUBJECTS):
                    recipient_heads += [cause] + [o for k, v in prep_objects(cause).items()
                                                  if k in ("between", "among", "of") for o in v]
                actor_heads = [h for h in actor_heads if h not in children(tok.head, SUBJECTS)]
        if not self._named(actor_heads):
            # "operations were carried out with the participation of Russian specialists"
            host = tok if verbal else (tok.head if tok.dep_ in ("nsubjpass", "dobj") else None)
            for o in prep_objects(host).get("with", []) if host is not None else []:
                if o.lemma_.lower() in lex.participation_nouns:
                    actor_heads = actor_heads + prep_objects(o).get("of", [])
        if not verbal and tok.dep_ == "pobj" and sense.type in lex.from_actor_types:
            # "increased their power due to the supply of weapons from Russia": they receive it
            causal = ("due", "owing", "thanks", "because")
            lead = next((t for t in (tok.head, tok.head.head) if t.lower_ in causal), None)
            clause: Token | None = lead.head if lead is not None else None
            while clause is not None and clause.pos_ not in ("VERB", "AUX") and clause.head != clause:
                clause = clause.head
            if clause is not None and clause.pos_ in ("VERB", "AUX"):
                recipient_heads += children(clause, SUBJECTS)
        # trigger-specific actor sources: the owner of the phrase's noun ("Russian embassies were opened")
        if "owner" in sense.actor_from:
            for word in trig.tokens:
                if word != tok or not verbal:
                    owners = [c for c in children(word, OWN) if c.i not in own_words]
                    of = prep_objects(word).get("of", [])
                    extra_actor += self.parties.head_parties(owners + of)[0]
        for prep in children(tok, {"prep"}):
            if prep.lower_ in sense.actor_preps:
                actor_heads = children(prep, {"pobj"})
        # recipients: the type's prepositions, on the trigger or on the verb a noun is the object of
        hosts = [tok] + [w for w in trig.tokens if w != tok and w.pos_ == "NOUN"]  # "a consulate in Benghazi"
        if not verbal and tok.dep_ in ("dobj", "attr", "nsubjpass") and tok.head.pos_ == "VERB":
            hosts.append(tok.head)  # "showed their support to Niger"
        if not verbal and tok.dep_ == "pobj" and tok.head.lower_ in PURPOSE_PREPS and tok.head.head.pos_ == "VERB":
            hosts.append(tok.head.head)  # "arrived in Moscow for a visit": the visit's place is the verb's
        wanted = lex.recipient_preps.get(sense.type, frozenset()) | set(sense.recipient_preps)
        for host in hosts:
            for prep in children(host, {"prep"}):
                if prep == tok.head:
                    continue  # the noun's own preposition ("thanked X for his readiness")
                if prep.lower_ in wanted and prep.lower_ not in sense.actor_preps:
                    if sense.type in lex.from_actor_types and prep.lower_ == "from" and host == tok and not verbal:
                        continue
                    recipient_heads += children(prep, {"pobj"})
        if sense.reverse and verbal:
            actor_heads, recipient_heads = recipient_heads, actor_heads  # "X received Y": Y visits X
        actor, generic_actor = self.parties.head_parties(actor_heads)
        for p in extra_actor:
            if p.name not in {q.name for q in actor}:
                actor.insert(0, p) if "owner" not in sense.actor_from else actor.append(p)
        recipient, generic_recipient = self.parties.head_parties(recipient_heads, places=True)
        affiliation = self._affiliation(actor_heads)
        phrase = any(h.pos_ in ("NOUN", "PROPN", "PRON") and h.dep_ not in OWN for h in actor_heads)
        actor_forces, actor_service = self.parties.head_forces(actor_heads)
        recipient_forces, recipient_service = self.parties.head_forces(recipient_heads)
        if not verbal and sense.type in self.lex.military_types:
            # "a Malian drone strike", "Russian airstrikes": the state's armed forces struck
            for adj in (c for c in children(tok, {"amod"}) if c.i not in own_words):
                state = self.parties.token_party(adj)
                if state is not None and self.parties.is_state(state) and state.name in {p.name for p in actor}:
                    forces = self.parties.armed_forces(state, "army")
                    if forces is not None:
                        actor_forces.setdefault(state.name, forces)
        for moved in own_moved:
            service = self.parties.service_of(moved)
            if service is None:
                continue  # a named force ("the Africa Corps") acts by its own name
            for state in (p for p in actor if self.parties.is_state(p)):
                forces = self.parties.armed_forces(state, service)
                if forces is not None:
                    actor_forces.setdefault(state.name, forces)
        return Arguments(actor, recipient, generic_actor, generic_recipient, actor_heads, recipient_heads, phrase,
                         affiliation, actor_forces, recipient_forces, actor_service, recipient_service)

    def _moved(self, verb: Token, passive: bool, actor_heads: list[Token],
               recipient_heads: list[Token]) -> tuple[list[Token], list[Token], list[Token]]:
        """Arguments of a verb moving forces. The forces moved are no recipient: named
        ones ("pull the Africa Corps out of X") act beside the subject, bare or owned
        ones ("its troops", "1,000 soldiers") are the subject's own. A passive subject
        with no agent moves ("fighters were withdrawn from X"). "out of X" is the place left."""
        if passive and not actor_heads:
            actor_heads, recipient_heads = recipient_heads, []
        moved = [o for o in recipient_heads if self.parties.is_force(o)]
        own = [o for o in moved if not self._named([o])]
        actor_heads = actor_heads + [o for o in moved if o not in own]
        recipient_heads = [o for o in recipient_heads if o not in moved]
        for out in children(verb, {"prep", "prt"}):
            if out.lower_ == "out":
                recipient_heads += [o for of in children(out, {"prep"}) if of.lower_ == "of"
                                    for o in children(of, {"pobj"})]
        return actor_heads, recipient_heads, own

    def _named(self, heads: list[Token]) -> bool:
        return bool(self.parties.head_parties(heads)[0])

    def _affiliation(self, heads: list[Token]) -> list[Party]:
        """States named in the actor phrase's modifiers ("Russian Deputy Minister X")."""
        out: list[Party] = []
        for h in heads:
            for t in h.subtree:
                if t == h:
                    continue
                p = self.parties.token_party(t)
                if p is not None and self.parties.is_state(p) and p.name not in {q.name for q in out}:
                    out.append(p)
        return out

    def nearest(self, tok: Token, *, before: bool, window: int = 8) -> list[Party]:
        """The nearest party before (or after) ``tok`` in its sentence."""
        sent = tok.sent
        rng = range(tok.i - 1, max(sent.start, tok.i - window) - 1, -1) if before else range(
            tok.i + 1, min(sent.end, tok.i + window + 1))
        for i in rng:
            if tok.doc[i].pos_ == "ADJ" or tok.doc[i].dep_ in ("amod", "compound"):
                continue  # "Central African diamonds": a modifier, not an agent
            found = self.parties.tokens_parties([tok.doc[i]])
            if found:
                return found[:1]
        return []
