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
SPEECH_LEMMAS = frozenset(LEXICON["speech_verbs"]) | frozenset(OBJECT_VERBS)
PERSON_NOUNS = frozenset(LEXICON["person_nouns"])
ORG_NOUNS = frozenset(LEXICON["org_nouns"])
GOVERNMENT_WORDS = frozenset(LEXICON["government_words"])
PERSON_PRONOUNS = frozenset(LEXICON["person_pronouns"])
GROUP_PRONOUNS = frozenset(LEXICON["group_pronouns"])
FIRST_PERSON = frozenset(LEXICON["first_person"])
INTERVIEW = LEXICON["interview"]
INTRO_VERBS = frozenset(INTERVIEW["intro_verbs"])
OBJECT_INTRO_VERBS = frozenset(INTERVIEW["object_intro_verbs"])
STATEMENT_WORDS = tuple(LEXICON["statement_title_words"])
SPEAKER_TYPES = ("PERSON", "ORG", "GPE")
INFINITIVE_VERBS = frozenset({"promise", "pledge", "vow", "claim", "threaten", "deny", "offer"})


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
_VERB_AFTER = re.compile(rf"^\s*[,.!?;:—–-]?\s*(?:[\w’'.-]+\s+){{0,3}}?(?:{_FORMS})(?![\w-])", re.IGNORECASE)
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
        self.starts = [t.idx for t in self.doc]
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
        self.segments = _segments(self.text, paras)
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
        return any(s.open <= char <= s.close for s in self.segments)

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
        key = name_key(name)
        for e in self.entities:
            if key in {name_key(f) for f in [e.name, *e.aliases]}:
                return e
        return None

    # -- speakers -----------------------------------------------------------
    def entity_over(self, start: int, end: int, types=SPEAKER_TYPES) -> Entity | None:
        found = [e for s, t, e in self.mentions if s < end and start < t and e.type in types]
        if not found:
            return None
        for typ in types:
            for e in found:
                if e.type == typ:
                    return e
        return None

    def preceding(self, at: int, types: tuple[str, ...], within: int | None = None, pred=None) -> Entity | None:
        best = None
        for s, t, e in self.mentions:
            if s >= at:
                break
            if e.type not in types or self.in_quote(s) or (within is not None and at - s > within):
                continue
            if pred is not None and not pred(e, s, t):
                continue
            best = e
        return best

    def first_person_speaker(self, at: int) -> str | None:
        for s, e, who in self.first_person:
            if s <= at < e:
                return who
        return None

    def _titled(self, noun: str, mods: list[str]):
        pattern = re.compile(rf"\b{re.escape(noun)}\b", re.IGNORECASE)
        mod_patterns = [re.compile(rf"\b{re.escape(m)}\b", re.IGNORECASE) for m in mods]

        def score(e: Entity) -> int:
            best = 0
            for m in e.mentions:
                window = self.text[max(0, m.start - 60): m.start] + " " + self.text[m.end: m.end + 70]
                if pattern.search(window):
                    best = max(best, 1 + sum(1 for mp in mod_patterns if mp.search(window)))
            return best

        return score

    def resolve_person_noun(self, tok: Token) -> str | None:
        noun = tok.lemma_.lower()
        dets = [c.lower_ for c in tok.children if c.dep_ in ("det", "poss")]
        if tok.tag_ in ("NNS", "NNPS") or any(d in ("a", "an", "another", "some", "one", "several") for d in dets):
            return None  # "an official said", "officials said": anonymous
        if any(c.dep_ == "prep" and c.lower_ in ("for", "of") for c in tok.children) or any(
            d in ("its", "their") for d in dets
        ):
            # "a spokesman for the ministry", "its spokesman": the body speaks
            inner = self.entity_over(tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge), ("ORG",))
            if inner is not None:
                return inner.name
            if any(d in ("its", "their") for d in dets):
                org = self.preceding(tok.idx, ("ORG",))
                return org.name if org else None
        mods = [c.lower_ for c in tok.children if c.dep_ in ("amod", "compound") and c.is_alpha]
        score = self._titled(noun, mods)
        people = []
        seen = set()
        for s, t, e in reversed(self.mentions):
            if s >= tok.idx or e.type != "PERSON" or self.in_quote(s) or id(e) in seen:
                continue
            seen.add(id(e))
            people.append(e)
        scored = [(score(e), -i, e) for i, e in enumerate(people)]
        titled = [x for x in scored if x[0] > 0]
        if titled:
            return max(titled, key=lambda x: (x[0], x[1]))[2].name
        if people:
            return people[0].name
        # a headline before any name: the person the text gives that title
        later = [e for e in self.entities if e.type == "PERSON" and score(e) > 0]
        return later[0].name if len(later) == 1 else None

    def resolve_org_noun(self, tok: Token) -> str | None:
        noun = tok.lemma_.lower()

        def named(e: Entity, s: int, t: int) -> bool:
            return any(noun in f.lower() for f in [e.name, *e.aliases])

        def governmental(e: Entity, s: int, t: int) -> bool:
            return e.kind == "government_body" or any(w in words(e.name) for w in GOVERNMENT_WORDS)

        inner = self.entity_over(tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge), ("ORG",))
        if inner is not None:
            return inner.name
        e = self.preceding(tok.idx, ("ORG",), pred=named) or self.preceding(tok.idx, ("ORG",), pred=governmental)
        return e.name if e else None

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
        e = self.entity_over(tok.idx, tok.idx + len(tok))
        if e is not None:
            return e.name
        # names inside the noun phrase: "the spokesman, Dmitry Peskov," / "Head of SOMB Ivanov"
        for child in tok.children:
            if child.dep_ in ("appos", "compound", "flat", "nmod"):
                e = self.entity_over(child.left_edge.idx, child.right_edge.idx + len(child.right_edge), ("PERSON",))
                if e is not None:
                    return e.name
        lemma = tok.lemma_.lower()
        if lemma in PERSON_NOUNS:
            return self.resolve_person_noun(tok)
        if lemma in ORG_NOUNS:
            return self.resolve_org_noun(tok)
        return None

    def speaker_of_verb(self, verb: Token) -> str | None:
        v = verb
        for _ in range(5):
            subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass") and not self.in_quote(c.idx)]
            if subj:
                if v is verb and any(c.dep_ == "auxpass" for c in v.children):
                    return None  # "X is said to ...", "it was announced"
                return self.resolve(subj[0])
            if v.dep_ not in ("conj", "advcl", "xcomp", "pcomp", "prep", "acl", "dobj", "pobj", "relcl") or v.head is v:
                return None
            if v.dep_ == "relcl":
                return self.resolve(v.head)
            v = v.head
        return None

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
        ccomps = [c for c in kids if c.dep_ == "ccomp"]
        toks: list[Token] = []
        if ccomps:
            c = max(ccomps, key=lambda c: c.right_edge.i - c.left_edge.i)
            toks = list(c.subtree)
        elif lemma in OBJECT_VERBS:
            need = OBJECT_VERBS[lemma]
            objs = [c for c in kids if c.dep_ == "dobj" and c.i > verb.i]
            if not objs:
                return None
            obj = objs[0]
            right = [c for c in kids if c.i > verb.i and c.dep_ in ("dobj", "prep", "oprd", "xcomp", "ccomp", "attr", "advcl")]
            if need == "as":
                ok = any((c.dep_ == "prep" and c.lower_ == "as") or c.dep_ in ("oprd", "xcomp", "ccomp", "attr") for c in right)
                ok = ok or any(c.dep_ in ("oprd", "appos", "acl") or c.lower_ == "as" for c in obj.children)
            elif need == "of":
                ok = any(c.dep_ == "prep" and c.lower_ == "of" for c in right) or any(
                    c.dep_ == "prep" and c.lower_ == "of" for c in obj.children
                )
            else:
                ok = True
                right = [obj]
            if not ok:
                return None
            for c in right:
                if c.dep_ in ("prep", "advcl") and c.lower_ not in ("as", "of") and need != "any":
                    continue
                toks.extend(c.subtree)
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
        while lo <= hi and (self.doc[lo].dep_ == "mark" and self.doc[lo].lower_ == "that" or self.doc[lo].is_punct):
            lo += 1
        while hi >= lo and self.doc[hi].is_punct and self.doc[hi].text not in QUOTE_CHARS:
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
                    if (verb is not None and len(gap.split()) <= 8 and not _TERMINAL.search(content)
                            and not gap.strip().endswith(".")):
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
        root = tok.sent.root if tok.i > 0 else tok
        if tok.i > 0:
            root = self.doc[tok.i - 1]
            while root.head is not root and root.head.i < tok.i and root.dep_ not in ("ROOT",):
                root = root.head
        subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return self.resolve(subj[0])
        if root.pos_ in ("NOUN", "PROPN", "PRON"):
            return self.resolve(root)
        return None

    def _quote_root(self, start: int, end: int) -> Token | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span.root if span is not None and len(span) else None

    def _governed(self, q: _Direct) -> bool:
        """Is a short quoted phrase the object of a speech verb (not a scare quote)?"""
        seg = q.segments[0]
        pstart, pend = self.paras[seg.para]
        before = self.text[max(pstart, q.open - 80): q.open]
        after = self.text[q.close + 1: min(pend, q.close + 60)]
        if _VERB_BEFORE.search(before) or _VERB_AFTER.match(after):
            return True
        root = self._quote_root(seg.start, seg.end)
        if root is None:
            return False
        head = root.head
        if head.lower_ == "as" and head.head is not head:
            head = head.head
        return bool(self.speech_lemma(head)) and root.dep_ in ("dobj", "ccomp", "xcomp", "oprd", "attr", "pobj", "npadvmod", "appos")

    def direct_quotes(self) -> None:
        last: tuple[str, int] | None = None  # speaker and paragraph of the last attributed quote
        for q, split_verb in self._join_split(self._chains()):
            if self.in_blocked(q.open):
                continue
            parts = [_trim(self.text, s.start, s.end) for s in q.segments]
            parts = [(s, e) for s, e in parts if e > s]
            if not parts:
                continue
            text = "".join(sep + self.text[s:e] for sep, (s, e) in zip(["", *q.seps], parts))
            n_words = len(words(text))
            if n_words == 0:
                continue
            speaker, how = None, None
            verbs: list[Token] = []
            if split_verb is not None:
                verbs = [split_verb]
            else:
                (ls, le), (rs, re_) = self._window(q)
                after = self._verbs_in(rs, re_)
                before = self._verbs_in(ls, le)
                near_after = [v for v in after if len(self.text[rs: v.idx].split()) <= 6]
                verbs = near_after + sorted(before, key=lambda v: -v.idx) + [v for v in after if v not in near_after]
            for v in verbs:
                speaker = self.speaker_of_verb(v)
                if speaker:
                    how = "verb"
                    break
            if speaker is None:
                (ls, le), (rs, re_) = self._window(q)
                speaker = self._according(ls, le) or self._according(rs, re_)
                how = "verb" if speaker else None
            if speaker is None and q.segments[0].start - 1 == q.open:
                speaker = self._colon_speaker(q)
                how = "colon" if speaker else None
            if speaker is None and last is not None and self._starts_sentence(q) and q.segments[0].para - last[1] <= 1:
                speaker, how = last[0], "continued"
            if speaker is None:
                continue
            if n_words <= 3 and not (how == "verb" and self._governed(q)):
                continue  # a scare quote
            last = (speaker, q.segments[-1].para)
            self.add(speaker, parts[0][0], parts[-1][1], True, text)

    def _starts_sentence(self, q: _Direct) -> bool:
        pstart = self.paras[q.segments[0].para][0]
        before = self.text[pstart: q.open].rstrip()
        return not before or bool(re.search(r"[.!?…:]$", before))

    # -- reported speech ----------------------------------------------------
    def reported_speech(self) -> None:
        for m in _SPEECH_RE.finditer(self.text):
            tok = self.token_at(m.start())
            if self.in_blocked(tok.idx) or self.in_quote(tok.idx):
                continue
            if m.group(0).lower().startswith("according"):
                self._reported_according(tok)
                continue
            lemma = self.speech_lemma(tok)
            if lemma is None or (tok.i > 1 and self.doc[tok.i - 1].text == "-" and self.doc[tok.i - 2].lower_ == "so"):
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
        for s in self.segments:
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
        for m in re.finditer(r"\w+", self.text[:intro_end]):
            tok = self.token_at(m.start())
            if tok.idx != m.start() or tok.pos_ != "VERB" or tok.lemma_.lower() not in INTRO_VERBS:
                continue
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            who = None if subj.lower_ in FIRST_PERSON else self._person(subj)
            if persons_ok(who) and subj.lower_ not in FIRST_PERSON:
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
        e = self.entity_over(tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge), ("PERSON",))
        return e.name if e else None

    def _name_prefixed_interview(self, texts: list[str]) -> None:
        """"Sokolov: ..." / "Traoré: ...": answers by the named people who are not the interviewer."""
        prefixes: dict[int, str] = {}
        for i, t in enumerate(texts):
            m = _NAME_PREFIX.match(t)
            if m:
                prefixes[i] = m.group(1)
        counts = Counter(prefixes.values())
        regulars = {p for p, n in counts.items() if n >= 2}
        if len(regulars) < 2 or sum(counts[p] for p in regulars) < 4:
            return
        speakers: dict[str, str | None] = {}
        asks: Counter[str] = Counter()
        for i, p in prefixes.items():
            if p not in regulars:
                continue
            s = self.paras[i][0]
            e = self.entity_over(s, s + len(p), ("PERSON", "ORG"))
            speakers[p] = e.name if e else None
            asks[p] += texts[i].rstrip().endswith("?")
        interviewer = {p for p in regulars if name_key(speakers[p] or p) in self.authors or (
            asks[p] >= max(1, counts[p] // 2))}
        if not interviewer or len(interviewer) == len(regulars):
            return
        for i, p in prefixes.items():
            if p not in regulars:
                continue
            start = self.paras[i][0] + _NAME_PREFIX.match(texts[i]).end()
            if p in interviewer:
                self.blocked.append(self.paras[i])
            elif speakers[p]:
                self.first_person.append((start, self.paras[i][1], speakers[p]))
                if len(words(texts[i])) >= 5:
                    self.add(speakers[p], start, self.paras[i][1], True)

    # -- signed statements --------------------------------------------------
    def statement(self) -> None:
        texts = [self.text[s:e] for s, e in self.paras]
        if not texts:
            return
        signatory, sig = None, None
        for i in range(len(texts) - 1, max(-1, len(texts) - 9), -1):
            t = texts[i].strip().rstrip(",")
            if len(t.split()) > 6:
                continue
            s = self.paras[i][0]
            e = self.entity_over(s, s + len(t), ("PERSON",))
            if e is None:
                continue
            covered = sum(m.end - m.start for m in e.mentions if s <= m.start < s + len(t))
            if covered >= 0.7 * len(t.rstrip(".")):
                signatory, sig = e.name, i
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
    sentence inside an interview answer) is dropped for the long one."""
    kept: list[tuple[_Candidate, list[str]]] = []
    for c in cands:
        w = words(c.text)
        dup = None
        for n, (k, kw) in enumerate(kept):
            if overlap(w, kw) < 0.8:
                continue
            similar = min(len(w), len(kw)) / max(1, max(len(w), len(kw))) >= 0.5
            if similar or k.speaker == c.speaker:
                dup = n
                break
        if dup is None:
            kept.append((c, w))
            continue
        k, kw = kept[dup]
        similar = min(len(w), len(kw)) / max(1, max(len(w), len(kw))) >= 0.5
        better = (c.direct, len(w)) > (k.direct, len(kw)) if similar else len(w) > len(kw)
        if better:
            kept[dup] = (c, w)
    return sorted((c for c, _ in kept), key=lambda c: (c.start, c.end))


def find_quotes(ctx: DocContext) -> list[Quote]:
    if ctx.doc is None or ctx.cleaned is None:
        return []
    return QuoteFinder(ctx).find()


@stage("quotes")
def _quotes(ex, ctx: DocContext) -> None:
    ctx.extra["quotes"] = find_quotes(ctx)
