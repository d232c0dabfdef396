"""Status (asserted, future, hypothetical, negated) and date of one event trigger.

Status comes from the trigger's clause: negation ("did not", "never", "stopped
short of"), conditions and modals ("if", "would"), questions, governors that
say the event has not happened ("the potential for cooperation", "the
prospects for talks"), and future cues ("will", "plans for"). A noun that is
the subject of an aspectual verb takes that verb's time ("the expansion of
cooperation will continue").

The date is the time expression of the sentence that belongs to the trigger
(the one nearest in the parse, not inside another event's phrase); without
one, a statement in the present tense is dated at publication.
"""
from __future__ import annotations

from spacy.tokens import Span, Token

from newsgraph.nlp.events_arguments import CLIMB
from newsgraph.nlp.events_lexicon import EventLexicon, TriggerSense
from newsgraph.nlp.events_triggers import Trigger
from newsgraph.temporal import TimeExpression

PRESENT_TAGS = {"VBZ", "VBP"}
PAST_TAGS = {"VBD"}


def status_of(trig: Trigger, sent: Span, lex: EventLexicon, sense: TriggerSense | None = None) -> str:
    tok = trig.token
    chain = [tok]
    cur = tok
    for _ in range(4):
        if cur.head == cur:
            break
        climbs = cur.dep_ in CLIMB | {"ROOT"}
        aspectual = cur.dep_ in ("nsubj", "nsubjpass") and (
            cur.head.lemma_.lower() in lex.aspectual_verbs or (sense is not None and sense.agentive))
        if not (climbs or aspectual):
            break
        cur = cur.head
        chain.append(cur)
    words = {c.lower_ for t in chain for c in t.children} | {t.lower_ for t in chain}
    lemmas = [t.lemma_.lower() for t in chain]
    if any(c.dep_ == "neg" for t in chain[:2] for c in t.children) or "never" in words:
        return "negated"
    if trig.is_noun and any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children):
        return "negated"  # "no talks took place"
    if any(lemma in lex.negating_governors for lemma in lemmas[1:]):
        return "negated"  # "stopped short of endorsing it"
    marks = {c.lower_ for t in chain for c in t.children if c.dep_ in ("mark", "aux")}
    conditional = sent[0].lower_ == "if" or "if" in marks
    reported = any(t.dep_ == "ccomp" and t.head.lemma_.lower() in lex.speech_verbs for t in chain)
    if marks & lex.hypothetical == {"would"} and reported and not conditional:
        return "future"  # "said the company would help Mali": the future of a past statement
    if marks & lex.hypothetical or conditional or sent.text.rstrip().endswith("?"):
        return "hypothetical"
    governors = lemmas[1:] + [c.lemma_.lower() for c in tok.children if c.dep_ == "amod"]
    if any(lemma in lex.hypothetical_governors for lemma in governors):
        return "hypothetical"  # "the potential for cooperation"
    if words & lex.future or any(_be_to(t) for t in chain[:-1]):
        return "future"
    return "asserted"


def _be_to(tok: Token) -> bool:
    """"Russian specialists are to help Mali": "be to" with an infinitive is planned."""
    if tok.dep_ != "xcomp" or tok.head.lemma_.lower() != "be" or tok.i < tok.head.i:
        return False
    to = next((c for c in tok.children if c.dep_ == "aux" and c.lower_ == "to"), None)
    # "to" right after the verb ("are to help", "is now to open"), not "was among the first to"
    return to is not None and all(w.pos_ in ("ADV", "PART") for w in tok.doc[tok.head.i + 1:to.i])


def clause_verb(tok: Token) -> Token | None:
    """The verb whose clause the trigger belongs to."""
    cur = tok
    for _ in range(6):
        if cur.pos_ in ("VERB", "AUX"):
            return cur
        if cur.head == cur:
            return None
        cur = cur.head
    return None


def present_tense(tok: Token) -> bool:
    """Whether the trigger's clause is in the present ("agrees", "are being held",
    "is ready to"), not the perfect or the past."""
    verb = clause_verb(tok)
    if verb is None:
        return False
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.lemma_.lower() == "have" or a.tag_ == "MD" for a in auxes):
        return False  # "has been conducting" says since when, "will" is the future
    tags = [verb.tag_] + [a.tag_ for a in auxes]
    return not any(t in PAST_TAGS for t in tags) and any(t in PRESENT_TAGS for t in tags)


def _tree_distance(a: Token, b: Token) -> int:
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    pos_b = {t.i: k for k, t in enumerate(up_b)}
    for k, t in enumerate(up_a):
        if t.i in pos_b:
            return k + pos_b[t.i]
    return 99


def _in_other_clause(expr: Token, trigger: Token) -> bool:
    """Whether a time expression sits in a relative or participial clause (or an
    apposition) that does not hold the trigger."""
    for a in [expr, *expr.ancestors]:
        if trigger == a or trigger in a.ancestors and a in trigger.ancestors:
            return False
        if a.dep_ in ("relcl", "acl", "appos") and trigger not in a.subtree:
            return True
    return False


def date_of(trig: Trigger, others: list[Trigger], sent: Span, expressions: list[TimeExpression]) -> str | None:
    """The value of the sentence's time expression that belongs to ``trig``: the nearest
    in the parse among those not inside another trigger's phrase (one that does not
    govern ``trig``)."""
    doc = sent.doc
    best: tuple[int, str] | None = None
    for e in expressions:
        if not (e.dating and e.value):
            continue
        span = doc.char_span(sent.start_char + e.start, sent.start_char + e.end, alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        if _in_other_clause(root, trig.token):
            continue  # "President Traoré, who took power in September 2022, has since expelled ..."
        owned = False
        for o in others:
            if o is trig or o.token == trig.token:
                continue
            if (root == o.token or o.token in root.ancestors) and not (o.token == trig.token or o.token in
                                                                      trig.token.ancestors):
                if not (trig.token == root or trig.token in root.ancestors):
                    owned = True
                    break
        if owned:
            continue
        d = _tree_distance(root, trig.token)
        if best is None or d < best[0]:
            best = (d, e.value)
    return best[1] if best else None
