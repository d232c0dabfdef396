"""Narrative detection (GUIDELINES.md section 6): model files, held-out quality, the pipeline stage.

Floors on the held-out examples of tests/data/narrative_heldout.yaml (written
for newsgraph, never used to fit the weights; the trainer tunes only the
document decision rule on them):

* sentences, p >= 0.5: macro-F1 >= 0.80, every narrative F1 >= 0.60, Brier <= 0.02;
* whole held-out documents: micro-F1 >= 0.75.

Run with ``-s`` to see the per-narrative precision and recall.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import newsgraph.nlp.narratives as narratives
from newsgraph.ingest.base import SourceDocument
from newsgraph.nlp.narratives import (
    NarrativeDetector,
    candidate_sentences,
    data_path,
    load_narratives,
    model_files,
)

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "tests" / "data" / "narrative_heldout.yaml"
# Full-length articles (400-700 words) never used for training or tuning.
HELDOUT_LONG = REPO / "tests" / "data" / "narrative_documents_heldout.yaml"
TUNING_DOCUMENTS = REPO / "src" / "newsgraph" / "data" / "training" / "narrative_documents.yaml"

MACRO_F1_FLOOR = 0.80
NARRATIVE_F1_FLOOR = 0.60
BRIER_CEILING = 0.02
DOCUMENT_F1_FLOOR = 0.75
LONG_DOCUMENT_F1_FLOOR = 0.70   # measured 0.75 (P 0.69, R 0.83) when the rule was tuned
NEUTRAL_FALSE_POSITIVE_CEILING = 0.45  # share of neutral long documents given any narrative (measured 3 of 7)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def detector() -> NarrativeDetector:
    return NarrativeDetector()


@pytest.fixture(scope="module")
def heldout() -> dict:
    return yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- model files


def test_model_files_match_recorded_hashes(detector):
    weights, meta_path = model_files()
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert sha256(weights) == meta["weights_sha256"]
    # the model was trained on the training data as it is now
    assert sha256(data_path("training", "narratives.yaml")) == meta["training_data_sha256"], (
        "training data changed: run scripts/train_narratives.py")
    from newsgraph.nlp.embeddings import MODEL_ID

    assert meta["embedding_model"] == MODEL_ID
    builtin = [n.id for n in load_narratives(use_env=False)]
    assert meta["ids"] == builtin == detector.ids
    assert len(builtin) == 12


def test_narrative_list_matches_spec_and_has_disarm_mapping():
    spec = REPO.parent / "shared" / "spec" / "narratives.yaml"
    defs = load_narratives(use_env=False)
    if spec.is_file():
        want = {d["id"]: (d["name"], d["description"]) for d in yaml.safe_load(spec.read_text(encoding="utf-8"))}
        assert {d.id: (d.name, d.description) for d in defs} == want
    for d in defs:
        assert d.examples, d.id
        for t in d.disarm:
            assert re.fullmatch(r"T\d{4}(\.\d{3})?", t["id"]) and t["name"], (d.id, t)
    assert any(d.disarm for d in defs)


def test_training_data_is_big_enough_and_disjoint_from_heldout(heldout):
    data = yaml.safe_load(data_path("training", "narratives.yaml").read_text(encoding="utf-8"))
    for nid, items in data["positives"].items():
        assert len(items) >= 25, nid
    assert sum(len(v) for v in data["negatives"].values()) >= 150

    def norm(t):
        return " ".join((t["text"] if isinstance(t, dict) else t).split())

    train = {norm(t) for v in data["positives"].values() for t in v} | {
        norm(t) for v in data["negatives"].values() for t in v}
    assert not train & {norm(s) for s in heldout["sentences"]}


# --------------------------------------------------------------------------- held-out quality


def test_heldout_sentences(detector, heldout):
    sents = heldout["sentences"]
    ids = detector.ids
    y = np.array([[nid in (s["narratives"] or []) for nid in ids] for s in sents])
    assert (y.sum(axis=0) >= 5).all(), "at least 5 held-out positives per narrative"
    assert (~y.any(axis=1)).sum() >= 40, "at least 40 held-out negatives"
    p = detector.proba([s["text"] for s in sents])
    pred = p >= 0.5
    print(f"\nheld-out sentences: {len(sents)} ({int((~y.any(axis=1)).sum())} negatives)")
    print(f"  {'narrative':<32} {'n+':>3} {'prec':>5} {'rec':>5} {'F1':>5}")
    f1s = {}
    for k, nid in enumerate(ids):
        tp = int((pred[:, k] & y[:, k]).sum())
        fp = int((pred[:, k] & ~y[:, k]).sum())
        fn = int((~pred[:, k] & y[:, k]).sum())
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        f1s[nid] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"  {nid:<32} {int(y[:, k].sum()):>3} {prec:>5.2f} {rec:>5.2f} {f1s[nid]:>5.2f}")
    macro = float(np.mean(list(f1s.values())))
    brier = float(((p - y) ** 2).mean())
    print(f"  macro-F1 {macro:.3f} (floor {MACRO_F1_FLOOR}); Brier {brier:.4f} (ceiling {BRIER_CEILING})")
    assert macro >= MACRO_F1_FLOOR
    assert min(f1s.values()) >= NARRATIVE_F1_FLOOR, f1s
    assert brier <= BRIER_CEILING


def test_heldout_documents(detector, heldout):
    tp = fp = fn = 0
    for doc in heldout["documents"]:
        got = {n.id for n in detector.detect(doc["text"])}
        want = set(doc["expected"] or [])
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(f"\nheld-out documents ({len(heldout['documents'])}): precision {prec:.2f} recall {rec:.2f} F1 {f1:.2f}")
    assert f1 >= DOCUMENT_F1_FLOOR


def _doc_prf(detector, docs: list[dict]) -> tuple[float, float, float, int]:
    tp = fp = fn = neutral_hits = 0
    for doc in docs:
        got = {n.id for n in detector.detect(doc["text"])}
        want = set(doc["expected"] or [])
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
        neutral_hits += bool(got) and not want
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0), neutral_hits


def test_heldout_long_documents(detector):
    docs = yaml.safe_load(HELDOUT_LONG.read_text(encoding="utf-8"))["documents"]
    assert len(docs) >= 20 and all(len(d["text"].split()) >= 350 for d in docs)
    prec, rec, f1, neutral_hits = _doc_prf(detector, docs)
    neutral = sum(1 for d in docs if not d["expected"])
    print(f"\nheld-out long documents ({len(docs)}, {neutral} neutral): precision {prec:.2f} recall {rec:.2f} "
          f"F1 {f1:.2f}; neutral documents with a narrative: {neutral_hits}")
    assert f1 >= LONG_DOCUMENT_F1_FLOOR
    assert neutral_hits <= NEUTRAL_FALSE_POSITIVE_CEILING * neutral


def test_tuning_and_heldout_documents_are_disjoint(heldout):
    def sentences(docs):
        def norm(t: str) -> str:
            return " ".join(t.lower().split())
        return {norm(s) for d in docs for s in re.split(r"(?<=[.!?])\s+", d["text"]) if len(s.split()) >= 8}
    tuning = yaml.safe_load(TUNING_DOCUMENTS.read_text(encoding="utf-8"))["documents"]
    held = yaml.safe_load(HELDOUT_LONG.read_text(encoding="utf-8"))["documents"] + heldout["documents"]
    assert not sentences(tuning) & sentences(held)


# --------------------------------------------------------------------------- sentences


def test_interviewer_questions_are_skipped():
    text = ("An interview with the minister\n\n"
            "— Do you think Russia is a reliable partner for your country?\n\n"
            "— Russia has always kept its word and it never imposes conditions on us.\n\n"
            "Q: Has Russian help made the north safer for ordinary people?\n\n"
            "A: Yes, since the instructors came the army has retaken many towns.\n")
    texts = [c.text for c in candidate_sentences(text)]
    assert not any(t.endswith("?") for t in texts)
    assert any(t.startswith("Russia has always kept its word") for t in texts)
    assert any("retaken many towns" in t for t in texts)
    for c in candidate_sentences(text):
        assert text[c.start:c.end] == c.text


def test_user_narratives_are_merged(tmp_path, monkeypatch):
    extra = tmp_path / "mine.yaml"
    extra.write_text(yaml.safe_dump([
        {"id": "china_model", "name": "China's model works", "description": "China's development model suits Africa.",
         "examples": ["China built our roads while others gave speeches."]},
        {"id": "historical_friendship", "examples": ["Our grandfathers studied in Kharkiv."]},
    ]), encoding="utf-8")
    defs = {d.id: d for d in load_narratives(extra)}
    assert "china_model" in defs and not defs["china_model"].builtin
    assert "Our grandfathers studied in Kharkiv." in defs["historical_friendship"].examples
    assert len(defs) == 13
    monkeypatch.setenv(narratives.ENV_NARRATIVES, str(extra))
    assert "china_model" in {d.id for d in load_narratives()}
    # the trainer takes the same file (--extra): its examples become positives
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import train_narratives
    finally:
        sys.path.remove(str(REPO / "scripts"))
    ids = list(defs)
    texts, y, _ = train_narratives.load_training(
        train_narratives.TRAINING, ids, {d.id: d.examples for d in defs.values()}, [])
    row = texts.index("China built our roads while others gave speeches.")
    assert y[row, ids.index("china_model")] == 1


# --------------------------------------------------------------------------- pipeline stage

DOCS = {
    "oped": ("""What real security cooperation looks like

