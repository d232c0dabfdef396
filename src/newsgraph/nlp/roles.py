"""Roles: who holds which position, as the text states it (spec section 3).

A *title phrase* is built around a head noun from ``lexicons/titles.yaml``
("minister", "head", "founder", a rank): modifiers and portfolios to its left
("Deputy Foreign Minister"), complements to its right ("Minister of Defence",
"Head of the Officers Union ...", "Ambassador to Mali"). What the office is
*of* comes from the phrase itself when it says so: a nationality adjective
("Russian"), a possessive ("Burkina Faso's"), a named compound ("Wagner
founder") or an "of/at/for <entity>" complement. A phrase is linked to a
person by

- a name right after it: "Russian Foreign Minister Sergei Lavrov",
  "Burkina Faso's Defense Minister, Alain Simporé", "President Captain X";
- apposition after a name: "Alexander Ivanov, Head of ...", "X (Mali's ...)";
- a copula or appointment: "X is the head of Y", "X was appointed minister",
  "X, who serves as director of Y";
- a verb: "X, who heads Y", "Y, led by X" / "Y was founded by X";
- "his Nicaraguan counterpart, X": the title of the person referred to.

With no "of" in the text, an office of a state ("President", a rank) takes
the person's KB country, else the state the document states for that person
elsewhere, else the one state named in the sentence, else the state named
closest to the person's mentions, else the state the document names most.
Where one place states the "of" and another leaves it to the context, the
statement wins. Only sentences with a person mention and a title word are
looked at.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsgraph.kb import KnowledgeBase, name_key
from newsgraph.lexicons import load_lexicon
from newsgraph.pipeline import DocContext, stage
from newsgraph.record import Entity, Role, Span

_MAX_HEAD_TOKENS = 6
_CLOSERS = {",", ".", ")", ";", ":", "—", "–", "!", "?", "and", "who", "whose", "'s", "’s", "\n"}
_OPENERS = {",", "(", "—", "–"}
_COMPLEMENT_JOIN = {"and", "&"}
_PERSON, _PLACE_OR_ORG = "PERSON", ("ORG", "GPE", "LOC")
# spaCy entity types that are never part of a title ("on Friday General X").
_NOT_TITLE_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP", "EVENT", "LAW"}
_AMBIGUOUS_RANKS = {"general", "major", "marshal", "gen", "maj", "col", "lt", "capt"}


def _words(items) -> frozenset[str]:
    return frozenset(str(x).lower() for x in items)


@dataclass(frozen=True)
class _Lexicon:
    heads: frozenset[str]
    ranks: frozenset[str]
    honorifics: frozenset[str]
    modifiers: frozenset[str]
    portfolios: frozenset[str]
    to_heads: frozenset[str]
    state_words: frozenset[str]
    no_context: frozenset[str]
    counterparts: frozenset[str]
    active_verbs: dict
    passive_verbs: dict
    copulas: frozenset[str]
    country_nouns: frozenset[str]
    determiners: frozenset[str]
    multi_state_words: frozenset[str]
    triggers: frozenset[str]  # first words of heads, verbs: cheap sentence filter
    portfolio_words: frozenset[str]  # single words of portfolios
    emit_ranks: bool = True

    @classmethod
    def load(cls) -> "_Lexicon":
        lx = load_lexicon("titles")
        heads = _words(lx["heads"])
        ranks = _words(lx["ranks"])
        counterparts = _words(lx["counterparts"])
        active = {str(k).lower(): str(v) for k, v in lx["active_verbs"].items()}
        passive = {str(k).lower(): str(v) for k, v in lx["passive_verbs"].items()}
        portfolios = _words(lx["portfolios"])
        state_words = _words(lx["state_words"])
        triggers = {h.replace("-", " ").split()[0] for h in heads | ranks | counterparts}
        triggers |= set(passive) | {form for verb in active for form in (verb, verb + "s", verb + "es")}
        return cls(
            heads=heads, ranks=ranks, honorifics=_words(lx["honorifics"]), modifiers=_words(lx["modifiers"]),
            portfolios=portfolios, to_heads=_words(lx["to_heads"]), state_words=state_words,
            no_context=_words(lx["no_context_heads"]), counterparts=counterparts, active_verbs=active,
            passive_verbs=passive, copulas=_words(lx["copulas"]), country_nouns=_words(lx["country_nouns"]),
            determiners=_words(lx["determiners"]), multi_state_words=frozenset(w for w in state_words if " " in w),
            triggers=frozenset(triggers), portfolio_words=frozenset(w for p in portfolios for w in p.split()),
            emit_ranks=bool(lx.get("emit_ranks", True)),
        )


_LEX: _Lexicon | None = None


def lexicon() -> _Lexicon:
    global _LEX
    if _LEX is None:
        _LEX = _Lexicon.load()
    return _LEX


@dataclass
class _Title:
    """One title phrase in the token stream."""

    start: int  # first token of the phrase, determiners and possessives included
    end: int  # one past its last token
    head: int  # first token of the head noun
    head_end: int
    head_key: str  # the lexicon head ("minister", "captain", "counterpart")
    tokens: list[int] = field(default_factory=list)  # the tokens kept as the title
    of: Entity | None = None  # entity the phrase names
    of_state: str | None = None  # state named by a nationality adjective or "the country's"
    poss_person: Entity | None = None  # "Lavrov's counterpart"
    rank: bool = False
    counterpart: bool = False
    to_entities: list[Entity] = field(default_factory=list)  # "Ambassador to Mali": not the office's state
    det: str | None = None  # "his counterpart"


# How an office's "of" was found, most trusted first.
EXPLICIT, KB_COUNTRY, SENTENCE, NEAR_PERSON, DOCUMENT, UNKNOWN = 5, 4, 3, 2, 1, 0


@dataclass
class _Found:
    person: Entity
    title: str
    of: str | None
    head_key: str
    evidence: Span
    pos: int  # character offset of the title, for ordering and counterparts
    level: int  # EXPLICIT ... UNKNOWN
    rank: bool = False
    pending: str | None = None  # "state": an office of a state not named; "kb": only the KB may say
    sentence_states: list[str] = field(default_factory=list)


class _DocIndex:
    """Token-level view of the record's entities and the KB's states."""

    def __init__(self, ctx: DocContext, kb: KnowledgeBase, states: "_States") -> None:
        self.ctx = ctx
        self.doc: Doc = ctx.doc
        self.kb = kb
        self.states = states
        n = len(self.doc)
        self.ent: list[Entity | None] = [None] * n
        self.ent_start: list[int] = [-1] * n
        self.ent_end: list[int] = [-1] * n
        self.state_mentions: list[tuple[int, Entity]] = []  # (char start, state entity)
        for e in ctx.entities:
            is_state = e.kind == "state"
            for m in e.mentions:
                span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is None or len(span) == 0:
                    continue
                if is_state:
                    self.state_mentions.append((m.start, e))
                if any(self.ent[i] is not None for i in range(span.start, span.end)):
                    continue
                for i in range(span.start, span.end):
                    self.ent[i] = e
                    self.ent_start[i] = span.start
                    self.ent_end[i] = span.end
        self.state_mentions.sort(key=lambda x: x[0])
        counts = Counter(e.name for _, e in self.state_mentions)
        first = {}
        for pos, e in self.state_mentions:
            first.setdefault(e.name, pos)
        self.main_state = min(counts, key=lambda k: (-counts[k], first[k])) if counts else None

    def person_at(self, i: int) -> Entity | None:
        e = self.ent[i] if 0 <= i < len(self.ent) else None
        return e if e is not None and e.type == _PERSON else None

    def entity_at(self, i: int) -> Entity | None:
        return self.ent[i] if 0 <= i < len(self.ent) else None

    def state_before(self, char: int) -> str | None:
        """The state named last before ``char`` ("the country" refers back to it)."""
        best = None
        for pos, e in self.state_mentions:
            if pos >= char:
                break
            best = e.name
        return best or self.main_state

    def state_positions(self, sent: SpacySpan) -> list[tuple[int, str]]:
        return [(pos, e.name) for pos, e in self.state_mentions if sent.start_char <= pos < sent.end_char]

    def states_in(self, sent: SpacySpan) -> list[str]:
        names: list[str] = []
        for pos, e in self.state_mentions:
            if sent.start_char <= pos < sent.end_char and e.name not in names:
                names.append(e.name)
        return names


class _States:
    """Demonyms and ISO-3 codes of the KB's states."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.by_demonym: dict[str, list[str]] = {}
        self.by_iso3: dict[str, str] = {}
        self.max_len = 1
        for s in kb.states():
            if s.country and s.country not in self.by_iso3:
                self.by_iso3[s.country] = s.name
            for d in s.demonyms:
                key = name_key(d)
                names = self.by_demonym.setdefault(key, [])
                if s.name not in names:
                    names.append(s.name)
                self.max_len = max(self.max_len, len(key.split()))

    def demonym(self, words: str, doc_states: set[str]) -> str | None:
        names = self.by_demonym.get(name_key(words))
        if not names:
            return None
        if len(names) == 1:
            return names[0]
        named = [n for n in names if n in doc_states]  # "Congolese": the Congo the text names
        return named[0] if len(named) == 1 else None


