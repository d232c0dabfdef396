"""Narrative detection: which recurring storylines a document advances.

GUIDELINES.md section 6: a document *advances* a narrative when it argues it
or presents it as true, in its own voice or through a source it does not
challenge; a report that only mentions or rebuts it does not.

How it works
------------
* **Narratives are data.** ``newsgraph/data/narratives.yaml`` lists the built-in
  narratives (id, name, description, DISARM techniques, examples). A user file
  of the same shape, given as an argument or by the environment variable
  ``NEWSGRAPH_NARRATIVES``, is merged in (:func:`newsgraph.narrative_list.load_narratives`,
  which the API and the exports read too, without this module); the trainer
  takes the same file with ``--extra`` and retrains in one command.
* **Sentence model.** One binary logistic regression per narrative (numpy, L2,
  class-balanced, Newton's method) over the 384-d all-MiniLM-L6-v2 sentence
  embedding of :mod:`newsgraph.nlp.embeddings`, five 0/1 stance cues
  (:data:`CUE_PATTERNS`: rebuttal words, claim framing, question, reported
  speech, dates) and one nearest-neighbour feature (:func:`knn_contrast`:
  similarity to the narrative's training passages minus similarity to the
  others), followed by Platt scaling fitted on 5-fold out-of-fold decision
  values, so that each sentence gets a calibrated probability per narrative.
  Trained by ``scripts/train_narratives.py`` on hand-written positives and hard
  negatives (neutral reporting of the same facts, rebuttals, challenged
  attributions, interview questions); files
  ``newsgraph/data/models/narratives.npz`` (weights, calibration, training
  embeddings for the kNN feature) and ``narratives.json`` (ids, decision rule,
  embedding model id, metrics, sha256 of the training data and of the weights).
* **Document decision.** Candidate sentences are embedded in one batch per
  document: body sentences (never crossing a line) with at least one narrative
  cue word (:data:`_CUES`; about 1 in 6 news sentences has none), at most
  :data:`MAX_SENTENCES` (the most cue-rich ones for long documents).
  Interviewer turns ("— ...?", "Q: ...") are skipped: questions advance
  nothing. A sentence challenged by the next one ("Kyiv denied it", "But ...")
  and headlines count less; a narrative that some sentence rebuts (high without
  its rebuttal words, low with them) counts less in the whole document. The
  document score is ``p1 + (1 - p1) * support * p2`` over the best two
  sentences; the narrative is advanced when it reaches ``threshold`` (raised
  by ``length_slope`` per doubling of the candidates beyond
  :data:`LENGTH_BASE`). Reported scores map that threshold to 0.5. These
  parameters are tuned by the trainer on the full-length articles of
  ``data/training/narrative_documents.yaml`` (written for the project; the
  held-out test documents are never used for tuning) and stored in
  ``narratives.json``. The
  evidence is the best one to three sentences.
* **Sharing.** The stage reads and fills ``ctx.extra["sentence_vectors"]``
  ({(start, end): vector}) so that stages embedding the same sentences pay once.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

# ENV_NARRATIVES is re-exported: the setting belongs with the narratives.
from newsgraph.narrative_list import ENV_NARRATIVES, load_narratives  # noqa: F401
from newsgraph.nlp.loaded_once import LoadedOnce
from newsgraph.nlp.model_files import ModelFileError, data_path, load_model_files
from newsgraph.record import Narrative, Span

if TYPE_CHECKING:  # pragma: no cover
    from newsgraph.pipeline import DocContext, Extractor

MODEL_NAME = "narratives"
ENV_MODEL_DIR = "NEWSGRAPH_NARRATIVE_MODEL_DIR"  # directory holding narratives.npz/.json
MAX_SENTENCES = 60     # candidate sentences embedded per document
MIN_WORDS = 5          # shorter lines (bylines, furniture) are not candidates
MAX_EVIDENCE = 3
# Default decision rule; the trained model's json overrides these.
DEFAULT_DECISION = {"threshold": 0.5, "support": 0.25, "challenge_penalty": 0.6, "rebuttal_penalty": 0.5,
                    "rebuttal_drop": 0.3, "heading_weight": 0.8, "evidence_min": 0.35, "length_slope": 0.0}
#: Documents with more candidate sentences than this raise the threshold by
#: ``length_slope`` per doubling: the best of 60 sentences is high by chance
#: more often than the best of 6, so a long neutral report must not pass on one
#: stray sentence.
LENGTH_BASE = 8
#: Cues whose removal shows a rebuttal: a sentence that the model scores high for a
#: narrative without them and low with them rebuts that narrative.
STANCE_CUES = ("rebuttal", "claim_frame")


# --------------------------------------------------------------------------- features

#: Stance cues appended to the sentence embedding (one 0/1 feature each). The
#: embedding says what a sentence is about; these say how it is framed: a
#: rebuttal, a claim attributed as a claim, a question, a plain report, a dated
#: fact. The per-narrative weights of these features are learned with the rest.
CUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rebuttal", re.compile(
        r"\b(?:den(?:y|ied|ies|ial)|reject\w*|dismiss\w*|refut\w*|debunk\w*|no (?:evidence|sign|basis|proof)|"
        r"without (?:any )?evidence|not (?:been )?(?:supported|substantiated|backed|borne out|confirm\w*)|"
        r"unfounded|baseless|false|untrue|not true|myth|contradict\w*|disput\w*|doubt\w*|"
        r"question(?:s|ed)? whether|ignores?|oversimplif\w*|glosses? over|overstated|misleading|fact-check\w*|"
        r"caution\w*)\b", re.IGNORECASE)),
    ("claim_frame", re.compile(
        r"\b(?:claim\w*|alleg\w*|assert\w*|so-called|the (?:story|idea|notion|narrative|rumou?r|version) (?:that|of)|"
        r"narratives?|portray\w*|presents? itself|present(?:ed|s) (?:the|it|this)|fram(?:ed|es|ing)|propaganda|"
        r"disinformation|campaigns?|pro-(?:Russian|Kremlin|government|junta)|Kremlin-(?:funded|linked)|"
        r"influencers?|fake accounts|Telegram channels?|insist\w*|(?:like|want|love)s? to (?:say|claim|believe)|"
        r"would have (?:us|you) believe)\b", re.IGNORECASE)),
    ("question", re.compile(r"\?\s*[\"'”’)]*\s*$")),
    ("reported", re.compile(r"\b(?:said|says|told|according to|reported|announced|stated)\b", re.IGNORECASE)),
    ("dated", re.compile(
        r"\b(?:1[89]\d\d|20\d\d|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
        r"March|April|May|June|July|August|September|October|November|December)\b")),
)
CUE_SCALE = 1.0


def cue_features(texts: list[str], scale: float = CUE_SCALE) -> np.ndarray:
    """(n, len(CUE_PATTERNS)) stance-cue features of ``texts``."""
    out = np.zeros((len(texts), len(CUE_PATTERNS)), dtype=np.float32)
    for i, t in enumerate(texts):
        for j, (_, rx) in enumerate(CUE_PATTERNS):
            if rx.search(t):
                out[i, j] = scale
    return out


def features(x: np.ndarray, texts: list[str]) -> np.ndarray:
    """Shared model input: sentence embeddings (n, 384) followed by the stance cues."""
    return np.hstack([np.asarray(x, dtype=np.float32), cue_features(list(texts))])


KNN_TOPK = 3
KNN_SCALE = 3.0


def knn_contrast(q: np.ndarray, bank: np.ndarray, bank_y: np.ndarray, topk: int = KNN_TOPK,
                 exclude_self: bool = False) -> np.ndarray:
    """(n, K): per narrative, the mean cosine of ``q`` to its ``topk`` nearest positive
    training passages minus that to its ``topk`` nearest other passages.

    A nearest-neighbour view of the training data that the linear model lacks
    (short slogans, paraphrases); ``exclude_self`` when ``q`` is the bank itself."""
    sims = np.asarray(q, dtype=np.float32) @ np.asarray(bank, dtype=np.float32).T
    if exclude_self:
        np.fill_diagonal(sims, -1.0)
    out = np.zeros((len(q), bank_y.shape[1]), dtype=np.float32)
    if len(q) == 0:
        return out
    for k in range(bank_y.shape[1]):
        pos = bank_y[:, k] > 0
        for sign, cols in ((1.0, pos), (-1.0, ~pos)):
            part = sims[:, cols]
            t = min(topk, part.shape[1])
            if t:
                out[:, k] += sign * np.partition(part, part.shape[1] - t, axis=1)[:, -t:].mean(axis=1)
    return out


# --------------------------------------------------------------------------- model maths


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float, sample_weight: np.ndarray | None = None,
    iterations: int = 50, tol: float = 1e-10,
) -> tuple[np.ndarray, float]:
    """Binary logistic regression, L2 on the weights (not the bias), by Newton's method.

    Minimises ``mean_i s_i * logloss_i + l2/2 * ||w||^2`` (weights normalised to
    mean 1) in float64 from zeros: deterministic for the same inputs."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = x.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    s = s / s.mean()
    xb = np.hstack([x, np.ones((n, 1))])
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    theta = np.zeros(d + 1)
    for _ in range(iterations):
        p = sigmoid(xb @ theta)
        grad = xb.T @ (s * (p - y)) / n + reg * theta
        h = (xb * (s * p * (1 - p))[:, None]).T @ xb / n + np.diag(reg + 1e-10)
        step = np.linalg.solve(h, grad)
        theta -= step
        if float(np.abs(step).max()) < tol:
            break
    return theta[:-1], float(theta[-1])