By Amadou Kone

For nine years the French army and the UN mission were present in the north, and for nine years the massacres continued. Their bases were protected; our villages were not.
Since our army began working with Russian instructors, it has retaken towns that the terrorists had held for a decade. The roads to the north are open again, and the displaced are coming home.
This is what real security cooperation looks like.
""", {"western_security_failure", "russian_security_success"}),
    "wire": ("""Russia delivers helicopters to Mali

BAMAKO (Wire) - Russia delivered four combat helicopters and radar equipment to Mali's armed forces on Tuesday, the defence ministry said in a statement.
The equipment was received at Bamako airport by the transitional president and the Russian ambassador.
Mali has bought aircraft from Russia since 2021. The ministry did not say how much the equipment cost.
The delivery comes a month after the two countries signed an agreement on training.
""", set()),
    "factcheck": ("""Fact check: there is no evidence that Kyiv is arming jihadists in the Sahel

Posts shared on Telegram and Facebook claim that Ukrainian special forces are fighting alongside jihadists in Mali.
The images used in the posts were taken in Syria in 2016 and have nothing to do with the Sahel.
No government, researcher or journalist has produced evidence that Ukrainian soldiers are present in Mali.
Ukraine's foreign ministry has rejected the accusations as baseless.
""", set()),
    "statement": ("""Statement by the Ministry of Foreign Affairs on the anniversary of diplomatic relations