_STATES: dict[int, _States] = {}


def _states_for(kb: KnowledgeBase) -> _States:
    key = id(kb)
    if key not in _STATES:
        _STATES[key] = _States(kb)
    return _STATES[key]


class RoleFinder:
    def __init__(self, ctx: DocContext, kb: KnowledgeBase) -> None:
        self.lx = lexicon()
        self.ctx = ctx
        self.doc = ctx.doc
        self.text = ctx.text
        self.kb = kb
        self.states = _states_for(kb)
        self.ix = _DocIndex(ctx, kb, self.states)
        self.doc_states = {e.name for _, e in self.ix.state_mentions}
        self.found: list[_Found] = []

    # -- title phrases ----------------------------------------------------
    def _match_head(self, i: int, end: int) -> tuple[int, str, bool] | None:
        """The longest lexicon head starting at token ``i``: (end, key, is_rank)."""
        doc, lx = self.doc, self.lx
        for n in range(min(_MAX_HEAD_TOKENS, end - i), 0, -1):
            span = doc[i : i + n]
            if any("\n" in t.text for t in span):
                continue
            key = " ".join(span.text.lower().split())
            if key in lx.heads or key in lx.counterparts:
                return i + n, key, False
            if key in lx.ranks:
                return i + n, key, True
        return None

    def _titles(self, sent: SpacySpan) -> list[_Title]:
        doc, lx, ix = self.doc, self.lx, self.ix
        out: list[_Title] = []
        i = sent.start
        while i < sent.end:
            tok = doc[i]
            if ix.entity_at(i) is not None or not self._is_trigger(tok):
                i += 1
                continue
            m = self._match_head(i, sent.end)
            if m is None:
                i += 1
                continue
            head_end, key, is_rank = m
            if any(ix.entity_at(j) is not None for j in range(i, head_end)):
                i += 1
                continue
            if doc[head_end - 1].pos_ in ("VERB", "AUX") or tok.pos_ in ("VERB", "AUX"):
                i = head_end
                continue
            if is_rank and not tok.text[:1].isupper() and (
                    key in _AMBIGUOUS_RANKS or i == sent.start
                    or doc[i - 1].lower_ not in lx.determiners and doc[i - 1].lower_ not in lx.modifiers):
                i = head_end  # "a former colonel" is a rank; "a major deal", "in general" are not
                continue
            # "Deputy" + "Foreign Minister": a modifier-head before a later head is a modifier.
            if head_end - i == 1 and key in lx.modifiers and self._head_follows(head_end, sent.end):
                i += 1
                continue
            floor = out[-1].head_end if out else sent.start  # "President Captain X": two titles
            title = self._expand(i, head_end, key, is_rank, sent, floor)
            out.append(title)
            i = head_end
        return out

    def _head_follows(self, j: int, end: int) -> bool:
        while j < end:
            low = self.doc[j].lower_
            if self.ix.entity_at(j) is not None:
                return False
            m = self._match_head(j, end)
            if m is not None and not (m[1] in self.lx.modifiers and m[0] - j == 1 and self._head_follows(m[0], end)):
                return not m[2] or self.doc[j].text[:1].isupper() and m[1] != "general"
            if low in self.lx.modifiers or low in self.lx.portfolio_words:
                j += 1
                continue
            return False
        return False

    def _expand(self, h: int, he: int, key: str, is_rank: bool, sent: SpacySpan, floor: int) -> _Title:
        doc, lx, ix = self.doc, self.lx, self.ix
        t = _Title(start=h, end=he, head=h, head_end=he, head_key=key, rank=is_rank,
                   counterpart=key in lx.counterparts)
        kept = list(range(h, he))
        # -- left: modifiers, portfolios, nationality, a named compound, a possessive, a determiner
        k = h - 1
        while k >= floor:
            tok = doc[k]
            low = tok.lower_
            ent = ix.entity_at(k)
            if low in ("'s", "’s", "'", "’") and tok.tag_ == "POS" or low in ("'s", "’s"):
                owner = ix.entity_at(k - 1)
                if owner is not None and owner.type == _PERSON:
                    t.poss_person = owner
                    k = ix.ent_start[k - 1] - 1
                elif owner is not None:
                    t.of = t.of or owner
                    k = ix.ent_start[k - 1] - 1
                elif k - 1 >= sent.start and doc[k - 1].lower_ in lx.country_nouns:
                    t.of_state = t.of_state or ix.state_before(doc[k - 1].idx)
                    k -= 2
                else:
                    break
                if k >= sent.start and doc[k].lower_ in lx.determiners:
                    t.det = doc[k].lower_
                    k -= 1
                break
            if ent is not None:
                if ent.type == _PERSON:
                    break
                if kept[0] < h and kept[0] == k + 1 and self._is_name_word(doc[kept[0]]):
                    while kept[0] < h and self._is_name_word(doc[kept[0]]):
                        kept.pop(0)  # "Moscow Institute director": a name NER did not find
                    break
                t.of = t.of or ent
                k = ix.ent_start[k] - 1
                continue
            dem = self._demonym_ending_at(k, floor)
            if dem is not None:
                name, n = dem
                t.of_state = t.of_state or name
                k -= n
                continue
            if low in lx.determiners:
                t.det = low
                k -= 1
                break
            then_dash = low == "-" and k - 1 >= sent.start and doc[k - 1].lower_ in ("then", "ex")  # "then-President"
            if low in lx.modifiers or low in lx.portfolio_words or then_dash:
                kept.insert(0, k)
                k -= 1
                continue
            # a capitalised compound: "Mines Minister" (but not a sentence-initial "Yesterday")
            if (tok.text[:1].isupper() and tok.pos_ in ("PROPN", "NOUN", "ADJ") and tok.ent_type_ not in _NOT_TITLE_ENTS
                    and tok.dep_ in ("compound", "amod", "nmod") and (k != sent.start or tok.pos_ == "PROPN")):
                kept.insert(0, k)
                k -= 1
                continue
            break
        t.start = k + 1
        if t.det in ("its", "their", "whose") and t.of is None and t.of_state is None:
            # "the Wagner Group left after the death of its founder X": the clause's subject,
            # else the named body before it
            t.of = self._clause_subject(doc[h])
            for x in range(t.start - 1 if t.of is None else -1, sent.start - 1, -1):
                ent = ix.entity_at(x)
                if ent is not None and ent.type != _PERSON:
                    t.of = ent
                    break
                if ent is not None:
                    break
            if t.of is None and t.start == sent.start and sent.start > 0:
                t.of = self._previous_subject(doc[sent.start - 1].sent)
        while kept and doc[kept[0]].lower_ in ("-",):
            kept.pop(0)
        # -- right: "of/for <portfolio>", "of/for/at <entity>", "to <place>", "from <state>"
        e = he
        for _ in range(4):
            if e >= sent.end:
                break
            low = doc[e].lower_
            j = e + 1
            while j < sent.end and doc[j].lower_ in ("the",):
                j += 1
            if j >= sent.end:
                break
            ent = ix.entity_at(j)
            if ent is not None and self._name_goes_on(ix.ent_end[j], sent.end):
                break  # "director of the Moscow Institute for ...": a name NER did not find
            if low in ("of", "for", "at") and ent is not None and ent.type != _PERSON and ix.ent_start[j] == j:
                if t.of is None or low == "of":
                    t.of = ent
                e = self._after_name(ix.ent_end[j], sent.end)
                if e < sent.end and doc[e].lower_ in ("'s", "’s"):  # "head of Niger's National Council ..."
                    nxt = ix.entity_at(e + 1)
                    if nxt is not None and nxt.type != _PERSON and ix.ent_start[e + 1] == e + 1:
                        t.of = nxt
                        e = self._after_name(ix.ent_end[e + 1], sent.end)
                    else:
                        e = self._portfolio_run(e + 1, sent.end, loose=True) or e
                    break
                continue
            if (low in ("of", "for") and ent is None and doc[j].lower_ in lx.country_nouns
                    and doc[j - 1].lower_ == "the"):  # "president of the country"
                t.of_state = t.of_state or ix.state_before(doc[j].idx)
                e = j + 1
                continue
            if low in ("of", "for") and ent is None and (dem := self._demonym_starting_at(j, sent.end)):
                # "head of the Russian delegation": of Russia, "head of delegation"
                words = self._portfolio_run(j + dem[1], sent.end, loose=True)
                if words:
                    t.of_state = t.of_state or dem[0]
                    kept.extend([e, *range(j + dem[1], words)])
                    e = words
                    continue
                break
            if low in ("of", "for") and ent is None:
                words = self._portfolio_run(j, sent.end)
                loose = self._portfolio_run(j, sent.end, loose=True)
                if loose and (not words or loose > words) and loose - j <= 4:
                    words = loose  # "general secretary of the ruling party"
                if words:
                    kept.extend(range(e, words))
                    e = words
                    continue
                break
            if low == "to" and ent is not None and ent.type in _PLACE_OR_ORG and ix.ent_start[j] == j and (
                    key in lx.to_heads or any(doc[x].lower_ in lx.to_heads for x in kept)):
                kept.extend(range(e, ix.ent_end[j]))
                t.to_entities.append(ent)
                e = ix.ent_end[j]
                continue
            if low == "from" and t.counterpart and ent is not None and ent.type in _PLACE_OR_ORG:
                t.of = t.of or ent
                e = ix.ent_end[j]
                continue
            break
        t.end = e
        t.tokens = sorted(set(kept))
        return t

    def _clause_subject(self, tok: Token) -> Entity | None:
        ix = self.ix
        while tok.head.i != tok.i:
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX"):
                for c in tok.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        ent = ix.entity_at(c.i)
                        if ent is None:
                            ent = next((ix.entity_at(p.i) for p in c.children if p.dep_ == "poss"), None)
                        return ent if ent is not None and ent.type != _PERSON else None
        return None

    def _previous_subject(self, prev: SpacySpan) -> Entity | None:
        """What a sentence-initial 'Its' refers to: the previous sentence's subject when it is
        named ("Mali's government announced ... Its spokesman"), else the organization it named last."""
        ix = self.ix
        for c in prev.root.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                ent = ix.entity_at(c.i)
                if ent is None:
                    ent = next((ix.entity_at(p.i) for p in c.children if p.dep_ == "poss"), None)
                if ent is not None and ent.type != _PERSON:
                    return ent
        for x in range(prev.end - 1, prev.start - 1, -1):
            ent = ix.entity_at(x)
            if ent is not None:
                return ent if ent.type == "ORG" else None
        return None

    def _after_name(self, j: int, end: int) -> int:
        """Past an acronym in parentheses after a name: "... Homeland (CNSP)"."""
        doc = self.doc
        if j + 2 < end and doc[j].text == "(" and doc[j + 2].text == ")" and doc[j + 1].text.isupper():
            return j + 3
        return j

    def _is_name_word(self, tok: Token) -> bool:
        low = tok.lower_
        return tok.text[:1].isupper() and low not in self.lx.modifiers and low not in self.lx.portfolio_words

    def _name_goes_on(self, j: int, end: int) -> bool:
        """Does a proper name continue past an entity mention ("Sahel" + "Rights Observatory")?"""
        if j >= end:
            return False
        tok = self.doc[j]
        return (tok.text[:1].isupper() and tok.is_alpha and self.doc[j - 1].whitespace_ != ""
                and self.ix.entity_at(j) is None and self._match_head(j, end) is None)

    def _demonym_starting_at(self, j: int, end: int) -> tuple[str, int] | None:
        for n in range(min(self.states.max_len, end - j), 0, -1):
            span = self.doc[j : j + n]
            if span[0].text[:1].isupper() and self.ix.entity_at(j) is None:
                name = self.states.demonym(span.text, self.doc_states)
                if name is not None:
                    return name, n
        return None

    def _portfolio_run(self, j: int, end: int, loose: bool = False) -> int | None:
        """End of "Defence", "Foreign Affairs and Cooperation", "the General Staff" after "of"
        (``loose``: any noun, as in "of the Russian delegation")."""
        doc, lx, ix = self.doc, self.lx, self.ix
        last_word = None
        k = j
        while k < end:
            tok = doc[k]
            low = tok.lower_
            if ix.entity_at(k) is not None or "\n" in tok.text:
                break
            if low in _COMPLEMENT_JOIN and last_word is not None:
                k += 1
                continue
            if (low in lx.portfolio_words or loose and tok.is_alpha and (
                    tok.pos_ in ("NOUN", "PROPN", "ADJ") or tok.tag_ in ("VBG", "VBN") and tok.dep_ == "amod")
                    or tok.text[:1].isupper() and tok.is_alpha and low not in lx.determiners
                    and self._match_head(k, end) is None and self._demonym_starting_at(k, end) is None):
                last_word = k
                k += 1
                continue
            break
        return last_word + 1 if last_word is not None else None

    def _demonym_ending_at(self, k: int, floor: int) -> tuple[str, int] | None:
        doc = self.doc
        for n in range(min(self.states.max_len, k - floor + 1), 0, -1):
            span = doc[k - n + 1 : k + 1]
            if not span[0].text[:1].isupper():
                continue
            name = self.states.demonym(span.text, self.doc_states)
            if name is not None:
                return name, n
        return None

    # -- linking titles to people ----------------------------------------
    def _skip_to_person(self, j: int, sent: SpacySpan, titles_at: dict[int, _Title],
                        depth: int = 0) -> tuple[Entity, int, bool] | None:
        """The person a title ending before token ``j`` introduces: (person, first token, via comma)."""
        doc, lx, ix = self.doc, self.lx, self.ix
        comma = False
        if j < sent.end and doc[j].text in (",", "—", "–"):
            comma = True
            j += 1
        while j < sent.end and doc[j].lower_ in lx.honorifics:
            j += 1
        if j >= sent.end:
            return None
        person = ix.person_at(j)
        if person is not None and ix.ent_start[j] == j:
            return person, j, comma
        nxt = titles_at.get(j)
        if nxt is not None and depth < 3 and not doc[j].lower_ in ("and", "or"):
            found = self._skip_to_person(nxt.end, sent, titles_at, depth + 1)
            if found is not None:
                return found  # the comma that counts is the one before the name
        return None

    def _closes(self, j: int, sent: SpacySpan) -> bool:
        """Does the phrase before ``j`` end an apposition here?"""
        if j >= sent.end:
            return True
        tok = self.doc[j]
        return tok.lower_ in _CLOSERS or tok.is_space or tok.is_punct and tok.text not in ("-",)

    def _person_before(self, t: _Title, sent: SpacySpan) -> Entity | None:
        """'X, <title>' or 'X (<title>)': the person the apposition describes."""
        doc, ix = self.doc, self.ix
        s = t.start
        if s - 2 < sent.start or doc[s - 1].text not in _OPENERS:
            return None
        person = ix.person_at(s - 2)
        if person is None or ix.ent_end[s - 2] != s - 1:
            return None
        if doc[s - 1].text == "(":
            return person if t.end < sent.end and doc[t.end].text == ")" else None
        head = doc[t.head_end - 1]
        if self._closes(t.end, sent) or head.dep_ == "appos":
            return person
        return None

    def _person_by_appos(self, t: _Title, sent: SpacySpan) -> Entity | None:
        """'Commander of the Wagner forces in Mali, Ivan Maslov, ...': the parser's apposition,
        where the name stands between commas (or ends the sentence) right after the title's phrase."""
        doc, ix = self.doc, self.ix
        head = self._syntactic_head(t)
        for tok in doc[t.end : sent.end]:
            if tok.dep_ != "appos" or ix.person_at(tok.i) is None:
                continue
            if tok.head.i != head.i and head not in tok.head.ancestors:
                continue
            first, end = ix.ent_start[tok.i], ix.ent_end[tok.i]
            if first <= t.end or doc[first - 1].text != ",":
                continue
            between = doc[t.end : first - 1]
            if any(ix.person_at(x.i) is not None or x.pos_ in ("VERB", "AUX") and x.dep_ not in ("amod", "compound")
                   or x.text in (",", ";") for x in between):
                continue
            if self._closes(end, sent):
                return ix.person_at(tok.i)
        return None

    def _person_by_copula(self, t: _Title) -> Entity | None:
        """'X is the head of Y', 'X was appointed defence minister', 'X, who serves as ...'."""
        doc, lx, ix = self.doc, self.lx, self.ix
        head = self._syntactic_head(t)
        if head.dep_ in ("attr", "oprd"):
            verb = head.head
        elif head.dep_ == "pobj" and head.head.lower_ == "as":
            verb = head.head.head
        else:
            return None
        if verb.lemma_.lower() not in lx.copulas or any(c.dep_ == "neg" for c in verb.children):
            return None
        if verb.lemma_.lower() in ("appoint", "name", "elect", "nominate", "install", "designate", "choose", "make",
                                   "reappoint", "promote", "confirm"):
            for c in verb.children:
                if c.dep_ == "dobj" and ix.person_at(c.i) is not None:
                    return ix.person_at(c.i)
        return self._subject_person(verb)

    def _subject_person(self, verb: Token) -> Entity | None:
        ix = self.ix
        for c in verb.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                if ix.person_at(c.i) is not None:
                    return ix.person_at(c.i)
                appos = [a for a in c.children if a.dep_ == "appos" and ix.person_at(a.i) is not None]
                if appos:  # "The president's son, X, is vice president"
                    return ix.person_at(appos[0].i)
                if c.lower_ in ("who", "that") and verb.dep_ == "relcl":
                    return ix.person_at(verb.head.i)
        if verb.dep_ in ("relcl", "acl") and ix.person_at(verb.head.i) is not None and verb.tag_ in ("VBN", "VBG"):
            return ix.person_at(verb.head.i)  # "X, appointed defence minister in May"
        return None

    def _syntactic_head(self, t: _Title) -> Token:
        span = self.doc[t.head : t.head_end]
        for tok in span:
            if not (t.head <= tok.head.i < t.head_end) or tok.head.i == tok.i:
                return tok
        return span[-1]

    # -- of -----------------------------------------------------------------
    def _of(self, t: _Title, title_text: str) -> tuple[str | None, str | None]:
        """(of as the phrase states it, else what to resolve later: "state", "kb" or None)."""
        if t.of is not None:
            return t.of.name, None
        if t.of_state is not None:
            return t.of_state, None
        if t.poss_person is not None:  # "Putin's spokesman": offices are of bodies and states
            return self._person_state(t.poss_person), None
        words = set(name_key(title_text).split())
        key_words = f" {name_key(title_text)} "
        if t.head_key in self.lx.no_context or words & self.lx.no_context:
            return None, "kb"
        if t.rank or words & self.lx.state_words or any(f" {w} " in key_words for w in self.lx.multi_state_words):
            return None, "state"
        return None, None

    def _person_state(self, person: Entity) -> str | None:
        if person.country:
            return self.states.by_iso3.get(person.country)
        return None

    def _resolve_pending(self) -> None:
        """An office of a state the phrase does not name: the person's KB country, else the
        state the document gives that person elsewhere, else the one state named in the
        sentence, else the state the document names most."""
        state_names = set(self.states.by_iso3.values())
        home: dict[str, Counter] = {}
        for f in self.found:
            if f.level == EXPLICIT and f.of in state_names:
                home.setdefault(f.person.name, Counter())[f.of] += 1
        for f in self.found:
            if f.pending is None:
                continue
            own = self._person_state(f.person)
            stated = home.get(f.person.name)
            if own:
                f.of, f.level = own, KB_COUNTRY
            elif stated:
                f.of, f.level = stated.most_common(1)[0][0], KB_COUNTRY
            elif f.pending == "kb":
                f.of, f.level = None, UNKNOWN
            elif len(f.sentence_states) == 1:
                f.of, f.level = f.sentence_states[0], SENTENCE
            elif near := self._states_near(f.person):
                f.of, f.level = near, NEAR_PERSON
            elif self.ix.main_state:
                f.of, f.level = self.ix.main_state, DOCUMENT
            else:
                f.of, f.level = None, UNKNOWN

    def _states_near(self, person: Entity) -> str | None:
        """The state named closest to the person's mentions, sentence by sentence, most often."""
        votes: Counter = Counter()
        for m in person.mentions:
            tok = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            if tok is None or len(tok) == 0:
                continue
            sent = tok[0].sent
            near = [(abs(pos - m.start), name) for pos, name in self.ix.state_positions(sent)]
            if near:
                votes[min(near)[1]] += 1
        if not votes:
            return None
        top = votes.most_common(2)
        return top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else None

    # -- assembling ----------------------------------------------------------
    def _title_text(self, t: _Title) -> str:
        doc = self.doc
        toks = [doc[i] for i in t.tokens]
        text = "".join(tok.text_with_ws for tok in toks).strip()
        return text.strip(" ,;:-–—")

    def _evidence(self, sent: SpacySpan) -> Span:
        start, end = sent.start_char, sent.end_char
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Span(start=start, end=end, text=self.text[start:end])

    def _add(self, person: Entity, title: str, of: str | None, head_key: str, sent: SpacySpan, pos: int,
             level: int = EXPLICIT, rank: bool = False, pending: str | None = None,
             exclude: frozenset[str] = frozenset()) -> None:
        if not title or of == person.name or rank and not self.lx.emit_ranks:
            return
        states = [x for x in self.ix.states_in(sent) if x not in exclude] if pending else []
        self.found.append(_Found(person, title, of, head_key, self._evidence(sent), pos,
                                 level if of is not None else UNKNOWN, rank, pending, states))

    def _is_trigger(self, tok: Token) -> bool:
        return tok.lower_ in self.lx.triggers or tok.lower_.split("-")[0] in self.lx.triggers

    def run(self) -> list[Role]:
        doc, ix = self.doc, self.ix
        for sent in doc.sents:
            if not any(ix.person_at(i) is not None for i in range(sent.start, sent.end)):
                continue
            if not any(self._is_trigger(tok) for tok in sent):
                continue
            self._sentence(sent)
        return self._roles()

    def _sentence(self, sent: SpacySpan) -> None:
        doc = self.doc
        titles = self._titles(sent)
        titles_at = {t.start: t for t in titles}
        counterparts: list[tuple[_Title, Entity]] = []
        described: dict[int, Entity] = {}  # end of a title phrase that describes a person named before it
        for t in titles:
            person = None
            found = self._skip_to_person(t.end, sent, titles_at)
            if found is not None:
                person, first, comma = found
                end = self.ix.ent_end[first]
                if comma and not (self._closes(end, sent) or t.start == sent.start
                                  or doc[first].head.dep_ == "appos" or doc[end - 1].dep_ == "appos"):
                    person = None
                if comma and t.rank and len(t.tokens) == 1:
                    person = None  # "In general, X said": a bare rank does not stand apart from its name
            if person is None:
                person = self._person_before(t, sent) or self._person_by_copula(t)
                if person is None and t.start >= sent.start + 1 and doc[t.start - 1].lower_ == "and":
                    person = described.get(t.start - 1)  # "X, Nigeria's president and ECOWAS chairman"
                if person is not None:
                    described[t.end] = person
                else:
                    person = self._person_by_appos(t, sent)
            if person is None:
                continue
            person = self._by_office(person, t)
            if t.counterpart:
                counterparts.append((t, person))
                continue
            title = self._title_text(t)
            of, pending = self._of(t, title)
            self._add(person, title, of, t.head_key, sent, doc[t.head].idx, EXPLICIT, t.rank, pending,
                      frozenset(e.name for e in t.to_entities))
        self._verbs(sent)
        for t, person in counterparts:
            self._counterpart(t, person, sent)

    def _by_office(self, person: Entity, t: _Title) -> Entity:
        """'President Traore' in a text naming two Traorés: the one the KB gives that office."""
        def holds(e: Entity) -> bool | None:
            entry = self.kb.get(e.id) if e.id else None
            if entry is None or not entry.offices:
                return None
            return any(f" {t.head_key} " in f" {name_key(o.title)} " for o in entry.offices)

        if t.rank or t.counterpart or holds(person) is not False:
            return person
        surnames = {name_key(a).split()[-1] for a in person.aliases if len(a.split()) == 1}
        others = [e for e in self.ctx.entities if e.type == _PERSON and e is not person and holds(e)
                  and name_key(e.name).split()[-1] in surnames]
        return others[0] if len(others) == 1 else person

    def _counterpart(self, t: _Title, person: Entity, sent: SpacySpan) -> None:
        """'his Nicaraguan counterpart, X': X holds the same office of another state."""
        pos = self.doc[t.head].idx
        ref_person = t.poss_person or self._referent(t, person, sent)
        ref: tuple[str, str | None, str] | None = None
        for f in reversed(self.found):
            if f.rank or f.person.name == person.name or f.pos > pos:
                continue
            if ref_person is not None and f.person.name != ref_person.name:
                continue
            ref = (f.title, f.of or self._person_state(f.person), f.head_key)
            break
        if ref is None and ref_person is not None:
            ref = self._kb_office(ref_person)
        if ref is None:
            return
        title, ref_of, head_key = ref
        level = EXPLICIT
        if t.of is not None:
            of = t.of.name
        elif t.of_state is not None:
            of = t.of_state
        else:
            of, level = self._person_state(person), KB_COUNTRY
            if of is None:
                others = [s for s in self.ix.states_in(sent) if s != ref_of]
                of, level = (others[0], SENTENCE) if len(others) == 1 else (None, UNKNOWN)
        if of is not None and of == ref_of:
            return
        self._add(person, title, of, head_key, sent, pos, level)

    def _referent(self, t: _Title, person: Entity, sent: SpacySpan) -> Entity | None:
        """Whom 'his'/'her' in 'his counterpart' refers to: the clause's subject, else the person named last."""
        doc, ix = self.doc, self.ix
        tok = doc[t.head]
        while tok.head.i != tok.i:
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX"):
                for c in tok.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        p = ix.person_at(c.i)
                        if p is not None and p.name != person.name:
                            return p
        for i in range(t.start - 1, sent.start - 1, -1):
            p = ix.person_at(i)
            if p is not None and p.name != person.name:
                return p
        return None

    def _kb_office(self, person: Entity) -> tuple[str, str | None, str] | None:
        """The office the KB says ``person`` held when the document was published."""
        entry = self.kb.get(person.id) if person.id else None
        if entry is None or not entry.offices:
            return None
        day = _as_date(self.ctx.meta.published if self.ctx.meta else None)
        offices = [o for o in entry.offices if (o.holds_on(day) if day else o.end is None)]
        if not offices:
            return None
        office = offices[0]
        m = self._match_head_text(office.title)
        of_entry = self.kb.resolve(office.of)
        return office.title, of_entry.name if of_entry else office.of, m or name_key(office.title).split()[-1]

    def _match_head_text(self, title: str) -> str | None:
        words = name_key(title).split()
        for n in range(len(words), 0, -1):
            for i in range(len(words) - n + 1):
                key = " ".join(words[i : i + n])
                if key in self.lx.heads and key not in self.lx.modifiers:
                    return key
        return None

    def _verbs(self, sent: SpacySpan) -> None:
        """'X, who heads Y', 'X leads Y'; 'Y, led by X', 'the country was led by X'."""
        doc, lx, ix = self.doc, self.lx, self.ix
        for tok in sent:
            low = tok.lower_
            if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in lx.active_verbs and tok.tag_ != "VBN":
                if any(c.dep_ == "neg" for c in tok.children):
                    continue
                obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
                person = self._subject_person(tok)
                if obj is None or person is None:
                    continue
                target = self._thing(obj)
                if target is not None:
                    self._add(person, lx.active_verbs[tok.lemma_.lower()], target, lx.active_verbs[tok.lemma_.lower()],
                              sent, tok.idx)
            elif low in lx.passive_verbs and tok.tag_ == "VBN":
                j = tok.i + 1
                if j >= sent.end or doc[j].lower_ != "by":
                    continue
                j += 1
                while j < sent.end and (doc[j].lower_ in lx.honorifics or self._match_head(j, sent.end)):
                    m = self._match_head(j, sent.end)
                    j = m[0] if m else j + 1
                person = ix.person_at(j) if j < sent.end else None
                if person is None:
                    continue
                target = None
                if tok.dep_ == "acl":
                    target = self._thing(tok.head)
                if target is None:
                    subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
                    if subj is not None:
                        target = self._thing(subj)
                if target is None:  # "the Wagner Group, led by X": the entity right before
                    k = tok.i - 1
                    if k >= sent.start and doc[k].text == ",":
                        k -= 1
                    ent = ix.entity_at(k)
                    if ent is not None and ent.type in _PLACE_OR_ORG:
                        target = ent.name
                if target is not None:
                    title = lx.passive_verbs[low]
                    self._add(person, title, target, title, sent, tok.idx)

    def _thing(self, tok: Token) -> str | None:
        """The organization or state a noun stands for: a named entity, or 'the country'."""
        ent = self.ix.entity_at(tok.i)
        if ent is not None and ent.type in _PLACE_OR_ORG:
            return ent.name
        if tok.lower_ in self.lx.country_nouns and any(c.lower_ == "the" for c in tok.children):
            return self.ix.state_before(tok.idx)
        return None

    def _roles(self) -> list[Role]:
        """One role per person, office and "of": where the text says what the office is of in
        one place and leaves it to the context in another, the statement wins; the fullest
        title is kept, with the sentence that states it."""
        self._resolve_pending()
        found = sorted(self.found, key=lambda f: f.pos)
        best: dict[tuple[str, str], int] = {}
        for f in found:
            k = (f.person.name, f.head_key)
            best[k] = max(best.get(k, UNKNOWN), f.level)
        kept: dict[tuple[str, str | None, str], _Found] = {}
        order: list[tuple[str, str | None, str]] = []
        for f in found:
            if f.level < best[(f.person.name, f.head_key)]:
                continue
            key = (f.person.name, f.of, f.head_key)
            old = kept.get(key)
            if old is None:
                kept[key] = f
                order.append(key)
            elif len(f.title.split()) > len(old.title.split()):
                kept[key] = f
        return [Role(person=kept[k].person.name, title=kept[k].title, of=kept[k].of, evidence=kept[k].evidence)
                for k in order]


