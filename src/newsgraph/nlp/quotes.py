"""Quotes: who said what (spec section 5).

Four sources of quotes, each resolved to a canonical entity of the document:

- direct quotes in quotation marks ("...", “...”, «...», British ‘...’), joined
  across an attribution that splits them (“We are ready,” he said, “to help.”)
  and across paragraphs (an unclosed quote continued by a paragraph that opens
  with a quotation mark). A quoted phrase of one to three words that no speech
  verb governs is a scare quote, not a quote (the “African Che Guevara”);
- reported speech: the clause of a speech verb ("X said (that) ...",
  "X accused Paris of ...", "X described the talks as ...", "according to X, ...");
- question-and-answer interviews: each answer (its paragraphs up to the next
  question) is one quote by the interviewee;
- a signed first-person statement: its body is one quote by the signatory.

Speakers: the subject of the speech verb when it is an entity mention; a
pronoun or a description ("the minister", "the ministry") stands for the
nearest fitting entity named before it; "I"/"we" inside a statement or an
answer stand for its signatory or interviewee. A quote with no speaker is
dropped rather than guessed.

Only the text around quotation marks and speech-verb forms (found with one
regular expression over the text) is looked at in the parse.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from newsgraph.kb import name_key
from newsgraph.lexicons import load_lexicon
from newsgraph.pipeline import DocContext, stage
from newsgraph.record import Entity, Quote

LEXICON = load_lexicon("speech")
OBJECT_VERBS: dict[str, str] = dict(LEXICON["object_speech_verbs"])
ATTRIBUTION_ONLY = frozenset(LEXICON["attribution_only_verbs"])
SPEECH_LEMMAS = frozenset(LEXICON["speech_verbs"]) | frozenset(OBJECT_VERBS) | ATTRIBUTION_ONLY
PERSON_NOUNS = frozenset(LEXICON["person_nouns"])
ORG_NOUNS = frozenset(LEXICON["org_nouns"])
GOVERNMENT_WORDS = frozenset(LEXICON["government_words"])
PERSON_PRONOUNS = frozenset(LEXICON["person_pronouns"])
GROUP_PRONOUNS = frozenset(LEXICON["group_pronouns"])
FIRST_PERSON = frozenset(LEXICON["first_person"])
INTERVIEW = LEXICON["interview"]
INTRO_VERBS = frozenset(INTERVIEW["intro_verbs"])
OBJECT_INTRO_VERBS = frozenset(INTERVIEW["object_intro_verbs"])
INTERVIEWER_WORDS = frozenset(INTERVIEW["interviewer_words"])
STATEMENT_WORDS = tuple(LEXICON["statement_title_words"])
SPEAKER_TYPES = ("PERSON", "ORG", "GPE")
INFINITIVE_VERBS = frozenset(LEXICON["infinitive_speech_verbs"])
ANONYMOUS_DETS = frozenset(LEXICON["anonymous_determiners"])
SPOKES_NOUNS = frozenset(LEXICON["spokes_nouns"])
STATEMENT_NOUNS = frozenset(LEXICON["statement_nouns"])
ORG_SYNONYMS: dict[str, list[str]] = dict(LEXICON["org_synonyms"])


def _inflections(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        forms.add(lemma[:-1] + "ing")
    if lemma.endswith("y") and lemma[-2:-1] not in ("a", "e", "o", "u"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):  # admit -> admitted
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    forms |= set(LEXICON["irregular_forms"].get(lemma, []))
    return forms


FORM_LEMMA: dict[str, str] = {f: lemma for lemma in sorted(SPEECH_LEMMAS) for f in _inflections(lemma)}
_FORMS = "|".join(sorted(map(re.escape, FORM_LEMMA), key=len, reverse=True))
_SPEECH_RE = re.compile(rf"(?<![\w-])(?:{_FORMS}|according\s+to)(?![\w-])", re.IGNORECASE)
_SPEECH_WORD = re.compile(rf"(?<![\w-])(?<!so-)(?<!so )(?:{_FORMS})(?![\w-])", re.IGNORECASE)
# A speech verb right before a quote ("said: “", "described it as “") or right after it (",” he said").
_VERB_BEFORE = re.compile(rf"(?:(?<![\w-])(?<!so-)(?<!so )(?:{_FORMS})(?:\s+that)?|\bas)\s*[,:]?\s*$", re.IGNORECASE)
_VERB_AFTER = re.compile(rf"^\s*[,.!?;:—–-]?\s*(?:[\w’'-]+\s+){{0,3}}?(?:{_FORMS})(?![\w-])", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_TERMINAL = re.compile(r"[.!?…]\s*$")


@dataclass(frozen=True)
class _Pair:
    open: str
    close: str
    single: bool = False
    same: bool = False


PAIRS = [_Pair(p["open"], p["close"], bool(p.get("single")), bool(p.get("same"))) for p in LEXICON["quote_pairs"]]
OPENERS: dict[str, list[_Pair]] = {}
for _p in PAIRS:
    OPENERS.setdefault(_p.open, []).append(_p)
QUOTE_CHARS = frozenset(c for p in PAIRS for c in (p.open, p.close))
_OPEN_BEFORE = set(" \t\n([{—–-/:;,") | QUOTE_CHARS


def _prefix_re(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\s*")


_Q_PREFIX = _prefix_re(INTERVIEW["question_prefixes"])
_A_PREFIX = _prefix_re(INTERVIEW["answer_prefixes"])
_DASH_PREFIX = re.compile("^(?:" + "|".join(map(re.escape, INTERVIEW["dash_markers"])) + r")\s*")
_NAME_PREFIX = re.compile(r"^([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*:\s+")
_SIGNATURE_LEAD = re.compile(r"^(?:[—–-]+\s*|signed\s*(?:by)?\s*:?\s*)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[-•*▪◦]|\d{1,2}[.)])\s+")
_FIRST_PERSON_WORDS = re.compile(r"\b(?:I|we|We|WE|my|My|our|Our|us|me)\b")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


# -- quotation marks ---------------------------------------------------------
@dataclass
class _Segment:
    """One stretch between quotation marks inside one paragraph."""

    open: int  # index of the opening mark
    close: int  # index of the closing mark; the paragraph end when unclosed
    closed: bool
    para: int

    @property
    def start(self) -> int:
        return self.open + 1

    @property
    def end(self) -> int:
        return self.close


@dataclass
class _Direct:
    """A direct quote: one or more segments (split by attribution or paragraphs)."""

    segments: list[_Segment]
    seps: list[str] = field(default_factory=list)  # joiners between parts

    @property
    def open(self) -> int:
        return self.segments[0].open

    @property
    def close(self) -> int:
        return self.segments[-1].close


def _opens(text: str, i: int, pend: int) -> _Pair | None:
    pairs = OPENERS.get(text[i])
    if not pairs:
        return None
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < pend else " "
    for pair in pairs:
        if pair.single:
            if prev in _OPEN_BEFORE and nxt.isalpha():
                return pair
        elif pair.same:
            if nxt.isspace() and not (prev in _OPEN_BEFORE):
                continue  # a closing mark whose opening was missed
            return pair
        elif not (nxt.isspace() and prev.isalnum()):
            return pair
    return None


def _close_of(text: str, k: int, pend: int, pair: _Pair) -> int | None:
    if not pair.single:
        j = text.find(pair.close, k, pend)
        return j if j >= 0 else None
    limit = min(pend, k + 400)
    j = k
    while True:
        j = text.find(pair.close, j, limit)
        if j < 0:
            return None
        before = text[j - 1]
        after = text[j + 1] if j + 1 < pend else " "
        if not before.isspace() and not after.isalnum():
            return j
        j += 1


def _segments(text: str, paragraphs: list[tuple[int, int]]) -> list[_Segment]:
    out = []
    for n, (pstart, pend) in enumerate(paragraphs):
        i = pstart
        while i < pend:
            pair = _opens(text, i, pend)
            if pair is None:
                i += 1
                continue
            j = _close_of(text, i + 1, pend, pair)
            if j is None:
                if pair.single:
                    i += 1
                    continue
                out.append(_Segment(i, pend, False, n))
                break
            out.append(_Segment(i, j, True, n))
            i = j + 1
    return out


def _trim(text: str, start: int, end: int, trailing: str = ",;:") -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in trailing):
        end -= 1
    return start, end


# -- the extractor -----------------------------------------------------------
@dataclass
class _Candidate:
    speaker: str
    start: int
    end: int
    text: str
    direct: bool


class QuoteFinder:
    """Finds the quotes of one parsed document."""

    def __init__(self, ctx: DocContext) -> None:
        assert ctx.doc is not None and ctx.cleaned is not None
        self.ctx = ctx
        self.text = ctx.text
        self.doc: Doc = ctx.doc
        self.starts = self.doc.to_array("IDX").tolist() if len(self.doc) else [0]
        paras = [(p.start, p.end) for p in ctx.cleaned.paragraphs] or self._split_paragraphs()
        self.paras = paras
        self.para_starts = [s for s, _ in paras]
        self.meta = ctx.meta
        self.authors = {name_key(a) for a in (ctx.meta.authors if ctx.meta else [])}
        self.cited = {name_key(s) for s in ctx.cited_sources}
        self.entities = [e for e in ctx.entities if e.type in SPEAKER_TYPES]
        self.mentions: list[tuple[int, int, Entity]] = sorted(
            ((m.start, m.end, e) for e in self.entities for m in e.mentions), key=lambda x: x[0]
        )
        self.mention_starts = [m[0] for m in self.mentions]
        self.mention_ends = sorted(m[1] for m in self.mentions)
        self._windows: dict[tuple[int, int], str] = {}
        self._scores: dict[tuple, int] = {}
        self.segments = _segments(self.text, paras)
        self.segment_opens = [seg.open for seg in self.segments]
        self.by_key: dict[str, Entity] = {}
        for e in self.entities:
            for f in [e.name, *e.aliases]:
                self.by_key.setdefault(name_key(f), e)
        self.blocked: list[tuple[int, int]] = []  # interview questions
        self.first_person: list[tuple[int, int, str]] = []  # (start, end, speaker) for I/we
        self.candidates: list[_Candidate] = []

    def _split_paragraphs(self) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", self.text)]

    # -- helpers ------------------------------------------------------------
    def token_at(self, char: int) -> Token:
        i = max(0, bisect.bisect_right(self.starts, char) - 1)
        return self.doc[i]

    def para_of(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.para_starts, char) - 1)

    def in_quote(self, char: int) -> bool:
        i = bisect.bisect_right(self.segment_opens, char) - 1
        return i >= 0 and char <= self.segments[i].close

    def in_blocked(self, char: int) -> bool:
        return any(s <= char < e for s, e in self.blocked)

    def add(self, speaker: str | None, start: int, end: int, direct: bool, text: str | None = None) -> None:
        if not speaker or end <= start:
            return
        body = text if text is not None else self.text[start:end]
        if not words(body):
            return
        self.candidates.append(_Candidate(speaker, start, end, body, direct))

    def entity_named(self, name: str) -> Entity | None:
        return self.by_key.get(name_key(name))

    # -- speakers -----------------------------------------------------------
    def entity_over(self, start: int, end: int, types=SPEAKER_TYPES, head: Token | None = None) -> Entity | None:
        """The entity mentioned in [start, end): the one on ``head`` first, then by type order, fullest name."""
        lo = bisect.bisect_left(self.mention_starts, start - 300)
        hi = bisect.bisect_left(self.mention_starts, end)
        found = [(s, t, e) for s, t, e in self.mentions[lo:hi] if s < end and start < t and e.type in types]
        if not found:
            return None

        def rank(x: tuple[int, int, Entity]) -> tuple:
            s, t, e = x
            on_head = head is not None and s <= head.idx < t
            return (not on_head, types.index(e.type), -len(e.name.split()), s)

        return min(found, key=rank)[2]

    def preceding(self, at: int, types: tuple[str, ...], within: int | None = None, pred=None) -> Entity | None:
        """The entity of the nearest mention before ``at`` (outside quotation marks)."""
        for k in range(bisect.bisect_left(self.mention_starts, at) - 1, -1, -1):
            s, t, e = self.mentions[k]
            if within is not None and at - s > within:
                return None
            if e.type not in types or self.in_quote(s):
                continue
            if pred is not None and not pred(e, s, t):
                continue
            return e
        return None

    def first_person_speaker(self, at: int) -> str | None:
        for s, e, who in self.first_person:
            if s <= at < e:
                return who
        return None

    def _titled(self, noun: str, mods: list[str]):
        pattern = re.compile(rf"\b{re.escape(noun)}\b", re.IGNORECASE)
        mod_patterns = [re.compile(rf"\b{re.escape(m)}\b", re.IGNORECASE) for m in mods]

        def score(e: Entity) -> int:
            key = (noun, tuple(mods), id(e))
            if key in self._scores:
                return self._scores[key]
            best = 0
            for m in e.mentions:
                window = self._title_window(m.start, m.end)
                if pattern.search(window):
                    best = max(best, 1 + sum(1 for mp in mod_patterns if mp.search(window)))
            self._scores[key] = best
            return best

        return score

    @staticmethod
    def _anonymous(tok: Token) -> bool:
        """"an official", "officials", "one diplomat", "several ministers": nobody in particular."""
        dets = [c.lower_ for c in tok.children if c.dep_ in ("det", "nummod", "quantmod")]
        return tok.tag_ in ("NNS", "NNPS") or any(d in ANONYMOUS_DETS or d.isdigit() for d in dets)

    def _np_end(self, tok: Token) -> int:
        """End of the noun phrase proper: the head with its modifiers and "of"/"for" phrases, no clauses."""
        end = tok.idx + len(tok)
        for c in tok.rights:
            if c.dep_ in ("relcl", "acl", "punct", "cc", "conj") :
                break
            end = c.right_edge.idx + len(c.right_edge)
        return end

    def _title_window(self, start: int, end: int) -> str:
        """The words that give a mention its title: right before it ("Foreign Minister Sergei
        Lavrov") back to the previous name or clause, or an apposition after it ("Lavrov, the minister,")."""
        key = (start, end)
        if key in self._windows:
            return self._windows[key]
        lo = max(0, start - 45)
        i = bisect.bisect_right(self.mention_ends, start) - 1
        if i >= 0 and self.mention_ends[i] > lo:
            lo = self.mention_ends[i]
        before = self.text[lo:start]
        cut = max(before.rfind(c) for c in ".;!?\n")
        if cut >= 0:
            before = before[cut + 1:]
        before = re.split(r"\b(?:met|and|with|said|told|by|to|from)\b", before)[-1]
        after = ""
        if self.text[end:end + 2].startswith(","):  # the apposition up to its closing comma
            after = re.split(r"[.;!?\n]", self.text[end: end + 70])[0]
            close = after.find(",", 1)
            after = after[: close if close > 0 else len(after)]
        self._windows[key] = before + " " + after
        return self._windows[key]

    def resolve_person_noun(self, tok: Token, owner: Entity | None) -> str | None:
        noun = tok.lemma_.lower()
        dets = [c.lower_ for c in tok.children if c.dep_ in ("det", "poss")]
        if any(c.dep_ == "prep" and c.lower_ in ("for", "of") for c in tok.children) or any(
            d in ("its", "their") for d in dets
        ):
            # "a spokesman for the ministry", "its spokesman": the body speaks
            # "the head of Niger stated": the state speaks through its head
            inner = self.entity_over(tok.idx, self._np_end(tok), ("ORG", "GPE"))
            if inner is not None and (inner.type == "ORG" or inner.kind == "state"):
                return inner.name
            if any(d in ("its", "their") for d in dets):
                org = self.preceding(tok.idx, ("ORG",), within=600)
                return org.name if org else None
        if self._anonymous(tok):
            return None
        if owner is not None and owner.type == "ORG" and noun in SPOKES_NOUNS:
            return owner.name
        mods = [c.lower_ for c in tok.children if c.dep_ in ("amod", "compound") and c.is_alpha]
        score = self._titled(noun, mods)
        people = []
        seen = set()
        for k in range(bisect.bisect_left(self.mention_starts, tok.idx) - 1, -1, -1):
            s, t, e = self.mentions[k]
            if e.type != "PERSON" or self.in_quote(s) or id(e) in seen:
                continue
            seen.add(id(e))
            people.append(e)
        scored = [(score(e), -i, e) for i, e in enumerate(people)]
        titled = [x for x in scored if x[0] > 0]
        if titled:
            return max(titled, key=lambda x: (x[0], x[1]))[2].name
        if noun in SPOKES_NOUNS:  # an unnamed spokesman speaks for the body named before
            org = self.preceding(tok.idx, ("ORG",), within=800, pred=lambda e, s, t: (
                e.kind == "government_body" or any(w in words(e.name) for w in GOVERNMENT_WORDS)))
            return org.name if org else None
        if people:
            return people[0].name
        # a headline before any name: the person the text gives that title
        later = [e for e in self.entities if e.type == "PERSON" and score(e) > 0]
        return later[0].name if len(later) == 1 else None

    def resolve_org_noun(self, tok: Token, owner: Entity | None) -> str | None:
        noun = tok.lemma_.lower()
        forms = {noun, *ORG_SYNONYMS.get(noun, [])}

        def named(e: Entity, s: int = 0, t: int = 0) -> bool:
            return any(f in (x.lower()) for x in [e.name, *e.aliases] for f in forms)

        def governmental(e: Entity, s: int = 0, t: int = 0) -> bool:
            return e.kind == "government_body" or any(w in words(e.name) for w in GOVERNMENT_WORDS)

        inner = self.entity_over(tok.idx, self._np_end(tok), ("ORG",))
        if inner is not None:
            return inner.name
        if owner is not None:
            if owner.type == "ORG":
                return owner.name
            # "Niger's military government", "Burkina Faso's army": its body if named, else the state
            keys = {name_key(f) for f in [owner.name, *owner.aliases]}
            for e in self.entities:
                if e.type == "ORG" and named(e) and (
                    (owner.country and e.country == owner.country)
                    or any(k and k in name_key(e.name) for k in keys)
                ):
                    return e.name
            return owner.name
        if self._anonymous(tok) and noun not in ("authorities", "authority"):
            return None
        e = self.preceding(tok.idx, ("ORG",), pred=named)
        if e is None and noun in GOVERNMENT_WORDS:
            e = self.preceding(tok.idx, ("ORG",), pred=governmental)
        return e.name if e else None

    def _named_entity(self, tok: Token) -> Entity | None:
        e = self.entity_over(tok.idx, tok.idx + len(tok))
        if e is not None and e.type == "GPE" and self._dateline(tok):
            return None
        return e

    def _dateline(self, tok: Token) -> bool:
        """OUAGADOUGOU, June 5 (Reuters) -: a place heading the paragraph, not a speaker."""
        p = self.paras[self.para_of(tok.idx)]
        return tok.idx - p[0] <= 2 and (tok.text.isupper() or bool(
            re.match(r"[^\n]{0,60}?[—–-]\s", self.text[tok.idx: p[1]])))

    def resolve(self, tok: Token) -> str | None:
        """The canonical entity a subject token stands for, or None."""
        low = tok.lower_
        if low in FIRST_PERSON:
            return self.first_person_speaker(tok.idx)
        if low in ("who", "which", "that") and tok.head.dep_ == "relcl":
            tok = tok.head.head
            low = tok.lower_
        if low in PERSON_PRONOUNS:
            e = self.preceding(tok.idx, ("PERSON",))
            return e.name if e else None
        if low in GROUP_PRONOUNS:
            e = self.preceding(tok.idx, ("ORG",), within=400)
            return e.name if e else None
        if tok.pos_ == "PRON":
            return None
        e = self._named_entity(tok)
        if e is not None:
            return e.name
        if tok.dep_ == "appos":  # "Andriy Yusov, a spokesman for ..., who said"
            e = self._named_entity(tok.head)
            if e is not None and e.type == "PERSON":
                return e.name
        # names inside the noun phrase: "the spokesman, Dmitry Peskov," / "Head of SOMB Ivanov"
        for child in tok.children:
            if child.dep_ in ("appos", "compound", "flat", "nmod"):
                e = self.entity_over(child.left_edge.idx, child.right_edge.idx + len(child.right_edge), ("PERSON",))
                if e is not None:
                    return e.name
        owner = None
        for child in tok.children:
            if child.dep_ == "poss":
                owner = self.entity_over(child.left_edge.idx, child.idx + len(child), ("ORG", "GPE"))
        lemma = tok.lemma_.lower()
        if lemma in PERSON_NOUNS:
            return self.resolve_person_noun(tok, owner)
        if lemma in ORG_NOUNS:
            return self.resolve_org_noun(tok, owner)
        return None

    def speaker_of_verb(self, verb: Token) -> str | None:
        v = verb
        for _ in range(5):
            subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass") and not self.in_quote(c.idx)]
            if subj:
                if v is verb and any(c.dep_ == "auxpass" for c in v.children):
                    return None  # "X is said to ...", "it was announced"
                subj.sort(key=lambda c: abs(c.i - v.i))
                found = [self.resolve(c) for c in subj]
                people = [w for w in found if w is not None and not self._is_place(w)]
                if people:
                    return people[0]
                # "OUAGADOUGOU, June 5 - Russian Foreign Minister Sergei Lavrov said": the name by the verb
                return self._left_neighbour(v) or next((w for w in found if w), None)
            if v.dep_ == "relcl":
                return self.resolve(v.head)
            if v.dep_ == "acl" and v.head.lemma_.lower() in STATEMENT_NOUNS:
                v = v.head  # "a statement saying ...": who issued the statement
                if v.dep_ in ("dobj", "pobj", "nsubjpass") and v.head.i != v.i:
                    v = v.head if v.dep_ != "pobj" else v.head.head
                    continue
                return None
            if v.dep_ not in ("conj", "advcl", "xcomp", "pcomp", "prep") or v.head.i == v.i:
                return None
            v = v.head
        return None

    def _is_place(self, name: str) -> bool:
        e = self.entity_named(name)
        return e is not None and e.type == "GPE" and e.kind not in (None, "state")

    def _right_neighbour(self, verb: Token) -> str | None:
        if verb.i + 1 >= len(self.doc):
            return None
        tok = self.doc[verb.i + 1]
        e = self.entity_over(tok.idx, tok.idx + len(tok), ("PERSON", "ORG"))
        return e.name if e else None

    def _left_neighbour(self, verb: Token) -> str | None:
        i = verb.i - 1
        while i >= 0 and self.doc[i].dep_ in ("aux", "neg", "advmod", "auxpass"):
            i -= 1
        if i < 0:
            return None
        tok = self.doc[i]
        e = self.entity_over(tok.idx, tok.idx + len(tok), ("PERSON", "ORG"))
        return e.name if e else None

    # -- speech verbs -------------------------------------------------------
    @staticmethod
    def speech_lemma(tok: Token) -> str | None:
        if tok.pos_ != "VERB":
            return None
        lemma = tok.lemma_.lower()
        if lemma in SPEECH_LEMMAS:
            return lemma
        return FORM_LEMMA.get(tok.lower_)

    def reported_content(self, verb: Token, lemma: str) -> tuple[int, int] | None:
        kids = list(verb.children)
        if any(c.dep_ == "neg" for c in kids):
            return None  # "did not say", "has not announced"
        ccomps = [c for c in kids if c.dep_ == "ccomp"]
        toks: list[Token] = []
        obj: Token | None = None
        if ccomps:
            c = max(ccomps, key=lambda c: c.right_edge.i - c.left_edge.i)
            toks = list(c.subtree)
        elif lemma in OBJECT_VERBS:
            need = OBJECT_VERBS[lemma]
            objs = [c for c in kids if c.dep_ == "dobj" and c.i > verb.i]
            if not objs and need == "about" and not any(c.dep_ == "prep" and c.lower_ in ("to", "with") for c in kids):
                # "spoke about the activities of ..." (but "spoke to X about Y" introduces an interview)
                about = [c for c in kids if c.dep_ == "prep" and c.lower_ == "about"]
                toks = [t for a in about for p in a.children if p.dep_ == "pobj" for t in p.subtree]
                objs = []
            if not objs and not toks:
                return None
            obj = objs[0] if objs else None
            if obj is not None and obj.lower_ in ("itself", "himself", "herself", "themselves", "ourselves", "myself"):
                return None  # "it calls itself ...": a name, not speech
        if lemma in OBJECT_VERBS and not ccomps and obj is not None:
            need = OBJECT_VERBS[lemma]
            right = [c for c in kids if c.i > verb.i and c.dep_ in ("dobj", "prep", "oprd", "xcomp", "ccomp", "attr", "advcl")]
            if need == "as":
                ok = any((c.dep_ == "prep" and c.lower_ == "as") or c.dep_ in ("oprd", "xcomp", "ccomp", "attr") for c in right)
                ok = ok or any(c.dep_ in ("oprd", "appos", "acl") or c.lower_ == "as" for c in obj.children)
            elif need == "of":
                ok = any(c.dep_ == "prep" and c.lower_ == "of" for c in right) or any(
                    c.dep_ == "prep" and c.lower_ == "of" for c in obj.children
                )
            elif need == "clause":
                # "expressed confidence that ...": the clause on the object is the content
                clauses = [c for c in obj.subtree if c.dep_ in ("acl", "ccomp") and c.i > obj.i]
                ok = bool(clauses)
                right = clauses[:1]
            else:
                ok = True
                right = [obj]
            if not ok:
                return None
            for c in right:
                if c.dep_ in ("prep", "advcl") and c.lower_ not in ("as", "of") and need != "any":
                    continue
                toks.extend(c.subtree)
        elif ccomps or lemma in OBJECT_VERBS:
            pass
        elif lemma in INFINITIVE_VERBS:
            xs = [c for c in kids if c.dep_ == "xcomp" and c.i > verb.i]
            if not xs or any(c.dep_ == "auxpass" for c in kids):
                return None
            toks = list(xs[0].subtree)
        else:
            return None
        if not toks:
            return None
        lo = min(t.i for t in toks)
        hi = max(t.i for t in toks)
        if lo <= verb.i <= hi:
            return None
        while lo < hi and (self.doc[lo].lower_ == "that" or self.doc[lo].is_punct and self.doc[lo].text not in QUOTE_CHARS):
            lo += 1
        while hi >= lo and self.doc[hi].is_punct and self.doc[hi].text not in QUOTE_CHARS:
            if self.doc[hi].text in ")]" and self.text.count("(", self.doc[lo].idx, self.doc[hi].idx) > self.text.count(
                    ")", self.doc[lo].idx, self.doc[hi].idx):
                break
            hi -= 1
        if hi < lo:
            return None
        start, end = self.doc[lo].idx, self.doc[hi].idx + len(self.doc[hi])
        return _trim(self.text, start, end, ",;:.")

    # -- direct quotes ------------------------------------------------------
    def _chains(self) -> list[_Direct]:
        """Segments joined across paragraphs (unclosed + next opens with a mark)."""
        chains: list[_Direct] = []
        for seg in self.segments:
            prev = chains[-1] if chains else None
            if (prev is not None and not prev.segments[-1].closed and seg.para == prev.segments[-1].para + 1
                    and seg.open == self.paras[seg.para][0]):
                prev.segments.append(seg)
                prev.seps.append("\n\n")
            else:
                chains.append(_Direct([seg]))
        return chains

    def _join_split(self, chains: list[_Direct]) -> list[tuple[_Direct, Token | None]]:
        """“We are ready,” he said, “to help.”: one quote, attributed by the gap."""
        out: list[tuple[_Direct, Token | None]] = []
        for q in chains:
            if out:
                prev, _ = out[-1]
                last = prev.segments[-1]
                first = q.segments[0]
                if last.closed and last.para == first.para:
                    gap = self.text[last.close + 1: first.open]
                    content = self.text[last.start:last.end].rstrip()
                    verb = self._gap_verb(last.close + 1, first.open)
                    if (verb is not None and len(gap.split()) <= 8 and not re.search(r"[.!?…]", gap)
                            and (content.endswith(",") or gap.lstrip().startswith(","))):
                        prev.segments.extend(q.segments)
                        prev.seps.extend([" ", *q.seps])
                        out[-1] = (prev, verb)
                        continue
            out.append((q, None))
        return out

    def _gap_verb(self, start: int, end: int) -> Token | None:
        for m in _SPEECH_WORD.finditer(self.text, start, end):
            tok = self.token_at(m.start())
            if self.speech_lemma(tok):
                return tok
        return None

    def _window(self, q: _Direct) -> tuple[tuple[int, int], tuple[int, int]]:
        """Text before the quote back to the sentence start, and after it to the sentence end."""
        p0 = self.paras[q.segments[0].para]
        p1 = self.paras[q.segments[-1].para]
        left = p0[0]
        for m in re.finditer(r"[.!?…](?=\s)", self.text[p0[0]: q.open]):
            pos = p0[0] + m.start()
            if not self.in_quote(pos):
                left = pos + 1
        right = p1[1]
        after = q.close + 1
        for m in re.finditer(r"[.!?…](?=\s|$)|[“«\"‘]", self.text[after: p1[1]]):
            pos = after + m.start()
            if not self.in_quote(pos) or self.text[pos] in "“«\"‘":
                right = pos if self.text[pos] in "“«\"‘" else pos + 1
                break
        return (left, q.open), (after, right)

    def _verbs_in(self, start: int, end: int) -> list[Token]:
        out = []
        for m in _SPEECH_WORD.finditer(self.text, start, end):
            tok = self.token_at(m.start())
            if self.speech_lemma(tok) and not self.in_quote(tok.idx):
                out.append(tok)
        return out

    def _according(self, start: int, end: int) -> str | None:
        for m in re.finditer(r"\baccording\s+to\b", self.text[start:end], re.IGNORECASE):
            tok = self.token_at(start + m.start())
            speaker = self._according_speaker(tok)
            if speaker:
                return speaker
        return None

    def _according_speaker(self, tok: Token) -> str | None:
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        if to is None and tok.i + 1 < len(self.doc) and self.doc[tok.i + 1].lower_ == "to":
            to = self.doc[tok.i + 1]
        if to is None:
            return None
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            return None
        who = self.resolve(pobj)
        if who is None:
            e = self.entity_over(pobj.left_edge.idx, pobj.right_edge.idx + len(pobj.right_edge), ("PERSON", "ORG"))
            who = e.name if e else None
        if who is None:
            return None
        e = self.entity_named(who)
        if name_key(who) in self.cited or (e is not None and e.kind == "media"):
            return None  # "according to TASS": a source, not a speaker
        return who

    def _colon_speaker(self, q: _Direct) -> str | None:
        """Traoré told the crowd: “...” / a headline "The minister: “...”"."""
        pstart = self.paras[q.segments[0].para][0]
        before = self.text[pstart: q.open].rstrip()
        at = None
        if before.endswith(":"):
            at = pstart + len(before) - 1
        elif not before and q.segments[0].para > 0:
            prev = self.paras[q.segments[0].para - 1]
            prev_text = self.text[prev[0]: prev[1]].rstrip()
            if prev_text.endswith(":"):
                at = prev[0] + len(prev_text) - 1
        if at is None:
            return None
        tok = self.token_at(at)
        if tok.i == 0:
            return None
        root = self.doc[tok.i - 1]  # climb to the head of the clause before the colon
        while root.head.i != root.i and root.head.i < tok.i:
            root = root.head
        subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return self.resolve(subj[0])
        if root.pos_ in ("NOUN", "PROPN", "PRON"):
            return self.resolve(root)
        return None

    def _verb_at(self, char: int) -> bool:
        return self.speech_lemma(self.token_at(char)) is not None

    def _quote_root(self, start: int, end: int) -> Token | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span.root if span is not None and len(span) else None

    def _governed(self, q: _Direct) -> bool:
        """Is a short quoted phrase the object of a speech verb (not a scare quote)?"""
        seg = q.segments[0]
        pstart, pend = self.paras[seg.para]
        before = self.text[max(pstart, q.open - 80): q.open]
        after = self.text[q.close + 1: min(pend, q.close + 60)]
        m = _VERB_BEFORE.search(before)
        if m:
            tok = self.token_at(q.open - len(before) + m.start())
            if self.speech_lemma(tok) or (tok.lower_ == "as" and self.speech_lemma(tok.head)):
                return True
        m = _VERB_AFTER.match(after)
        if m and self._verb_at(q.close + 1 + m.end() - 1):
            return True
        root = self._quote_root(seg.start, seg.end)
        if root is None:
            return False
        head = root.head
        if head.lower_ == "as" and head.head.i != head.i:
            head = head.head
        return bool(self.speech_lemma(head)) and root.dep_ in ("dobj", "ccomp", "xcomp", "oprd", "attr", "pobj", "npadvmod", "appos")

    def direct_quotes(self) -> None:
        last: tuple[str, int, int] | None = None  # speaker, paragraph and end of the last attributed quote
        for q, split_verb in self._join_split(self._chains()):
            if self.in_blocked(q.open):
                continue
            parts = [_trim(self.text, s.start, s.end) for s in q.segments]
            parts = [(s, e) for s, e in parts if e > s]
            if not parts:
                continue
            text = "".join(sep + self.text[s:e] for sep, (s, e) in zip(["", *q.seps], parts))
            if not words(text):
                continue
            n_words = len(text.split())
            speaker, how = None, None
            verbs: list[Token] = []
            if split_verb is not None:
                verbs = [split_verb]
            else:
                (ls, le), (rs, re_) = self._window(q)
                after = self._verbs_in(rs, re_)
                before = self._verbs_in(ls, le)
                near_after = [v for v in after if len(self.text[rs: v.idx].split()) <= 6]
                before = sorted(before, key=lambda v: -v.idx)
                if _TERMINAL.search(self.text[parts[-1][0]: parts[-1][1]]) and before:
                    # “... Mali.” Traoré said the talks went well: a new sentence after the quote
                    verbs = before + after
                else:
                    verbs = near_after + before + [v for v in after if v not in near_after]
            for v in verbs:
                speaker = self.speaker_of_verb(v)
                if speaker is None and not self.text[q.close + 1: v.idx].strip(" ,.?!—–-"):
                    speaker = self._right_neighbour(v)  # “...?” asked Ibrahim Traoré
                if speaker:
                    how = "verb"
                    break
            if speaker is None and verbs:
                last = None
                continue  # attributed to someone we cannot name ("a trader told reporters")
            if speaker is None:
                (ls, le), (rs, re_) = self._window(q)
                speaker = self._according(ls, le) or self._according(rs, re_)
                how = "verb" if speaker else None
            if speaker is None:
                speaker = self._colon_speaker(q)
                how = "colon" if speaker else None
            if (speaker is None and last is not None and self._starts_sentence(q) and q.segments[0].para - last[1] <= 1
                    and not self._other_person_between(last[2], q.open, last[0])):
                speaker, how = last[0], "continued"
            if speaker is None and self._starts_sentence(q):
                speaker = self._previous_subject(q)
                how = "previous" if speaker else None
            if speaker is None:
                continue
            if n_words <= 3 and not (how == "verb" and self._governed(q)):
                continue  # a scare quote
            last = (speaker, q.segments[-1].para, q.close)
            self.add(speaker, parts[0][0], parts[-1][1], True, text)

    def _other_person_between(self, start: int, end: int, speaker: str) -> bool:
        lo = bisect.bisect_left(self.mention_starts, start)
        hi = bisect.bisect_left(self.mention_starts, end)
        return any(e.type == "PERSON" and e.name != speaker and not self.in_quote(s)
                   for s, t, e in self.mentions[lo:hi])

    def _previous_subject(self, q: _Direct) -> str | None:
        """Lavrov was blunt. “The West has lost Africa.”: the person the sentence before is about."""
        pstart = self.paras[q.segments[0].para][0]
        if q.open == pstart:
            return None
        tok = self.token_at(q.open)
        sent = tok.sent
        if sent.start == 0:
            return None
        prev = self.doc[sent.start - 1].sent
        if prev.start_char < pstart or self.in_quote(prev.start_char):
            return None
        subj = [c for c in prev.root.children if c.dep_ == "nsubj"]
        if not subj or subj[0].lower_ in FIRST_PERSON:
            return None
        who = self.resolve(subj[0])
        e = self.entity_named(who) if who else None
        return who if e is not None and e.type == "PERSON" else None

    def _starts_sentence(self, q: _Direct) -> bool:
        pstart = self.paras[q.segments[0].para][0]
        before = self.text[pstart: q.open].rstrip()
        return not before or bool(re.search(r"[.!?…:]$", before))

    # -- reported speech ----------------------------------------------------
    def reported_speech(self) -> None:
        for m in _SPEECH_RE.finditer(self.text):
            tok = self.token_at(m.start())
            if self.in_blocked(tok.idx) or self.in_quote(tok.idx) or self._in_title(tok.idx):
                continue  # a headline restates the story ("Russia Announces More Aid")
            if m.group(0).lower().startswith("according"):
                self._reported_according(tok)
                continue
            lemma = self.speech_lemma(tok)
            if lemma is None or lemma in ATTRIBUTION_ONLY or (tok.i > 1 and self.doc[tok.i - 1].text == "-" and self.doc[tok.i - 2].lower_ == "so"):
                continue
            content = self.reported_content(tok, lemma)
            if content is None:
                continue
            start, end = content
            if len(words(self.text[start:end])) < 3 or self._quoted_share(start, end) >= 0.9:
                continue
            self.add(self.speaker_of_verb(tok), start, end, False)

    def _quoted_share(self, start: int, end: int) -> float:
        inside = 0
        i = max(0, bisect.bisect_right(self.segment_opens, start) - 1)
        for s in self.segments[i: bisect.bisect_left(self.segment_opens, end)]:
            lo, hi = max(start, s.open), min(end, s.close + 1)
            if hi > lo:
                inside += hi - lo
        return inside / max(1, end - start)

    def _reported_according(self, tok: Token) -> None:
        sent = tok.sent
        if any(self.speech_lemma(t) and t.i != tok.i for t in sent):
            return  # "According to TASS, Shoigu said ...": the verb attributes
        speaker = self._according_speaker(tok)
        if speaker is None:
            return
        phrase = list(tok.subtree)
        lo, hi = phrase[0].i, phrase[-1].i
        left = (sent.start, lo)
        right = (hi + 1, sent.end)
        a, b = max([left, right], key=lambda r: r[1] - r[0])
        if b <= a:
            return
        start, end = self.doc[a].idx, self.doc[b - 1].idx + len(self.doc[b - 1])
        start, end = _trim(self.text, start, end, ",;:.")
        while start < end and self.text[start] in ",;: ":
            start += 1
        if len(words(self.text[start:end])) >= 3 and self._quoted_share(start, end) < 0.9:
            self.add(speaker, start, end, False)

    # -- interviews ---------------------------------------------------------
    def interview(self) -> None:
        texts = [self.text[s:e] for s, e in self.paras]
        kinds: list[str | None] = []
        for t in texts:
            if _Q_PREFIX.match(t):
                kinds.append("Q")
            elif _A_PREFIX.match(t):
                kinds.append("A")
            elif _DASH_PREFIX.match(t) and len(t) > 2:
                kinds.append("D")
            else:
                kinds.append(None)
        count = Counter(kinds)
        roles: dict[int, str] = {}
        if count["Q"] >= 1 and count["A"] >= 1 and count["Q"] + count["A"] >= 3:
            roles = {i: k for i, k in enumerate(kinds) if k in ("Q", "A")}
            prefix = {"Q": _Q_PREFIX, "A": _A_PREFIX}
            marker_end = {i: self.paras[i][0] + prefix[k].match(texts[i]).end() for i, k in roles.items()}
        elif count["D"] >= 4 and any(texts[i].rstrip().endswith("?") for i, k in enumerate(kinds) if k == "D"):
            dashes = [i for i, k in enumerate(kinds) if k == "D"]
            asks = [sum(texts[dashes[j]].rstrip().endswith("?") for j in range(par, len(dashes), 2)) for par in (0, 1)]
            qpar = 0 if asks[0] >= asks[1] else 1
            if asks[qpar] < max(2, 0.4 * len(dashes[qpar::2])):
                return  # dashes that open list items, not questions and answers
            roles = {i: ("Q" if j % 2 == qpar else "A") for j, i in enumerate(dashes)}
            marker_end = {i: self.paras[i][0] + _DASH_PREFIX.match(texts[i]).end() for i in dashes}
        else:
            self._name_prefixed_interview(texts)
            return
        marked = sorted(roles)
        first, last_marked = marked[0], marked[-1]
        interviewee = self._interviewee(first)
        for i in marked:
            j = i + 1
            end = self.paras[i][1]
            while j < len(self.paras) and j not in roles:
                t = texts[j]
                if j > last_marked and not (_LIST_ITEM.match(t) and texts[j - 1].rstrip().endswith((":", ";", ","))
                                            or _LIST_ITEM.match(t) and _LIST_ITEM.match(texts[j - 1])):
                    break
                end = self.paras[j][1]
                j += 1
            start = marker_end[i]
            if roles[i] == "Q":
                self.blocked.append((self.paras[i][0], end))
            elif interviewee:
                self.first_person.append((start, end, interviewee))
                if len(words(self.text[start:end])) >= 4:
                    self.add(interviewee, start, end, True)

    def _interviewee(self, first_marked: int) -> str | None:
        intro_end = self.paras[first_marked][0]
        persons_ok = lambda name: name is not None and name_key(name) not in self.authors  # noqa: E731
        # the introduction's verbs, nearest paragraph to the first question first
        intro_verbs = []
        for n in range(first_marked - 1, max(-1, first_marked - 5), -1):
            ps, pe = self.paras[n]
            for m in re.finditer(r"\w+", self.text[ps:pe]):
                tok = self.token_at(ps + m.start())
                if tok.idx == ps + m.start() and tok.pos_ == "VERB" and tok.lemma_.lower() in INTRO_VERBS:
                    intro_verbs.append(tok)
        for tok in intro_verbs:
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            asker = subj.lower_ in FIRST_PERSON or any(
                t.lower_ in INTERVIEWER_WORDS for t in subj.subtree)  # "our correspondent X spoke with Y"
            who = None if asker else self._person(subj)
            if persons_ok(who):
                return who
            if tok.lemma_.lower() in OBJECT_INTRO_VERBS:
                objs = [c for c in tok.children if c.dep_ in ("dobj", "dative")]
                objs += [g for c in tok.children if c.dep_ == "prep" and c.lower_ in ("to", "with") for g in c.children if g.dep_ == "pobj"]
                for o in objs:
                    who = self._person(o)
                    if persons_ok(who):
                        return who
        # the first person the introduction names who is not the author or the interviewer
        for s, t, e in self.mentions:
            if s >= intro_end:
                break
            if e.type == "PERSON" and persons_ok(e.name) and not re.search(r"['’]s\s+$", self.text[max(0, s - 4): s]):
                if not self._in_title(s):
                    return e.name
        counts = Counter(e.name for s, t, e in self.mentions if e.type == "PERSON" and persons_ok(e.name))
        return counts.most_common(1)[0][0] if counts else None

    def _in_title(self, char: int) -> bool:
        return bool(self.meta and self.meta.title and self.paras and self.paras[0][0] <= char < self.paras[0][1]
                    and self.text[self.paras[0][0]: self.paras[0][1]] == self.meta.title)

    def _person(self, tok: Token) -> str | None:
        e = self.entity_over(tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge), ("PERSON",), head=tok)
        return e.name if e else None

    def _name_prefixed_interview(self, texts: list[str]) -> None:
        """"Sokolov: ..." / "Traoré: ...": answers by the named people who are not the interviewer.

        Prefixes are grouped by the entity they name ("Sergei Lavrov:" then "Lavrov:")."""
        prefixed: dict[int, tuple[str, int]] = {}  # paragraph -> (speaker key, content start)
        names: dict[str, str | None] = {}
        for i, t in enumerate(texts):
            m = _NAME_PREFIX.match(t)
            if not m:
                continue
            s = self.paras[i][0]
            e = self.entity_over(s, s + len(m.group(1)), ("PERSON", "ORG"))
            key = e.name if e else m.group(1)
            names[key] = e.name if e else None
            prefixed[i] = (key, s + m.end())
        counts = Counter(k for k, _ in prefixed.values())
        regulars = {k for k, n in counts.items() if n >= 2}
        if len(regulars) < 2 or sum(counts[k] for k in regulars) < 4:
            return
        asks = Counter(k for i, (k, _) in prefixed.items() if texts[i].rstrip().endswith("?"))
        interviewer = {k for k in regulars if name_key(k) in self.authors or asks[k] >= max(1, counts[k] // 2)}
        if not interviewer or len(interviewer) == len(regulars):
            return
        for i, (k, start) in prefixed.items():
            if k in interviewer:
                self.blocked.append(self.paras[i])
            elif names.get(k):
                who = names[k]
                e = self.entity_named(who)
                if e is None or e.type != "PERSON":
                    continue
                self.first_person.append((start, self.paras[i][1], who))
                if len(self.text[start: self.paras[i][1]].split()) >= 4:
                    self.add(who, start, self.paras[i][1], True)

    # -- signed statements --------------------------------------------------
    def statement(self) -> None:
        texts = [self.text[s:e] for s, e in self.paras]
        if not texts:
            return
        signatory, sig = None, None
        for i in range(len(texts) - 1, max(-1, len(texts) - 9), -1):
            who = self._signature(i, texts[i])
            if who:
                signatory, sig = who, i
                break
        title = self.meta.title if self.meta else None
        if signatory is None:
            authors = [a for a in (self.meta.authors if self.meta else [])]
            if not authors or not title or not any(w in title.lower() for w in STATEMENT_WORDS):
                return
            e = self.entity_named(authors[0])
            if e is None or e.type != "PERSON":
                return
            signatory = e.name
            sig = next((i for i in range(len(texts) - 1, 0, -1) if name_key(texts[i]) in self.authors), len(texts))
        title_idx = next((i for i, t in enumerate(texts[:6]) if title and t == title), -1)
        body = [i for i in range(title_idx + 1, sig) if self._prose(texts[i])]
        if not body:
            return
        first = next((i for i in body if len(texts[i].split()) >= 8), body[0])
        body = [i for i in body if i >= first]
        start, end = self.paras[body[0]][0], self.paras[body[-1]][1]
        outside = "".join(
            self.text[max(start, a): min(end, b)]
            for a, b in self._outside_quotes(start, end)
        )
        fp = _FIRST_PERSON_WORDS.findall(outside)
        if len(fp) < 3 or not any(w.lower() in ("i", "we") for w in fp):
            return
        self.first_person.append((start, end, signatory))
        self.add(signatory, start, end, True)

    def _signature(self, i: int, t: str) -> str | None:
        """A signature line: "Alexander Ivanov", "— Alexander Ivanov", "Alexander Ivanov, Head of SOMB"."""
        m = _SIGNATURE_LEAD.match(t)
        lead = m.end() if m else 0
        body = t[lead:].rstrip()
        n = len(body.split())
        if not body or n > 16 or (body[-1] in ".?!:" and n > 4):
            return None  # empty, or a sentence rather than a signature
        s = self.paras[i][0] + lead
        k = bisect.bisect_left(self.mention_starts, s)
        first = self.mentions[k] if k < len(self.mentions) else None
        if first is None or first[0] >= s + 3 or first[2].type != "PERSON":
            return None
        rest = self.text[first[1]: self.paras[i][0] + len(t)].strip()
        if rest and not rest.startswith(","):
            return None
        return first[2].name

    @staticmethod
    def _prose(t: str) -> bool:
        return len(t.split()) >= 4 and bool(re.search(r"[.!?…\"”»’)]\s*$", t))

    def _outside_quotes(self, start: int, end: int) -> list[tuple[int, int]]:
        out, pos = [], start
        for s in self.segments:
            if s.close < start or s.open >= end:
                continue
            out.append((pos, s.open))
            pos = s.close + 1
        out.append((pos, end))
        return out

    # -- all ----------------------------------------------------------------
    def find(self) -> list[Quote]:
        has_marks = bool(self.segments)
        self.interview()
        if not self.candidates:  # an interview is not a statement by its interviewer
            self.statement()
        if has_marks:
            self.direct_quotes()
        self.reported_speech()
        return [Quote(speaker=c.speaker, text=c.text, direct=c.direct, start=c.start, end=c.end)
                for c in dedup(self.candidates)]


def overlap(a: list[str], b: list[str]) -> float:
    """Shared words over the shorter text's words."""
    sa, sb = Counter(a), Counter(b)
    shared = sum((sa & sb).values())
    return shared / max(1, min(len(a), len(b)))


def dedup(cands: list[_Candidate]) -> list[_Candidate]:
    """The same quote once (>= 80% of the shorter one's words shared).

    Two texts of similar length are one quote (the direct one wins, then the
    longer); a short quote inside a long one by the same speaker (a quoted
    phrase inside reported speech, a sentence inside an interview answer) is
    dropped for the long one."""
    kept: list[tuple[_Candidate, list[str]]] = []

    def similar(a: list[str], b: list[str]) -> bool:
        return min(len(a), len(b)) / max(1, max(len(a), len(b))) >= 0.5

    def better(a: tuple[_Candidate, list[str]], b: tuple[_Candidate, list[str]]) -> bool:
        if similar(a[1], b[1]):
            return (a[0].direct, len(a[1])) > (b[0].direct, len(b[1]))
        return len(a[1]) > len(b[1])

    for c in cands:
        item = (c, words(c.text))
        dups = [k for k in kept if overlap(item[1], k[1]) >= 0.8 and (similar(item[1], k[1]) or k[0].speaker == c.speaker)]
        if not dups:
            kept.append(item)
        elif all(better(item, k) for k in dups):
            kept = [k for k in kept if not any(k is d for d in dups)] + [item]
    return sorted((c for c, _ in kept), key=lambda c: (c.start, c.end))


def find_quotes(ctx: DocContext) -> list[Quote]:
    if ctx.doc is None or ctx.cleaned is None:
        return []
    return QuoteFinder(ctx).find()


@stage("quotes")
def _quotes(ex, ctx: DocContext) -> None:
    ctx.extra["quotes"] = find_quotes(ctx)
