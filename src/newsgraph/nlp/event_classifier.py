"""PLOVER event-type sentence classifier.

Given sentences, returns a probability for each of the 16 PLOVER event types
(GUIDELINES.md section 4) and for ``NONE`` (no political event), the best type,
and a PLOVER / domain ``mode`` for the best type when the sentence's wording
gives one.

Type model: multinomial logistic (softmax) regression with L2 regularisation,
written with numpy, over the 384-d all-MiniLM-L6-v2 sentence embeddings of
:mod:`newsgraph.nlp.embeddings`. It is trained by
``scripts/train_event_classifier.py`` on the hand-written sentences in
``newsgraph/data/training/events.yaml``; the weights live in
``newsgraph/data/models/event_type.npz`` and the label names, embedding model
id, and the sha256 of the training data and of the weights in
``event_type.json``.

Mode: keyword rules (:data:`MODE_RULES`) applied to the sentence for the
predicted type, first matching rule wins. Modes are lexical in nature
("arrested" -> arrest, "drone strike" -> drone), so rules are more precise
than a learned head on ~50 sentences per type, and they are easy to audit.
Types without a mode rule that matches give ``mode=None``.

The whole batch of sentences is embedded in one call (one batch per document);
the model is loaded once per process (:meth:`EventClassifier.get`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newsgraph.nlp.loaded_once import LoadedOnce
from newsgraph.nlp.embeddings import MODEL_ID as EMBEDDING_MODEL_ID
from newsgraph.nlp.embeddings import Embedder
from newsgraph.nlp.model_files import ModelFileError, data_path, load_model_files

EVENT_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
NONE = "NONE"
LABELS: tuple[str, ...] = EVENT_TYPES + (NONE,)

MODEL_NAME = "event_type"


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")", re.IGNORECASE)


#: type -> ordered (mode, pattern) rules; the first pattern found in the sentence
#: gives the mode. Patterns are prefixes of words (``\b`` on the left only).
MODE_RULES: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "CONSULT": [
        ("phone", _rx(r"phon", r"telephon", r"call(?:ed|s)? (?:with|by)", r"video ?(?:call|link|conference)",
                      r"by (?:video|phone)", r"spoke (?:by|on|over)", r"conversation")),
        ("third-party", _rx(r"mediat", r"under the auspices", r"under [\w\- ]+ auspices", r"brokered",
                            r"hosted talks between", r"facilitat")),
        ("multilateral", _rx(r"summit", r"multilateral", r"conference", r"ministerial", r"leaders of",
                             r"heads of state", r"G20", r"BRICS", r"assembly of")),
        ("visit", _rx(r"visit", r"travel", r"flew to", r"arriv", r"received", r"hosted", r"welcomed",
                      r"trip", r"tour", r"went to", r"came to", r"\bmet\b", r"meeting", r"talks", r"consultations")),
    ],
    "RETREAT": [
        ("release", _rx(r"releas", r"fre(?:e|ed|es|eing)\b", r"set free", r"exchang(?:e|ed) (?:of )?prisoners",
                        r"prisoners? (?:of war )?(?:were |was )?exchang", r"pardon", r"handed back", r"repatriat")),
        ("resign", _rx(r"resign", r"stepped down", r"step down", r"stepping down", r"quit", r"left office")),
        ("surrender", _rx(r"surrender", r"gave themselves up", r"capitulat")),
        ("disarm", _rx(r"disarm", r"demobili", r"laid down (?:their |its )?(?:arms|weapons)", r"hand(?:ed|ing)? (?:in|over) (?:their |its )?(?:heavy )?weapons",
                       r"dismantl", r"decommission", r"gave up (?:its|their) weapons")),
        ("withdraw", _rx(r"withdr", r"pull(?:ed|ing|s)?\b[^.;]{0,40}?\b(?:out|back)\b", r"pullout", r"left", r"leav", r"evacuat",
                         r"departure", r"retreat", r"abandon", r"handed over (?:its|their) (?:camp|base)")),
    ],
    "COERCE": [
        ("coup", _rx(r"coup", r"seized power", r"seize power", r"overthr", r"topple", r"ousted", r"deposed",
                     r"military takeover", r"took power", r"putsch", r"mutin")),
        ("arrest", _rx(r"arrest", r"detain", r"detention", r"jail", r"imprison", r"custody", r"round(?:ed)? up",
                       r"apprehend", r"sentenc", r"abduct(?:ed)? by (?:the )?(?:police|security)")),
        ("censor", _rx(r"censor", r"broadcast", r"newspaper", r"journalist", r"media", r"radio", r"television", r"channel", r"\bTV",
                       r"website", r"licence of", r"license of", r"press", r"magazine", r"social media")),
        ("dissolve", _rx(r"dissol", r"disband")),
        ("ban", _rx(r"\bban", r"banned", r"bans", r"prohibit", r"outlaw", r"suspended the activities",
                    r"suspended (?:all )?political")),
        ("seize", _rx(r"seiz", r"confiscat", r"nationali[sz]", r"expropriat", r"took control", r"take control",
                      r"requisition", r"impound")),
        ("restrict", _rx(r"curfew", r"state of emergency", r"restrict", r"internet", r"shut down", r"blocked access",
                         r"blockade", r"closed", r"suspend", r"expel", r"deport", r"conscript")),
    ],
    "ASSAULT": [
        ("abduct", _rx(r"abduct", r"kidnap", r"hostage", r"hijack", r"taken captive", r"seized (?:two|three|\d+)")),
        ("drone", _rx(r"drone", r"UAV")),
        ("aerial", _rx(r"air ?strike", r"air raid", r"bomb(?:ed|ing|s)? (?!attack)", r"aircraft", r"air force",
                       r"fighter jet", r"warplane", r"helicopter", r"aerial", r"shot down", r"bombard")),
        ("explosives", _rx(r"bomb", r"explo", r"IED", r"mine\b", r"landmine", r"suicide", r"grenade", r"rocket",
                           r"missile", r"shell(?:ed|ing|s)", r"mortar", r"artillery")),
        ("massacre", _rx(r"massacr", r"mass killing", r"killed (?:hundreds|dozens|scores)", r"executed (?:hundreds|dozens|scores)",
                         r"genocid", r"ethnic cleansing", r"slaughter", r"burned villages")),
        ("targeted", _rx(r"assassinat", r"murder", r"executed", r"beheaded", r"sniper", r"targeted killing",
                         r"tortur", r"sexual(?:ly)? (?:assault|violence)", r"rape")),
        ("firearms", _rx(r"gun", r"shot", r"shoot", r"opened fire", r"fired on", r"ambush", r"rifle", r"firefight",
                         r"clash", r"fighting", r"fought", r"stormed", r"attack", r"raid")),
    ],
    "SANCTION": [
        ("expel", _rx(r"expel", r"expuls", r"persona non grata", r"ordered (?:\w+ )*to leave")),
        ("embargo", _rx(r"embargo", r"ban(?:ned|s)? (?:on )?(?:the )?(?:import|export)", r"import ban",
                        r"export ban", r"trade ban")),
        ("withdraw", _rx(r"withdr", r"pull(?:ed|s|ing)? out of", r"leav(?:e|ing) (?:the )?(?:bloc|ECOWAS|organi)",
                         r"left (?:the )?(?:bloc|ECOWAS|organi)", r"recall", r"exit", r"quit")),
        ("discontinue", _rx(r"suspend", r"suspension", r"cut", r"sever", r"broke off", r"break off",
                            r"end(?:ed|s|ing)? (?:[\w\-]+ ){0,3}(?:cooperation|aid|ties|relations|agreement|accord|pact|partnership)",
                            r"halt", r"terminat", r"downgrad", r"froze", r"freez", r"closed", r"clos(?:e|ing) (?:its|their|the) (?:border|embassy|airspace)")),
    ],
    "MOBILIZE": [
        ("exercise", _rx(r"exercis", r"drill", r"manoeuvr", r"maneuver", r"readiness check", r"war games")),
        ("alert", _rx(r"alert", r"standby", r"stand-by", r"state of (?:maximum )?(?:alert|readiness)", r"high readiness")),
        ("weapons", _rx(r"weapon", r"missile", r"warship", r"tank", r"fighter jet", r"bomber", r"armou?red",
                        r"artillery", r"air-defen[cs]e", r"nuclear", r"navy", r"naval", r"fleet")),
        ("troops", _rx(r"troop", r"soldier", r"forces", r"reservist", r"mobili[sz]", r"recruit", r"enlist",
                       r"reinforc", r"fighters", r"army", r"build-up", r"buildup", r"deploy", r"massed")),
    ],
    "AID": [
        ("rescue", _rx(r"rescu", r"freed (?:the )?(?:\w+ )?(?:hostage|kidnapped|captive|abducted)",
                       r"liberat(?:ed|ing) (?:the )?hostage", r"evacuated (?:\w+ )*citizens")),
        ("humanitarian", _rx(r"humanitarian", r"food", r"wheat", r"grain", r"fertili[sz]er", r"medic", r"doctor",
                             r"vaccin", r"hospital", r"relief", r"flood", r"earthquake", r"famine", r"displaced",
                             r"refugee", r"shelter", r"tents")),
        ("training", _rx(r"train(?:ed|ing|s)?\b", r"taught", r"teach", r"course", r"academ", r"schooling", r"drill instruct")),
        ("instructors", _rx(r"instructor", r"adviser", r"advisor", r"specialist", r"trainer", r"military expert",
                            r"mercenar", r"contractor", r"personnel", r"(?<!MiG )(?<!jet )(?<!Sukhoi )fighters",
                            r"pilots", r"technician",
                            r"protection", r"security for")),
        ("arms", _rx(r"weapon", r"arms\b", r"helicopter", r"aircraft", r"jet", r"drone", r"tank", r"armou?red",
                     r"vehicle", r"ammunition", r"missile", r"air-defen[cs]e", r"rifle", r"artillery", r"bomber",
                     r"military (?:equipment|hardware|supplies)", r"patrol boat", r"Pantsir", r"Mi-\d", r"Su-\d",
                     r"MiG", r"BTR", r"Bayraktar", r"Patriot")),
        ("financial", _rx(r"loan", r"grant", r"fund", r"financ", r"debt", r"budget support", r"dollar", r"euro",
                          r"\$", r"million", r"billion", r"credit", r"disburs", r"money", r"cash")),
    ],
}


def mode_for(event_type: str, sentence: str) -> str | None:
    """The mode the sentence's wording gives for ``event_type``, or None."""
    for mode, pattern in MODE_RULES.get(event_type, ()):
        if pattern.search(sentence):
            return mode
    return None