def _as_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    try:
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def signature_roles(ctx: DocContext) -> list[Role]:
    """A signature block: a line with a name, the next with the office
    ("Alexander Ivanov,\nHead of the Officers Union for International Security")."""
    paragraphs = ctx.cleaned.paragraphs[-6:] if ctx.cleaned else []
    spans = [(m.start, m.end, e) for e in ctx.entities for m in e.mentions]
    heads = lexicon().heads
    out: list[Role] = []
    for name_p, title_p in zip(paragraphs, paragraphs[1:]):
        person = next((e for s, t, e in spans if e.type == _PERSON and s == name_p.start
                       and name_p.text[t - s:].strip(" ,") == ""), None)
        first = title_p.text.split(" ", 1)[0].lower()
        if person is None or first not in heads or len(title_p.text) > 150:
            continue
        title, sep, _ = title_p.text.partition(" of ")
        of = next((e for s, t, e in spans if sep and s >= title_p.start + len(title) and t <= title_p.end
                   and e.type in ("ORG", "GPE")), None)
        text = ctx.text[name_p.start:title_p.end]
        out.append(Role(person=person.name, title=title.strip(), of=of.name if of else None,
                        evidence=Span(start=name_p.start, end=title_p.end, text=text)))
    return out


def find_roles(ctx: DocContext, kb: KnowledgeBase) -> list[Role]:
    if ctx.doc is None or not any(e.type == _PERSON for e in ctx.entities):
        return []
    roles = RoleFinder(ctx, kb).run()
    seen = {(r.person, r.title.lower(), r.of) for r in roles}
    return roles + [r for r in signature_roles(ctx) if (r.person, r.title.lower(), r.of) not in seen]


@stage("roles")
def _roles(ex, ctx: DocContext) -> None:
    ctx.extra["roles"] = find_roles(ctx, ex.kb)
