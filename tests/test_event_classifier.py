"""The PLOVER event-type sentence classifier and its evaluation sentences.

Run with ``-s`` to see the per-type accuracy report on tests/data/event_sentences.yaml.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml

from newsgraph.nlp.embeddings import MODEL_ID as EMBEDDING_MODEL_ID
from newsgraph.nlp.event_classifier import (
    EVENT_TYPES,
    LABELS,
    NONE,
    EventClassifier,
    mode_for,
    model_files,
    data_path,
)

EVAL_FILE = Path(__file__).parent / "data" / "event_sentences.yaml"
STATUSES = {"asserted", "future", "hypothetical", "negated"}
MIN_TYPE_ACCURACY = 0.80
MIN_NONE_RECALL = 0.75
MIN_MODE_ACCURACY = 0.80


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def eval_sentences() -> list[dict]:
    return yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["sentences"]


@pytest.fixture(scope="module")
def training() -> dict[str, list[str]]:
    return yaml.safe_load(data_path("training", "events.yaml").read_text(encoding="utf-8"))["labels"]


@pytest.fixture(scope="module")
def classifier() -> EventClassifier:
    return EventClassifier.get()


@pytest.fixture(scope="module")
def predictions(classifier, eval_sentences):
    return classifier.classify([s["text"] for s in eval_sentences])


# ----------------------------------------------------------------- model files


def test_model_files_match_recorded_hashes():
    weights, meta_path = model_files()
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert _sha256(weights) == meta["weights_sha256"]
    # the shipped model was trained on the training file as it is now
    # (after editing events.yaml, run scripts/train_event_classifier.py)
    assert _sha256(data_path("training", "events.yaml")) == meta["training_data_sha256"]
    assert meta["embedding_model"] == EMBEDDING_MODEL_ID
    assert tuple(meta["labels"]) == LABELS


def test_classifier_loads_once(classifier):
    assert EventClassifier.get() is classifier
    assert classifier.labels == LABELS
    assert classifier.w.shape == (384, len(LABELS))


def test_tampered_weights_are_refused(tmp_path):
    weights, meta_path = model_files()
    bad = tmp_path / "event_type.npz"
    bad.write_bytes(weights.read_bytes() + b"\0")
    from newsgraph.nlp.event_classifier import ModelFileError

    with pytest.raises(ModelFileError):
        EventClassifier(weights_path=bad, meta_path=meta_path)


# ----------------------------------------------------------------- data files


def test_training_data_covers_every_type(training):
    assert set(training) == set(LABELS)
    for label in EVENT_TYPES:
        assert len(training[label]) >= 40, label
    assert len(training[NONE]) >= 150


def test_eval_file_is_well_formed(eval_sentences, training):
    assert len(eval_sentences) >= 160
    counts = Counter(s["type"] for s in eval_sentences)
    for label in EVENT_TYPES:
        assert counts[label] >= 8, label
    assert counts[NONE] >= 15
    texts = [s["text"] for s in eval_sentences]
    assert len(set(texts)) == len(texts), "duplicate evaluation sentence"
    trained = {" ".join(t.split()) for items in training.values() for t in items}
    leaked = [t for t in texts if " ".join(t.split()) in trained]
    assert not leaked, f"evaluation sentences also in the training data: {leaked}"
    for s in eval_sentences:
        assert s["type"] in LABELS, s
        if s["type"] == NONE:
            continue
        assert isinstance(s["actor"], list) and isinstance(s["recipient"], list), s["text"]
        assert s["status"] in STATUSES, s["text"]
        if "date" in s:
            assert "published" in s, s["text"]
    statuses = Counter(s.get("status") for s in eval_sentences if s["type"] != NONE)
    assert statuses["negated"] >= 8 and statuses["future"] >= 5 and statuses["hypothetical"] >= 3


# ----------------------------------------------------------------- accuracy


def test_type_accuracy_on_eval_sentences(eval_sentences, predictions):
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusions: Counter = Counter()
    misses = []
    for s, p in zip(eval_sentences, predictions):
        per_type[s["type"]][1] += 1
        if p.type == s["type"]:
            per_type[s["type"]][0] += 1
        else:
            confusions[(s["type"], p.type)] += 1
            misses.append(f"  {s['type']:<9} -> {p.type:<9} ({p.score:.2f})  {s['text']}")
    total_ok = sum(ok for ok, _ in per_type.values())
    total = sum(n for _, n in per_type.values())
    ev_ok = sum(per_type[t][0] for t in EVENT_TYPES)
    ev_n = sum(per_type[t][1] for t in EVENT_TYPES)

    print(f"\nEvent-type accuracy on {EVAL_FILE.name} ({total} sentences)")
    print(f"{'type':<10} {'ok':>3}/{'n':<3} {'acc':>6}")
    for label in LABELS:
        ok, n = per_type[label]
        if n:
            print(f"{label:<10} {ok:>3}/{n:<3} {ok / n:>6.1%}")
    print(f"{'events':<10} {ev_ok:>3}/{ev_n:<3} {ev_ok / ev_n:>6.1%}")
    print(f"{'overall':<10} {total_ok:>3}/{total:<3} {total_ok / total:>6.1%}")
    if misses:
        print("misclassified:")
        print("\n".join(misses))

    assert ev_ok / ev_n >= MIN_TYPE_ACCURACY, f"event-type accuracy {ev_ok / ev_n:.1%}"
    assert total_ok / total >= MIN_TYPE_ACCURACY, f"overall accuracy {total_ok / total:.1%}"


def test_none_sentences_are_mostly_none(eval_sentences, predictions):
    none = [(s, p) for s, p in zip(eval_sentences, predictions) if s["type"] == NONE]
    recall = sum(p.type == NONE for _, p in none) / len(none)
    assert recall >= MIN_NONE_RECALL, f"NONE recall {recall:.1%}"
    # and sentences with events are rarely dismissed as NONE
    events = [(s, p) for s, p in zip(eval_sentences, predictions) if s["type"] != NONE]
    assert sum(p.type == NONE for _, p in events) / len(events) <= 0.05


def test_mode_of_correctly_typed_sentences(eval_sentences, predictions):
    pairs = [(s, p) for s, p in zip(eval_sentences, predictions) if s.get("mode") and p.type == s["type"]]
    assert pairs
    wrong = [(s["text"], s["mode"], p.mode) for s, p in pairs if p.mode != s["mode"]]
    accuracy = 1 - len(wrong) / len(pairs)
    print(f"\nmode accuracy (sentences typed correctly): {accuracy:.1%} of {len(pairs)}")
    for text, want, got in wrong:
        print(f"  {want} -> {got}: {text}")
    assert accuracy >= MIN_MODE_ACCURACY


# ----------------------------------------------------------------- API


def test_scores_are_probabilities(classifier):
    (score,) = classifier.classify(["Russian instructors trained Malian soldiers near Bamako."])
    assert set(score.probs) == set(LABELS)
    assert abs(sum(score.probs.values()) - 1.0) < 1e-4
    assert score.type == max(score.probs, key=score.probs.get)
    assert score.score == pytest.approx(score.probs[score.type])
    assert [lab for lab, _ in score.ranked][0] == score.type
    assert score.best_event_type()[0] in EVENT_TYPES


def test_empty_input(classifier):
    assert classifier.classify([]) == []


def test_one_embedding_batch_per_call(classifier):
    calls = []

    class CountingEmbedder:
        def embed(self, texts, batch_size=8):
            calls.append(len(texts))
            return classifier.embedder.embed(texts, batch_size=batch_size)

    probe = EventClassifier(embedder=CountingEmbedder())
    out = probe.classify(["The junta arrested two journalists.", "Mali expelled the French ambassador.", "Rain."])
    assert calls == [3]
    assert len(out) == 3
    np.testing.assert_allclose(
        [o.probs["COERCE"] for o in out],
        [o.probs["COERCE"] for o in classifier.classify([
            "The junta arrested two journalists.", "Mali expelled the French ambassador.", "Rain."])],
        atol=1e-5,
    )


@pytest.mark.parametrize("event_type, sentence, mode", [
    ("CONSULT", "Putin spoke by telephone with Traoré.", "phone"),
    ("CONSULT", "Talks were held in Doha under Qatari mediation.", "third-party"),
    ("CONSULT", "The Russia-Africa summit opened in Sochi.", "multilateral"),
    ("CONSULT", "Lavrov visited Bamako.", "visit"),
    ("RETREAT", "The rebels released the hostages.", "release"),
    ("RETREAT", "The minister resigned.", "resign"),
    ("RETREAT", "France pulled its troops out of Niger.", "withdraw"),
    ("COERCE", "Soldiers seized power in a coup.", "coup"),
    ("COERCE", "Police arrested the activist.", "arrest"),
    ("COERCE", "The junta suspended the radio station.", "censor"),
    ("ASSAULT", "Gunmen kidnapped two engineers.", "abduct"),
    ("ASSAULT", "A drone strike hit the village.", "drone"),
    ("SANCTION", "Mali expelled the ambassador.", "expel"),
    ("SANCTION", "The EU imposed an arms embargo.", "embargo"),
    ("SANCTION", "The three states withdrew from ECOWAS.", "withdraw"),
    ("MOBILIZE", "The army held exercises near the border.", "exercise"),
    ("AID", "Russia delivered Su-24 bombers and MiG fighters to Libya.", "arms"),
    ("AID", "Russian instructors arrived in Ouagadougou.", "instructors"),
    ("AID", "Moscow shipped wheat to Eritrea.", "humanitarian"),
    ("AGREE", "Russia agreed to supply wheat.", None),
])
def test_mode_rules(event_type, sentence, mode):
    assert mode_for(event_type, sentence) == mode
