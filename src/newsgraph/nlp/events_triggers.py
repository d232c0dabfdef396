"""Event triggers in a parsed sentence, from the lexicon of ``events_lexicon``.

Phrases are found first, longest first: contiguous lemmas (hyphens ignored),
then words linked in the parse ("embassies were opened": "open embassy";
"the closing of the borders": "close border"). Every other verb, noun or
adjective whose lemma is a trigger is a single-word trigger. Senses whose
part-of-speech or dependency conditions fail are dropped.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Span, Token

from newsgraph.nlp.events_lexicon import EventLexicon, TriggerSense

CONTENT_POS = ("VERB", "NOUN", "ADJ", "PROPN")
NAME_LABELS = {"ORG", "GPE", "PERSON", "LOC", "FAC"}  # "Alliance of Sahel States" is a name, not an alliance
HYPHENS = {"-", "–", "—", "‐"}


@dataclass
class Trigger:
    token: Token                 # the syntactic head of the trigger
    tokens: tuple[Token, ...]    # all its words
    senses: list[TriggerSense]

    @property
    def is_noun(self) -> bool:
        return self.token.pos_ in ("NOUN", "PROPN")


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _stems(tok: Token) -> tuple[str, ...]:
    """Verb stems of an -ing nominalisation ("the closing of the borders": close)."""
    low = tok.lower_
    if tok.pos_ != "NOUN" or not low.endswith("ing") or len(low) < 6:
        return ()
    stem = low[:-3]
    out = [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        out.append(stem[:-1])  # "the cutting of ties": cut
    return tuple(out)


def _linked(a: Token, b: Token) -> bool:
    """Directly linked in the parse, or ``b`` the object of a preposition on ``a``
    ("closing of the border"), where ``a`` comes first in the phrase."""
    if a.head == b or b.head == a:
        return True
    return b.head.head == a and b.head.pos_ in ("ADP", "PART")


def _connected(tokens: tuple[Token, ...]) -> bool:
    """Whether the phrase words (in phrase order) form one piece of the parse."""
    seen = {0}
    frontier = [0]
    while frontier:
        i = frontier.pop()
        for j, t in enumerate(tokens):
            if j not in seen and (_linked(tokens[i], t) if i < j else _linked(t, tokens[i])):
                seen.add(j)
                frontier.append(j)
    return len(seen) == len(tokens)


def _head_of(tokens: tuple[Token, ...]) -> Token:
    """The phrase word the others depend on (else its first verb or noun)."""
    members = set(t.i for t in tokens)
    for t in tokens:
        if all(t.i == o.i or t in o.ancestors for o in tokens):
            return t
    outside = [t for t in tokens if t.head.i not in members or t.head == t]
    for t in outside or tokens:
        if t.pos_ in ("VERB", "NOUN"):
            return t
    return (outside or list(tokens))[0]


def _fits(sense: TriggerSense, head: Token) -> bool:
    if sense.pos and head.pos_ not in sense.pos:
        return False
    if sense.not_with and any(c.dep_ in sense.not_with for c in head.children):
        return False
    if sense.not_under and head.head.lemma_.lower() in sense.not_under:
        return False
    if sense.needs and not any(c.lower_ in sense.needs or c.dep_ in sense.needs for c in head.children):
        return False
    if sense.as_subject and not subject_like(head):
        return False
    return True


COUNTS = {"thousand", "hundred", "dozen", "scores", "score", "million", "group", "number", "crowd", "hundreds",
          "thousands", "dozens", "millions"}


def subject_like(tok: Token) -> bool:
    """Whether a noun is its clause's subject, or counted in it ("thousands of demonstrators")."""
    if tok.dep_ in ("nsubj", "nsubjpass"):
        return True
    return (tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.dep_ in ("nsubj", "nsubjpass")
            and (tok.head.head.lemma_.lower() in COUNTS or tok.head.head.lower_ in COUNTS
                 or tok.head.head.pos_ == "NUM"))


def find_triggers(sent: Span, lex: EventLexicon, in_name: Callable[[Token], bool] | None = None) -> list[Trigger]:
    """The triggers of a sentence; ``in_name`` says which tokens belong to a name
    ("the Alliance of Sahel States" holds no alliance trigger)."""
    words = [t for t in sent if not (t.is_punct and t.text in HYPHENS) and not t.is_space
             and not (t.pos_ == "PROPN" and t.ent_type_ in NAME_LABELS) and not (in_name and in_name(t))]
    keys = [_lemma(t) for t in words]
    lowers = [t.lower_ for t in words]
    used: set[int] = set()
    found: list[Trigger] = []

    def take(tokens: tuple[Token, ...], senses: list[TriggerSense]) -> None:
        head = _head_of(tokens) if len(tokens) > 1 else tokens[0]
        ok = [s for s in senses if _fits(s, head)]
        if ok:
            found.append(Trigger(head, tokens, ok))
            used.update(t.i for t in tokens)

    # contiguous phrases, longest first
    for n in (5, 4, 3, 2):
        for i in range(len(words) - n + 1):
            span = tuple(words[i:i + n])
            if any(t.i in used for t in span):
                continue
            for key in (tuple(keys[i:i + n]), tuple(lowers[i:i + n])):
                if key in lex.phrases:
                    take(span, lex.phrases[key])
                    break
    # phrases whose words are linked in the parse
    forms = [{k, low, *_stems(t)} for t, k, low in zip(words, keys, lowers)]
    present = set().union(*forms) if forms else set()
    by_word = lex.phrases_by_word
    candidates = {p for w in present for p in by_word.get(w, ()) if set(p) <= present and len(p) <= 3}
    for phrase in sorted(candidates, key=len, reverse=True):
        options = [[t for t, f in zip(words, forms) if w in f and t.i not in used] for w in phrase]
        for combo in itertools.product(*options):
            if len({t.i for t in combo}) < len(combo) or any(t.i in used for t in combo):
                continue
            if any(t.pos_ == "ADJ" and t.dep_ != "amod" for t in combo):
                continue  # "close to the border" is no closing
            if not any(t.pos_ in ("VERB", "NOUN") for t in combo) or not _connected(combo):
                continue
            take(combo, lex.phrases[phrase])
    # single words
    for tok, lemma in zip(words, keys):
        if tok.i in used or tok.pos_ not in CONTENT_POS + ("ADV",):
            continue
        if tok.pos_ == "PROPN" and tok.i > sent.start:
            continue  # capitalised inside a sentence: part of a name ("Sahel States Alliance")
        senses = lex.single.get(lemma) or lex.single.get(tok.lower_)
        if senses and tok.pos_ == "ADV":
            senses = [s for s in senses if "ADV" in s.pos]  # "jointly", not "back"
        if senses:
            take((tok,), senses)
    found.sort(key=lambda t: t.token.i)
    return found