@dataclass
class TypeScores:
    """Classifier output for one sentence."""

    probs: dict[str, float]  # label -> probability, the 16 types and NONE
    type: str                # best label (may be "NONE")
    score: float             # its probability
    mode: str | None = None  # PLOVER / domain mode of the best type, when the wording gives one
    ranked: list[tuple[str, float]] = field(default_factory=list)  # labels by probability

    @property
    def is_event(self) -> bool:
        return self.type != NONE

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        return self.ranked[:k]

    def best_event_type(self) -> tuple[str, float]:
        """The most probable of the 16 event types (ignoring NONE)."""
        return next((lab, p) for lab, p in self.ranked if lab != NONE)


# --------------------------------------------------------------------------- model


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(
    x: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    l2: float = 1e-3,
    iterations: int = 3000,
    learning_rate: float = 0.5,
    sample_weight: np.ndarray | None = None,
    tol: float = 1e-7,
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with L2 on the weights (not the bias).

    Full-batch gradient descent with Nesterov momentum, in float64, from zeros:
    the result is deterministic. Minimises
    ``mean_i w_i * CE(softmax(x_i W + b), y_i) + l2/2 * ||W||^2`` with weights
    normalised to mean 1.
    """
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y] = 1.0
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sw = (sw / sw.mean())[:, None]
    w = np.zeros((d, n_classes))
    b = np.zeros(n_classes)
    vw = np.zeros_like(w)
    vb = np.zeros_like(b)
    momentum = 0.9
    prev_loss = np.inf
    for _ in range(iterations):
        wl = w + momentum * vw
        bl = b + momentum * vb
        p = softmax(x @ wl + bl)
        g = (p - onehot) * sw / n
        gw = x.T @ g + l2 * wl
        gb = g.sum(axis=0)
        vw = momentum * vw - learning_rate * gw
        vb = momentum * vb - learning_rate * gb
        w = w + vw
        b = b + vb
        if _ % 50 == 0:
            p = softmax(x @ w + b)
            loss = float(-(sw[:, 0] * np.log(p[np.arange(n), y] + 1e-12)).mean() + 0.5 * l2 * (w * w).sum())
            if abs(prev_loss - loss) < tol:
                break
            prev_loss = loss
    return w.astype(np.float32), b.astype(np.float32)


def balanced_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    per_class = len(y) / (n_classes * np.maximum(counts, 1.0))
    return per_class[y]


def model_files() -> tuple[Path, Path]:
    return data_path("models", f"{MODEL_NAME}.npz"), data_path("models", f"{MODEL_NAME}.json")


class EventClassifier(LoadedOnce):
    """Sentence -> PLOVER event type probabilities (see module docstring)."""


    def __init__(self, weights_path: Path | None = None, meta_path: Path | None = None,
                 embedder: Embedder | None = None):
        default_npz, default_json = model_files()
        weights_path = Path(weights_path or default_npz)
        meta_path = Path(meta_path or default_json)
        self.meta, arrays = load_model_files(
            weights_path, meta_path, what="event classifier", trainer="scripts/train_event_classifier.py",
            embedding_model=EMBEDDING_MODEL_ID)
        self.w = np.asarray(arrays["W"], dtype=np.float32)
        self.b = np.asarray(arrays["b"], dtype=np.float32)
        self.labels: tuple[str, ...] = tuple(self.meta["labels"])
        if self.w.shape != (self.meta["dim"], len(self.labels)):
            raise ModelFileError(f"weight shape {self.w.shape} does not match {meta_path.name}")
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder.get()
        return self._embedder

    def predict_proba_embeddings(self, x: np.ndarray) -> np.ndarray:
        """(n, 384) embeddings -> (n, len(labels)) probabilities."""
        if len(x) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return softmax(x.astype(np.float32) @ self.w + self.b)

    def predict_proba(self, sentences: list[str]) -> np.ndarray:
        return self.predict_proba_embeddings(self.embedder.embed(list(sentences)))

    def classify(self, sentences: list[str]) -> list[TypeScores]:
        """Scores for every sentence; the sentences are embedded in one batch."""
        sentences = list(sentences)
        probs = self.predict_proba(sentences)
        out: list[TypeScores] = []
        for sentence, row in zip(sentences, probs):
            order = np.argsort(-row, kind="stable")
            ranked = [(self.labels[i], float(row[i])) for i in order]
            best, score = ranked[0]
            out.append(TypeScores(
                probs={lab: float(p) for lab, p in zip(self.labels, row)},
                type=best,
                score=score,
                mode=mode_for(best, sentence) if best != NONE else None,
                ranked=ranked,
            ))
        return out


def classify(sentences: list[str]) -> list[TypeScores]:
    """Shortcut for ``EventClassifier.get().classify``."""
    return EventClassifier.get().classify(sentences)