def fit_platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: ``p = sigmoid(a * z + c)`` fitted to (out-of-fold) decision values.

    Uses Platt's smoothed targets so that a separable fold does not blow up ``a``."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n_pos, n_neg = float(y.sum()), float(len(y) - y.sum())
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    w, c = fit_logistic(z[:, None], t, l2=0.0)
    return float(w[0]), c


def balanced_weights(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    n_pos = max(int(y.sum()), 1)
    n_neg = max(len(y) - int(y.sum()), 1)
    return np.where(y > 0, len(y) / (2.0 * n_pos), len(y) / (2.0 * n_neg))


def combine(probs: np.ndarray, support: float) -> np.ndarray:
    """Document score per narrative from sentence probabilities (n_sentences, K)."""
    if probs.shape[0] == 0:
        return np.zeros(probs.shape[1])
    top = -np.sort(-probs, axis=0)
    p1 = top[0]
    p2 = top[1] if probs.shape[0] > 1 else np.zeros_like(p1)
    return p1 + (1.0 - p1) * support * p2


def effective_threshold(decision: dict, n_candidates: int) -> float:
    """The document threshold for a document with ``n_candidates`` scored sentences."""
    slope = float(decision.get("length_slope", 0.0))
    doublings = np.log2(max(n_candidates, LENGTH_BASE) / LENGTH_BASE)
    return float(decision["threshold"] + slope * doublings)


def rescale_to_half(scores: np.ndarray, threshold: float) -> np.ndarray:
    """Monotone piecewise-linear map of [0, 1] onto [0, 1] sending ``threshold`` to 0.5."""
    t = min(max(threshold, 1e-6), 1.0 - 1e-6)
    scores = np.clip(scores, 0.0, 1.0)
    return np.where(scores >= t, 0.5 + 0.5 * (scores - t) / (1.0 - t), 0.5 * scores / t)


# --------------------------------------------------------------------------- sentences

# leading list / quote / heading markup and answer labels (matched at the sentence start)
_LEAD_MARKUP = re.compile(r"(?:[#>*\-•·–—|]+\s*|\d{1,2}[.)]\s+|\*\*|(?:A|Answer)\s*:\s+)+")
_INTERVIEWER_TURN = re.compile(r"^\s*(?:[—–-]|Q\s*[:.]|Question\s*[:.]|\*\*Q)", re.IGNORECASE)
_QA_MARK = re.compile(r"^\s*(?:Q\s*[:.]|Question\s*[:.]|\*\*Q)", re.IGNORECASE)
_CHALLENGE = re.compile(
    r"\b(?:den(?:y|ied|ies|ial)|reject(?:s|ed)?|dismiss(?:es|ed)?|refut\w*|debunk\w*|no evidence|"
    r"without (?:any )?evidence|not (?:been )?(?:supported|substantiated|backed)|unfounded|baseless|"
    r"false(?:ly)?|untrue|not true|fabricat\w*|disinformation|myth|contradict\w*|disputed?|fact-check\w*|"
    r"(?:says|say|said|suggests?|shows?|tells?) otherwise|a different (?:story|picture)|something else)\b",
    re.IGNORECASE,
)
# A next sentence that opens with a contrast challenges the one before it
# ("Officials say the instructors brought peace. But the villagers ...").
_CONTRAST_OPENING = re.compile(r"^\W*(?:but|however|yet|in (?:fact|reality)|in truth)\b",
                               re.IGNORECASE)
# Words that make a sentence a likely carrier of one of the narratives. A
# sentence with none of them (about 1 in 6 in news text: dates, logistics,
# captions) is not embedded; long documents keep the sentences with the most.
_CUES = re.compile(
    r"\b(?:West(?:ern)?|Europe\w*|France|French|Paris|Brussels|EU|US|USA|United States|America\w*|Washington|"
    r"NATO|UN|MINUSMA|MINUSCA|MONUSCO|Barkhane|Russia\w*|Moscow|Kremlin|Putin|Soviet|USSR|Sankara|Lumumba|"
    r"Ukrain\w*|Kyiv|Kiev|Zelensky|Wagner|Africa Corps|SOMB|instructors?|mercenar\w*|sovereign\w*|multipolar|"
    r"unipolar|hegemon\w*|coloni\w*|neo-?coloni\w*|imperial\w*|partner\w*|friend\w*|equal\w*|respect\w*|"
    r"promis\w*|secur\w*|terror\w*|jihad\w*|rebels?|junta\w*|transition\w*|coup|people|popular|legitima\w*|"
    r"exploit\w*|plunder\w*|resources?|uranium|gold|mines?|mining|oil|cobalt|lithium|prosper\w*|invest\w*|"
    r"grain|wheat|fertili[sz]er|embargo|jobs|hypocri\w*|double standards?|interfer\w*|dictat\w*|lectur\w*|"
    r"sanction\w*|abuses?|massacre\w*|executions?|proxy|militari[sz]\w*|fail\w*|never|always|only|must|"
    r"thanks to|liberat\w*|freed|restor\w*|destabili[sz]\w*|provocation|arm(?:s|ed|ing)?|fund\w*|financ\w*|"
    r"Africa\w*|Sahel\w*|continent\w*|foreign\w*|independen\w*|dignity|choices?|chose|choos\w*|destiny|"
    r"decoloni\w*|allian\w*|patriot\w*|nations?|world|superpower|rules|masters?|chessboard|soldiers|army|"
    r"officers|military|troops|peace|condescend\w*|humiliat\w*|punish\w*|poor|poverty|rich|wealth|profit\w*|"
    r"prices?|electricity|bread|hung\w*|schools?|hospitals?|ECOWAS|AES|BRICS|Global South|backyard|dominat\w*|"
    r"tutelage|diktat|usurp\w*|corrupt\w*|victor\w*|defeat\w*|hostages?|weapons?|guns?|kill\w*|civilians?|"
    r"villag\w*|abroad|future|decid\w*|politicians|youth|Captain|Colonel|General|operations?)\b", re.IGNORECASE)


@dataclass
class Candidate:
    start: int
    end: int
    text: str
    challenged: bool = False  # followed, in its paragraph, by a challenge
    heading: bool = False     # a headline or subheading: a short line without final punctuation


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    m = _LEAD_MARKUP.match(text, start, end)
    if m and m.end() > start:
        start = m.end()
        while start < end and text[start].isspace():
            start += 1
    return start, end


_ABBREV_END = re.compile(
    r"\b(?:Capt|Col|Lt|Gen|Maj|Sgt|Cpl|Adm|Brig|Cmdr|Mr|Mrs|Ms|Dr|Prof|St|Gov|Sen|Rep|Jr|Sr|No|Pres|Amb)\.\s*$")


def _sentence_bounds(text: str, doc: Any = None) -> list[tuple[int, int]]:
    """Sentences as (start, end), never crossing a line break."""
    if doc is not None:
        raw = [(s.start_char, s.end_char) for s in doc.sents]
    else:
        raw = [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|(?=\n)|$)", text)]
    # re-join sentences that a title abbreviation split ("led by Capt. | Ibrahim Traoré")
    merged: list[tuple[int, int]] = []
    for a, b in raw:
        if merged and _ABBREV_END.search(text, merged[-1][0], merged[-1][1]) and "\n" not in text[merged[-1][1]:a]:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    out: list[tuple[int, int]] = []
    for a, b in merged:
        pos = a
        for piece in text[a:b].split("\n"):
            s, e = _trim(text, pos, pos + len(piece))
            if e > s:
                out.append((s, e))
            pos += len(piece) + 1
    return out


def _line_of(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


_QUESTION_END = re.compile(r"\?[\"'”’)*_]*\s*$")
MAX_QUESTION_WORDS = 80


def _unmarked_question_lines(text: str) -> set[int]:
    """Start offsets of interviewer turns in an interview whose questions carry no
    "Q:" or dash: short paragraphs ending with a question mark, each followed by
    a paragraph that answers it. At least three such pairs make the document an
    interview; fewer are taken as rhetorical questions of the author."""
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((pos, raw.strip()))
        pos += len(raw) + 1
    asks = [i for i, (_, line) in enumerate(lines)
            if _QUESTION_END.search(line) and len(line.split()) <= MAX_QUESTION_WORDS]
    answered = [i for i in asks if i + 1 < len(lines) and not _QUESTION_END.search(lines[i + 1][1])]
    if len(answered) < 3:
        return set()
    return {lines[i][0] for i in answered}


def candidate_sentences(text: str, doc: Any = None, max_sentences: int = MAX_SENTENCES) -> list[Candidate]:
    """The sentences worth scoring: body sentences with a narrative cue, minus interviewer
    questions and furniture.

    Long documents keep the ``max_sentences`` sentences with the most narrative
    cues (ties: earlier first), in document order."""
    bounds = _sentence_bounds(text, doc)
    unmarked_questions = _unmarked_question_lines(text)
    cands: list[Candidate] = []
    line_cache: dict[int, tuple[bool, bool]] = {}
    for i, (s, e) in enumerate(bounds):
        sent = text[s:e]
        if len(re.findall(r"[^\W\d_]{2,}", sent)) < MIN_WORDS or not _CUES.search(sent):
            continue
        ls, le = _line_of(text, s)
        if ls not in line_cache:
            line = text[ls:le].strip()
            is_q_turn = bool(_QA_MARK.match(line)) or (
                bool(_INTERVIEWER_TURN.match(line)) and line.rstrip("*_ ").endswith("?"))
            is_q_turn = is_q_turn or ls in unmarked_questions
            line_cache[ls] = (is_q_turn, bool(_INTERVIEWER_TURN.match(line)))
        is_q_turn, dash_turn = line_cache[ls]
        if is_q_turn or (dash_turn and sent.rstrip("*_ \"”").endswith("?")):
            continue  # interviewer: questions do not advance narratives
        # challenged by the next sentence (in the same paragraph or opening the next)
        challenged = False
        if i + 1 < len(bounds):
            ns, ne = bounds[i + 1]
            nxt = text[ns:ne]
            same_line = _line_of(text, ns)[0] == ls
            if _CONTRAST_OPENING.match(nxt) or (same_line and _CHALLENGE.search(nxt)):
                challenged = True
        line = text[ls:le].strip().strip("*_#> ")
        heading = (s, e) == _trim(text, ls, le) and len(line.split()) <= 14 and not re.search(r"[.!?:;]['\"”’)]*$", line)
        cands.append(Candidate(s, e, sent, challenged, heading))
    if len(cands) > max_sentences:
        ranked = sorted(range(len(cands)), key=lambda j: (-len(_CUES.findall(cands[j].text)), j))
        keep = sorted(ranked[:max_sentences])
        cands = [cands[j] for j in keep]
    return cands


# --------------------------------------------------------------------------- detector


def model_dir() -> Path:
    env = os.environ.get(ENV_MODEL_DIR)
    return Path(env) if env else data_path("models")


def model_files(directory: Path | None = None) -> tuple[Path, Path]:
    d = Path(directory) if directory is not None else model_dir()
    return d / f"{MODEL_NAME}.npz", d / f"{MODEL_NAME}.json"


@dataclass
class DocumentNarratives:
    narratives: list[Narrative]
    scores: dict[str, float]            # every narrative's document score
    sentences: list[Candidate]          # the candidates that were scored
    probs: np.ndarray                   # (len(sentences), K) sentence probabilities


class NarrativeDetector(LoadedOnce):
    """Sentence and document narrative scores (see module docstring)."""


    def __init__(self, directory: Path | None = None, extra: str | Path | None = None, embedder: Any = None):
        from newsgraph.nlp.embeddings import MODEL_ID as EMBEDDING_MODEL_ID

        weights_path, meta_path = model_files(directory)
        self.meta, arrays = load_model_files(weights_path, meta_path, what="narrative model",
                                             trainer="scripts/train_narratives.py",
                                             embedding_model=EMBEDDING_MODEL_ID)
        self.w = np.asarray(arrays["W"], dtype=np.float32)       # (384 + cues + 1, K); last row: kNN
        self.b = np.asarray(arrays["b"], dtype=np.float32)       # (K,)
        self.platt = np.asarray(arrays["platt"], dtype=np.float32)  # (2, K): a, c
        self.bank = np.asarray(arrays["bank"], dtype=np.float32)    # (n, 384) training embeddings
        self.bank_y = np.asarray(arrays["bank_y"], dtype=np.uint8)  # (n, K) their labels
        self.ids: list[str] = list(self.meta["ids"])
        if list(self.meta.get("cues") or []) != [name for name, _ in CUE_PATTERNS]:
            raise ModelFileError(f"{meta_path.name} was trained with other stance cues: retrain")
        self.knn = {"topk": KNN_TOPK, "scale": KNN_SCALE, **(self.meta.get("knn") or {})}
        if self.bank.shape[0] != self.bank_y.shape[0] or self.bank_y.shape[1] != len(self.ids):
            raise ModelFileError(f"training bank shapes do not match {meta_path.name}")
        if self.w.shape != (self.meta["dim"] + len(CUE_PATTERNS) + 1, len(self.ids)) or self.platt.shape != (2, len(self.ids)):
            raise ModelFileError(f"weight shapes do not match {meta_path.name}")
        self.decision = {**DEFAULT_DECISION, **(self.meta.get("decision") or {})}
        self.definitions = {n.id: n for n in load_narratives(extra)}
        self._embedder = embedder

    @property
    def embedder(self):
        if self._embedder is None:
            from newsgraph.nlp.embeddings import Embedder

            self._embedder = Embedder.get()
        return self._embedder

    def proba_embeddings(self, x: np.ndarray, sentences: list[str]) -> np.ndarray:
        """(n, 384) embeddings of ``sentences`` -> (n, K) calibrated probabilities."""
        return self.score_embeddings(x, sentences)[0]

    def score_embeddings(self, x: np.ndarray, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities (n, K), and the same without the stance cues
        (:data:`STANCE_CUES`): what the sentence would score if it did not rebut."""
        if len(x) == 0:
            empty = np.zeros((0, len(self.ids)), dtype=np.float32)
            return empty, empty
        x = np.asarray(x, dtype=np.float32)
        knn = knn_contrast(x, self.bank, self.bank_y, int(self.knn["topk"])) * float(self.knn["scale"])
        f = features(x, sentences)
        z = f @ self.w[:-1] + knn * self.w[-1] + self.b
        dim = x.shape[1]
        for j, (name, _) in enumerate(CUE_PATTERNS):
            if name in STANCE_CUES:
                f[:, dim + j] = 0.0
        z0 = f @ self.w[:-1] + knn * self.w[-1] + self.b
        a, c = self.platt[0], self.platt[1]
        return sigmoid(a * z + c).astype(np.float32), sigmoid(a * z0 + c).astype(np.float32)

    def proba(self, sentences: list[str]) -> np.ndarray:
        sentences = list(sentences)
        return self.proba_embeddings(self.embedder.embed(sentences), sentences)

    def decide(self, cands: list[Candidate], probs: np.ndarray, text: str | None = None,
               unstanced: np.ndarray | None = None) -> DocumentNarratives:
        """The document's narratives from its candidates' probabilities.

        ``unstanced``: the probabilities without the stance cues; a narrative
        that some sentence rebuts (high without its rebuttal words, low with
        them) counts less in the whole document."""
        d = self.decision
        adj = probs.copy()
        for i, c in enumerate(cands):
            if c.challenged:
                adj[i] *= d["challenge_penalty"]
            if c.heading:
                adj[i] *= d["heading_weight"]
        scores = combine(adj, d["support"])
        if unstanced is not None and len(cands):
            rebutted = ((unstanced - probs) >= d["rebuttal_drop"]).any(axis=0)
            scores = np.where(rebutted, scores * d["rebuttal_penalty"], scores)
        # Reported scores put the document's decision threshold at 0.5, so that
        # "score >= 0.5" means "advanced" whatever the length correction.
        scores = rescale_to_half(scores, effective_threshold(d, len(cands)))
        found: list[Narrative] = []
        for k in np.argsort(-scores, kind="stable"):
            score = float(scores[k])
            if score < 0.5:
                continue
            order = np.argsort(-adj[:, k], kind="stable")
            ev = [order[0]] + [j for j in order[1:MAX_EVIDENCE] if adj[j, k] >= d["evidence_min"]]
            evidence = [Span(start=cands[j].start, end=cands[j].end,
                             text=(text[cands[j].start:cands[j].end] if text is not None else cands[j].text))
                        for j in sorted(ev)]
            found.append(Narrative(id=self.ids[k], score=round(min(1.0, max(0.0, score)), 4), evidence=evidence))
        return DocumentNarratives(found, {nid: float(s) for nid, s in zip(self.ids, scores)}, cands, adj)

    def detect_text(self, text: str, doc: Any = None,
                    cache: dict[tuple[int, int], np.ndarray] | None = None) -> DocumentNarratives:
        """Narratives ``text`` advances; ``cache`` maps (start, end) to sentence vectors to reuse."""
        cands = candidate_sentences(text, doc)
        x = np.zeros((len(cands), int(self.meta["dim"])), dtype=np.float32)
        missing = [i for i, c in enumerate(cands) if cache is None or (c.start, c.end) not in cache]
        if cache is not None:
            for i, c in enumerate(cands):
                if (c.start, c.end) in cache:
                    x[i] = cache[(c.start, c.end)]
        if missing:
            x[missing] = self.embedder.embed([cands[i].text for i in missing])  # one batch per document
            if cache is not None:
                for i in missing:
                    cache[(cands[i].start, cands[i].end)] = x[i]
        probs, unstanced = self.score_embeddings(x, [c.text for c in cands])
        return self.decide(cands, probs, text, unstanced)

    def detect(self, text: str, doc: Any = None) -> list[Narrative]:
        return self.detect_text(text, doc).narratives


#: ctx.extra key under which stages may share sentence vectors: {(start, end): vector}.
SENTENCE_VECTORS = "sentence_vectors"


def run_stage(ex: "Extractor", ctx: "DocContext") -> None:
    """The ``narratives`` pipeline stage: ``ctx.extra["narratives"]`` = list of record.Narrative.

    Sentence vectors are shared with other stages through
    ``ctx.extra[SENTENCE_VECTORS]`` ({(start, end): vector}); only the missing
    candidates are embedded, in one batch."""
    det = getattr(ex, "_narrative_detector", None)
    if det is None:
        det = ex._narrative_detector = NarrativeDetector.get()
    cache = ctx.extra.get(SENTENCE_VECTORS)
    if not isinstance(cache, dict):
        cache = ctx.extra[SENTENCE_VECTORS] = {}
    ctx.extra["narratives"] = det.detect_text(ctx.text, ctx.doc, cache).narratives


def _register() -> None:
    """Register the stage on import (a no-op when pipeline.py already defines it)."""
    from newsgraph.pipeline import STAGES, stage

    if "narratives" not in STAGES:
        stage("narratives")(run_stage)


_register()