Sixty years ago our young republic and the Soviet Union established diplomatic relations. Soviet teachers, doctors and engineers helped us build our first schools and hospitals, and the Soviet Union stood by us in the struggle against colonialism.
Today Russia remains a sincere partner that respects our choices and never imposes conditions on its help.
The Ministry expresses its gratitude to the Russian people and wishes them peace and prosperity.
""", {"historical_friendship", "russia_reliable_partner"}),
}


@pytest.fixture(scope="module")
def narrative_extractor(kb):
    from newsgraph.pipeline import DEFAULT_STAGES, STAGES, Extractor

    assert "narratives" in STAGES  # registered on import of newsgraph.nlp.narratives
    return Extractor(kb, stages=[*DEFAULT_STAGES, "narratives"])


@pytest.mark.parametrize("name", list(DOCS))
def test_pipeline_documents(narrative_extractor, name):
    text, expected = DOCS[name]
    record = narrative_extractor.extract(SourceDocument(name, name, "text", text, text, True, {}))
    got = {n.id: n for n in record.narratives}
    assert set(got) == expected, {k: v.score for k, v in got.items()}
    for n in record.narratives:
        assert 0.0 <= n.score <= 1.0
        assert 1 <= len(n.evidence) <= 3
        for span in n.evidence:
            assert record.text[span.start:span.end] == span.text
    # the rebuttal document does not get the narrative it rebuts
    if name == "factcheck":
        assert "ukraine_backs_terrorists" not in got


def test_unmarked_interview_questions_are_skipped():
    text = ("Interview with the ambassador\n\n"
            "Mr Ambassador, critics say foreign instructors abuse civilians. What is your answer?\n\n"
            "These claims are false. Our instructors train the army and respect the law.\n\n"
            "Some say the mines only enrich foreigners. Is that so?\n\n"
            "Every investor pays taxes and employs local people.\n\n"
            "Will the cooperation continue next year?\n\n"
            "Yes, we will keep our word to our partners.\n")
    texts = [c.text for c in candidate_sentences(text)]
    assert not any("critics say" in t or "only enrich" in t for t in texts)
    assert any(t.startswith("Our instructors train the army") for t in texts)


def test_rhetorical_questions_of_an_author_are_kept():
    text = ("Who benefits from the chaos in the Sahel? The same powers that plundered its gold for a century.\n\n"
            "The French army stayed for nine years and the jihadists only grew stronger.\n")
    texts = [c.text for c in candidate_sentences(text)]
    assert any("plundered its gold" in t for t in texts)
    assert any(t.startswith("Who benefits") for t in texts)
