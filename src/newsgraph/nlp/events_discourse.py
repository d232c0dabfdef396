"""The document-level steps of event extraction, after each sentence is read.

An event noun without an actor continues the previous sentence's event ("Last
year, Russian specialists carried out rescue operations. Here are some of
them: the release of ..."), or the cooperation named beside it; support for
terrorists reported by a speaker is the speaker's accusation ("X stated that
France trains terrorists"); in an interview or statement, the speaker's claims
about a party are his accusations or praise (when the sentence classifier reads
them so); "similar accusations" are against whom the last ones were; recipients
the text implies are filled in (a generic actor's own state, the place, the
state the text is about); events that need two parties and have one are
dropped; dates come from the event's clause, else from the present tense (the
publication date), the paragraph or the interview question; and the same
meeting, cooperation, coup or act told twice is one event.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from newsgraph.nlp.events_arguments import SUBJECTS, children, with_conjuncts
from newsgraph.nlp.events_lexicon import EventLexicon, TriggerSense
from newsgraph.nlp.events_parties import DocumentParties
from newsgraph.nlp.events_status import date_of, present_tense
from newsgraph.nlp.events_triggers import Trigger
from newsgraph.record import Party
from newsgraph.temporal import TimeExpression, find_time_expressions

STATEMENT_MIN = 0.45  # a quoted claim about a party is an accusation or praise above this probability
SYMMETRIC = {"COOPERATE", "CONSULT"}
# a generic actor's directed act without a named target concerns its own state ("people demanded the
# resignation of the leadership"); not attacks or aid, which target others
DOMESTIC_TARGETS = {"REQUEST", "ACCUSE", "REJECT", "THREATEN", "CONCEDE", "SANCTION", "PROTEST", "COERCE"}
BENEFICIARY = {"AID", "SUPPORT", "AGREE"}  # without a recipient: the place, or the state the text is about
IMPLIED = {"AID", "SUPPORT", "AGREE", "COOPERATE", "RETREAT", "CONSULT", "CONCEDE"}
STATEMENT_TYPES = {"ACCUSE", "SUPPORT"}
ALLEGED = {"AID", "SUPPORT", "COOPERATE"}  # support for terrorists is alleged, not praised


@dataclass
class Draft:
    type: str
    mode: str | None
    actor: list[Party]
    recipient: list[Party]
    status: str
    sent: Span
    index: int                    # sentence number
    trigger: Trigger | None
    generic_actor: bool = False
    date: str | None = None
    location: str | None = None
    statement: bool = False       # a speaker's own statement: dated at publication
    implied: bool = False         # actor taken from the previous sentence
    guessed: bool = False         # recipient filled in from the document, not read in the sentence
    actor_named: bool = False     # the sentence has a phrase for the actor (a party or not)
    recipient_named: bool = False  # the sentence names a recipient (a party or not)
    coordinated: bool = False      # the recipients are one coordinated phrase ("in Mali and Niger")
    date_stated: bool = False      # the date comes from the event's own sentence
    clausal: bool = True           # the trigger is a clause's verb or its object ("conducted a crackdown")
    passive: bool = False          # a passive with no agent ("two instructors were killed")
    from_classifier: bool = False  # read by the sentence classifier in a sentence with no trigger
    # the armed forces the sentence names for a party state ("the Malian army": Mali's),
    # added beside that state on output; the steps here reason about states
    actor_forces: dict[str, Party] = field(default_factory=dict)
    recipient_forces: dict[str, Party] = field(default_factory=dict)

    def parties(self) -> set[str]:
        return {p.name for p in self.actor} | {p.name for p in self.recipient}


def names_of(parties: Iterable[Party]) -> frozenset[str]:
    return frozenset(p.name for p in parties)


def union(a: list[Party], b: Iterable[Party]) -> list[Party]:
    out = list(a)
    for p in b:
        if p.name not in {q.name for q in out}:
            out.append(p)
    return out


@dataclass
class DocumentView:
    """What the document-level steps read of a document being extracted."""

    lex: EventLexicon
    parties: DocumentParties
    sents: list[Span]
    paragraph: list[int]                       # paragraph number of each sentence
    triggers: list[list[Trigger]]              # per sentence
    expressions: list[list[TimeExpression]]    # per sentence, against the publication date
    scores: dict[int, dict[str, float]]        # classifier probabilities per sentence
    quotes: list[tuple[int, int, str, bool]]   # (start, end, speaker, direct), innermost first
    published: str | None


class Discourse:
    """Runs the document-level steps over the sentences' draft events."""

    def __init__(self, view: DocumentView) -> None:
        self.view = view
        self.lex = view.lex
        self.parties = view.parties
        self.sents = view.sents
        self.paragraph = view.paragraph
        self.triggers = view.triggers
        self.expressions = view.expressions
        self.scores = view.scores
        self.quotes = view.quotes
        self.published = view.published

    def run(self, drafts: list[list[Draft]]) -> list[Draft]:
        """The document's events from its sentences' drafts (one list per sentence)."""
        self._implied_actors(drafts)
        self._reported_accusations(drafts)
        self._quoted_statements(drafts)
        self._similar_accusations(drafts)
        flat = [d for ds in drafts for d in ds if d.actor or self._unattributed(d)]
        flat = [d for d in (self._complete(d) for d in flat) if d is not None]
        flat = [e for d in flat for e in self._distribute(d)]
        for d in flat:
            self._date(d)
        return self._merge(flat)

    def _unattributed(self, d: Draft) -> bool:
        """An attack by attackers the text does not name as a party ("gunmen kidnapped three
        Chinese workers", or a passive with no agent: "two Russian instructors were
        killed"): an event of its named victims, with no actor."""
        return (d.type in self.lex.unattributed_types and (d.actor_named or d.passive) and bool(d.recipient)
                and d.status == "asserted")

    def _implied_actors(self, drafts: list[list[Draft]]) -> None:
        """An event noun without an actor continues the previous sentence's event
        ("Last year, Russian specialists carried out rescue operations. Here are some
        of them: the release of ..."; "... cooperation between the two countries.
        X highlighted the delivery of weapons for Burkinabe soldiers")."""
        for k, ds in enumerate(drafts):
            for d in ds:
                if d.actor or d.actor_named or d.type not in SYMMETRIC or d.trigger is None:
                    continue
                # "the close engagement between the two countries, particularly in military cooperation"
                same = [o for o in ds if o.type == d.type and o.actor and o is not d]
                if same:
                    d.actor, d.recipient, d.implied = list(same[0].actor), list(same[0].recipient), True
            if k == 0:
                continue
            before = [d for d in drafts[k - 1] if d.actor and d.status in ("asserted", "future")]
            if not before:
                continue
            for d in ds:
                if d.actor or d.actor_named or d.type not in IMPLIED or d.trigger is None or not d.trigger.is_noun:
                    continue
                if self._acting_subject(d.trigger):
                    continue  # "Russian personnel arrived, in what Moscow called training": the sentence's own
                rescue = [b for b in before if b.type == "AID" and b.mode == "rescue"]
                antecedent = rescue[-1] if rescue and d.mode == "release" else before[-1]
                if d.type in SYMMETRIC:
                    partners = [b for b in before if b.type in SYMMETRIC]
                    if not partners:
                        continue  # cooperation continues a cooperation, not one side's act
                    antecedent = partners[-1]
                actor = [p for p in antecedent.actor if p.name not in names_of(d.recipient)]
                focus = self.parties.focus
                if d.type in BENEFICIARY and len(actor) > 1 and focus is not None and focus.name in names_of(actor):
                    # "cooperation between Russia and Burkina Faso. ... the delivery of weapons": to Burkina Faso
                    actor = [p for p in actor if p.name != focus.name]
                    d.recipient = d.recipient or [focus]
                if not actor:
                    continue
                d.actor, d.implied = actor, True
                if antecedent.type == "AID" and antecedent.mode == "rescue" and d.mode == "release":
                    d.type, d.mode = "AID", "rescue"  # the rescuers released the hostages
                if not d.date and self._same_paragraph(k - 1, k):
                    d.date = antecedent.date or self._sentence_date(antecedent)

    def _acting_subject(self, trig: Trigger) -> bool:
        """Whether the sentence's main clause has a subject naming a party, other than the
        trigger's own phrase and other than a reporter ("X highlighted the delivery of ...")."""
        root = trig.token.sent.root
        if root.lemma_.lower() in self.lex.report_verbs or root.lemma_.lower() in self.lex.speech_verbs:
            return False
        for subj in children(root, SUBJECTS):
            if trig.token in subj.subtree:
                continue
            if self.parties.head_parties(with_conjuncts(subj))[0]:
                return True
        return False

    def _same_paragraph(self, a: int, b: int) -> bool:
        return self.paragraph[a] == self.paragraph[b]

    def _speaker(self, tok: Token) -> Party | None:
        """Who states the clause ``tok`` is in: the subject of a speech verb governing
        it ("X stated that ..."), else the speaker of the quote it is in."""
        cur = tok
        for _ in range(6):
            if cur.head == cur:
                break
            nxt = cur.head
            if cur.dep_ in ("ccomp", "conj", "xcomp", "advcl", "dobj", "relcl", "acl") and \
                    nxt.lemma_.lower() in self.lex.speech_verbs and cur.dep_ != "conj":
                subj = children(nxt, SUBJECTS)
                if subj:
                    found = self.parties.head_parties(with_conjuncts(subj[0]))[0]
                    return found[0] if found else None
            cur = nxt
        return self._quote_speaker(tok.idx)

    def _quote_speaker(self, char: int, direct_only: bool = False) -> Party | None:
        for start, end, speaker, direct in self.quotes:  # innermost first
            if start <= char < end and (direct or not direct_only):
                ent = self.parties.by_name.get(speaker)
                return self.parties.party(ent) if ent else Party(name=speaker)
        return None

    def _hostile(self, tok: Token) -> bool:
        """A terrorist or armed group receiving something ("trains terrorists", "support
        for armed groups"), not one acting or fought ("operations against terrorists")."""
        if tok.pos_ not in ("NOUN", "PROPN"):
            return False
        slot = tok
        while slot.dep_ in ("conj", "appos") and slot.head != slot:
            slot = slot.head
        if not (slot.dep_ in ("dobj", "dative") or slot.dep_ == "pobj" and slot.head.lower_ in ("to", "for")):
            return False
        lemma = tok.lemma_.lower()
        if lemma in self.lex.hostile_groups:
            return True
        mods = {c.lemma_.lower() for c in tok.children if c.dep_ in ("amod", "compound")}
        return any(f"{m} {lemma}" in self.lex.hostile_groups for m in mods)

    def _reported_accusations(self, drafts: list[list[Draft]]) -> None:
        """"X stated that France supports terrorists": X accuses France; the support
        itself is alleged, not asserted."""
        for ds in drafts:
            for d in ds:
                if d.type not in ALLEGED or d.trigger is None or not d.actor or d.status != "asserted":
                    continue
                clause = d.trigger.token
                while clause.pos_ not in ("VERB", "AUX") and clause.head != clause:
                    clause = clause.head
                scope = [clause, *clause.conjuncts] if clause.pos_ in ("VERB", "AUX") else [d.trigger.token]
                if not any(self._hostile(t) for c in scope for t in c.subtree):
                    continue
                speaker = self._speaker(d.trigger.token)
                if speaker is None or speaker.name in names_of(d.actor):
                    continue
                accused = [p for p in d.actor if p.name != speaker.name]
                d.type, d.mode, d.recipient, d.actor = "ACCUSE", "allege", accused, [speaker]
                quoted = self._quote_speaker(d.trigger.token.idx)
                d.statement = quoted is not None and quoted.name == speaker.name

    def _quoted_statements(self, drafts: list[list[Draft]]) -> None:
        """In an interview or statement, the speaker's claims about a party are his
        accusations or praise ("France is seeking to destabilize the region": the
        interviewee accuses France), when the classifier reads the sentence so."""
        if not self.scores:
            return
        for k, sent in enumerate(self.sents):
            scores = self.scores.get(k)
            if not scores or sent.text.rstrip().endswith("?"):
                continue
            root = sent.root
            claim = root
            if root.lemma_.lower() in self.lex.speech_verbs:
                # '"France is trying to ...," the minister said': the claim is the quoted clause
                claim = next((c for c in root.children if c.dep_ == "ccomp"), root)
            speaker = self._quote_speaker(claim.idx, direct_only=True)
            if speaker is None:
                continue
            best = max(STATEMENT_TYPES, key=lambda t: scores.get(t, 0.0))
            if scores.get(best, 0.0) < STATEMENT_MIN or scores.get(best, 0.0) < scores.get("NONE", 0.0):
                continue
            if any(d.type == best and d.actor and not d.from_classifier for d in drafts[k]):
                continue
            subj = children(claim, SUBJECTS)
            if not subj or claim.lemma_.lower() in self.lex.speech_verbs:
                continue
            about = self.parties.tokens_parties(with_conjuncts(subj[0]))  # "France is seeking to ..."
            if not about and subj[0].lemma_.lower() in self.lex.generic:
                about = self.parties.head_parties([subj[0]])[0]  # "the leadership of the CAR"
            speaker_country = speaker.country
            about = [p for p in about if p.name != speaker.name and (p.country != speaker_country or not p.country)]
            if not about:
                continue
            # the speaker's claim replaces the classifier's own reading of the sentence
            drafts[k][:] = [d for d in drafts[k] if not d.from_classifier]
            drafts[k].append(Draft(
                type=best, mode="allege" if best == "ACCUSE" else None, actor=[speaker], recipient=about,
                status="asserted", sent=sent, index=k, trigger=Trigger(claim, (claim,), [TriggerSense(best, None)]),
                statement=True,
            ))

    def _similar_accusations(self, drafts: list[list[Draft]]) -> None:
        """"similar accusations were voiced by X": against whom the last ones were."""
        last: Draft | None = None
        for ds in drafts:
            for d in ds:
                if d.type != "ACCUSE":
                    continue
                tok = d.trigger.token if d.trigger else None
                if (not d.recipient and last is not None and tok is not None and tok.pos_ == "NOUN"
                        and any(c.lower_ in ("similar", "same", "such") for c in tok.children)):
                    d.recipient = [p for p in last.recipient if p.name not in names_of(d.actor)]
                if d.recipient:
                    last = d

    def _complete(self, d: Draft) -> Draft | None:
        """Recipients the text implies, and events that need two parties."""
        focus = self.parties.focus
        if not d.recipient and d.clausal and (d.generic_actor and d.type in DOMESTIC_TARGETS or d.type == "PROTEST"):
            # a state's own affairs; a protest with no other target is against its state's
            # government ("teachers in Mali went on strike")
            d.recipient = [p for p in d.actor if self.parties.is_state(p)][:1]
            d.guessed = True
        if not d.recipient and not d.recipient_named and d.type in BENEFICIARY and len(d.actor) == 1:
            # where it happened ("signed in Bamako"), else the state the text is about
            place = self._clause_place(d)
            for candidate in (place, focus):
                if candidate is not None and candidate.name not in names_of(d.actor):
                    d.recipient, d.guessed = [candidate], True
                    break
        if d.type in SYMMETRIC and len(d.parties()) < 2 and d.mode not in ("third-party", "multilateral"):
            # (a mediator's or a summit host's partners may go unnamed)
            lone = self.parties.by_name.get(next(iter(d.parties())))
            if lone is None or lone.kind != "igo":
                return None  # cooperation or talks need a partner (an organisation's members are partners)
        return d

    def _clause_place(self, d: Draft) -> Party | None:
        """The state of the place the trigger's clause names ("... was signed in Bamako")."""
        if d.trigger is None:
            return None
        verb = d.trigger.token
        while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
            verb = verb.head
        for host in {d.trigger.token, verb}:
            for prep in children(host, {"prep"}):
                if prep.lower_ in ("in", "at"):
                    for o in children(prep, {"pobj"}):
                        p = self.parties.place_state(o)
                        if p is not None:
                            return p
        return None

    def _distribute(self, d: Draft) -> list[Draft]:
        """Coups in several states are several coups; embassies opened in two states
        (a plural event noun, several states receiving it) are two openings."""
        if d.type == "COERCE" and d.mode == "coup" and len(d.actor) > 1 and \
                all(self.parties.is_state(p) for p in d.actor):
            return [Draft(**{**d.__dict__, "actor": [p], "recipient": list(d.recipient)}) for p in d.actor]
        plural = d.trigger is not None and any(t.tag_ in ("NNS", "NNPS") for t in d.trigger.tokens)
        if plural and d.coordinated and len(d.recipient) > 1 and all(self.parties.is_state(p) for p in d.recipient):
            return [Draft(**{**d.__dict__, "recipient": [p]}) for p in d.recipient]
        return [d]

    # -- dates ---------------------------------------------------------------------------
    def _sentence_date(self, d: Draft) -> str | None:
        if d.trigger is None:
            return None
        return date_of(d.trigger, self.triggers[d.index], d.sent, self.expressions[d.index])

    def _date(self, d: Draft) -> None:
        if d.date:
            return
        if d.trigger is not None:
            exprs = self.expressions[d.index]
            if d.status == "future":
                exprs = find_time_expressions(d.sent.text, self.published, future=True)
            d.date = date_of(d.trigger, self.triggers[d.index], d.sent, exprs)
        if d.date:
            d.date_stated = True
            return
        if d.statement or (d.trigger is not None and d.status == "asserted" and present_tense(d.trigger.token)):
            d.date = self.published  # said, or going on, when published
        elif d.status == "asserted":
            d.date = self._context_date(d.index)

    @staticmethod
    def _text_start(sent: Span) -> int:
        """Where a sentence's words start ("— Russian ...": at "Russian")."""
        return sent.start_char + next((i for i, c in enumerate(sent.text) if c.isalnum()), 0)

    def _context_date(self, k: int) -> str | None:
        """The time a sentence without its own is set in: that of the nearest earlier
        sentence of its paragraph that has one; at the start of an interview answer,
        the time its question asks about ("What results did the past year bring? —
        Russian instructors conducted joint operations ...")."""
        j = k - 1
        while j >= 0 and self.paragraph[j] == self.paragraph[k]:
            found = [e.value for e in self.expressions[j] if e.dating and e.value]
            if found:
                return found[0]
            j -= 1
        first = self._text_start(self.sents[k])
        answer = next(((start, end) for start, end, _, direct in self.quotes if direct and start <= first < end), None)
        if answer is None:
            return None
        asked = [i for i, s in enumerate(self.sents)
                 if s.start_char + len(s.text.rstrip()) <= answer[0] and any(c.isalnum() for c in s.text)]
        if not asked or not self.sents[asked[-1]].text.rstrip().endswith("?"):
            return None
        question = [i for i in asked if self.paragraph[i] == self.paragraph[asked[-1]]]
        found = [e.value for i in question for e in self.expressions[i] if e.dating and e.value]
        return found[0] if found else None

    # -- merging -------------------------------------------------------------------------
    def _merge(self, drafts: list[Draft]) -> list[Draft]:
        """One event per occurrence: a sentence's repeated trigger, the same meeting,
        the same cooperation or the same coup told twice are merged, keeping the
        fullest party lists."""
        out: list[Draft] = []
        for d in drafts:
            target = next((o for o in out if self._same(o, d)), None)
            if target is None:
                out.append(d)
                continue
            if len(d.recipient) > len(target.recipient):
                target.recipient = d.recipient
            if d.type in SYMMETRIC:
                target.actor = union(target.actor, [p for p in d.actor if p.name not in names_of(target.recipient)])
            if d.date_stated and not target.date_stated:
                target.date, target.date_stated = d.date, True
            target.date = target.date or d.date
            target.location = target.location or d.location
            target.mode = target.mode or d.mode
            if target.status != "asserted" and d.status == "asserted":
                target.status = "asserted"
        return out

    @staticmethod
    def _same(a: Draft, b: Draft) -> bool:
        if a.type != b.type or a.status in ("negated", "hypothetical") or b.status in ("negated", "hypothetical"):
            return False
        actors_a, actors_b = names_of(a.actor), names_of(b.actor)
        if a.type == "CONSULT":  # host and visitor may swap between tellings
            pa, pb = frozenset(a.parties()), frozenset(b.parties())
            if a.index == b.index:
                return bool(pa & pb)
            return (pa <= pb or pb <= pa) and not (a.date_stated and b.date_stated and a.date != b.date)
        if a.type in ("COOPERATE", "AGREE") and not a.recipient and not b.recipient:
            return actors_a == actors_b and (a.index == b.index or len(actors_a) > 1)
        if a.type == "COERCE" and a.mode == b.mode == "coup":
            return actors_a == actors_b
        if a.index == b.index:
            if (a.mode or b.mode) and a.mode != b.mode and a.mode and b.mode:
                return False
            if a.trigger is not None and b.trigger is not None:
                ta, tb = a.trigger.token, b.trigger.token
                if ta.lemma_ == tb.lemma_ and ta.i != tb.i or tb in ta.conjuncts:
                    return False  # "the release of A; the release of B": a list of events
            recipients_ok = not a.recipient or not b.recipient or names_of(a.recipient) == names_of(b.recipient)
            return actors_a == actors_b and recipients_ok
        if a.recipient and b.recipient and not (a.guessed or b.guessed):
            return actors_a == actors_b and names_of(a.recipient) == names_of(b.recipient) and a.mode == b.mode \
                and not (a.date_stated and b.date_stated and a.date != b.date)
        return False
