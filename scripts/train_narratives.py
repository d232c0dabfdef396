#!/usr/bin/env python
"""Rebuild the narrative classifier from the hand-written training passages.

    .venv/bin/python scripts/train_narratives.py                      # built-in narratives
    .venv/bin/python scripts/train_narratives.py --extra mine.yaml    # plus your own

Reads the narrative list (src/newsgraph/data/narratives.yaml, merged with
``--extra``: a YAML list of {id, name, description, examples[, negatives]}) and
the training passages (src/newsgraph/data/training/narratives.yaml), embeds
every passage with the pinned all-MiniLM-L6-v2 (newsgraph.nlp.embeddings) and,
per narrative, fits a class-balanced L2 logistic regression (numpy, Newton's
method) over the embedding, five stance cues and a nearest-neighbour contrast
feature (similarity to the narrative's training passages minus similarity to the
others; the training embeddings are stored with the weights for it). The L2 strength is chosen by stratified 5-fold cross-validation (mean
average precision); Platt scaling is fitted on the out-of-fold decision values.

It prints the cross-validated per-narrative precision/recall, tunes the
document decision rule (threshold, length correction, challenge, rebuttal and
heading weights) on the full-length articles of
src/newsgraph/data/training/narrative_documents.yaml (``--documents``), then
reports, never tuning on them, the held-out sentences and documents of
tests/data/narrative_heldout.yaml and tests/data/narrative_documents_heldout.yaml:
per-narrative sentence precision/recall, the Brier score and document F1.

Writes src/newsgraph/data/models/narratives.npz (W, b, platt, bank, bank_y) and narratives.json
(ids, embedding model id, L2, decision rule, metrics, sha256 of the training
data and of the weights). Deterministic: same data, same files.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsgraph.nlp.embeddings import DIM, MODEL_ID, Embedder  # noqa: E402
from newsgraph.nlp.narratives import (  # noqa: E402
    DEFAULT_DECISION,
    MODEL_NAME,
    NarrativeDetector,
    balanced_weights,
    CUE_PATTERNS,
    KNN_SCALE,
    KNN_TOPK,
    candidate_sentences,
    features,
    knn_contrast,
    fit_logistic,
    fit_platt,
    load_narratives,
    sigmoid,
)
from newsgraph.nlp.model_files import sha256_bytes, stratified_folds, write_model_files  # noqa: E402

TRAINING = ROOT / "src" / "newsgraph" / "data" / "training" / "narratives.yaml"
MODELS = ROOT / "src" / "newsgraph" / "data" / "models"
HELDOUT = ROOT / "tests" / "data" / "narrative_heldout.yaml"
HELDOUT_DOCUMENTS = ROOT / "tests" / "data" / "narrative_documents_heldout.yaml"
TUNING_DOCUMENTS = ROOT / "src" / "newsgraph" / "data" / "training" / "narrative_documents.yaml"
L2_GRID = (1e-4, 3e-4, 1e-3)
FOLDS = 5
SEED = 20240817
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.20, 0.86, 0.05))
SUPPORTS = (0.25,)              # fixed by design: a second sentence adds a quarter of its weight
PENALTIES = (0.5, 0.75, 1.0)
REBUTTAL_PENALTIES = (0.6, 1.0)
HEADING_WEIGHTS = (0.7, 0.85, 1.0)
LENGTH_SLOPES = (0.0, 0.025, 0.05, 0.075, 0.1)
OTHER_NARRATIVE_WEIGHT = 1.0


def norm(text: str) -> str:
    return " ".join(str(text).split())


def load_training(path: Path, ids: list[str], extra_examples: dict[str, list[str]],
                  extra_negatives: list[str]) -> tuple[list[str], np.ndarray, bytes]:
    raw = path.read_bytes()
    data = yaml.safe_load(raw) or {}
    labels: dict[str, set[str]] = {}
    negatives: set[str] = set()

    def add_pos(text: str, nids: list[str]) -> None:
        for nid in nids:
            if nid not in ids:
                raise SystemExit(f"unknown narrative id {nid!r} in training data")
        labels.setdefault(norm(text), set()).update(nids)

    for nid, items in (data.get("positives") or {}).items():
        for item in items or []:
            if isinstance(item, dict):
                add_pos(item["text"], [nid, *(item.get("also") or [])])
            else:
                add_pos(item, [nid])
    for nid, examples in extra_examples.items():
        for text in examples:
            add_pos(text, [nid])
    negs = data.get("negatives") or {}
    groups = negs.values() if isinstance(negs, dict) else [negs]
    for group in groups:
        for item in group or []:
            negatives.add(norm(item["text"] if isinstance(item, dict) else item))
    negatives.update(norm(t) for t in extra_negatives)
    clash = negatives & set(labels)
    if clash:
        raise SystemExit(f"passages both positive and negative: {sorted(clash)[:3]}")
    texts = list(labels) + sorted(negatives - set(labels))
    y = np.zeros((len(texts), len(ids)), dtype=np.int64)
    for i, t in enumerate(texts):
        for nid in labels.get(t, ()):
            y[i, ids.index(nid)] = 1
    return texts, y, raw


def primary_labels(y: np.ndarray) -> np.ndarray:
    """Each passage's first narrative, -1 for a negative: the strata of the folds."""
    return np.where(y.any(axis=1), y.argmax(axis=1), -1)


def fit_all(f: np.ndarray, e: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights (dim + cues + 1, K) and biases (K,): one logistic regression per narrative over
    the shared features ``f`` plus that narrative's kNN contrast (leave-one-out on ``e``)."""
    knn = knn_contrast(e, e, y, KNN_TOPK, exclude_self=True) * KNN_SCALE
    w = np.zeros((f.shape[1] + 1, y.shape[1]))
    b = np.zeros(y.shape[1])
    others = y.sum(axis=1)
    for k in range(y.shape[1]):
        sw = balanced_weights(y[:, k])
        # a passage that advances other narratives is a softer negative for this one:
        # a sentence can advance several, and the labels name only what is clearest
        sw = np.where((y[:, k] == 0) & (others > 0), sw * OTHER_NARRATIVE_WEIGHT, sw)
        w[:, k], b[k] = fit_logistic(np.hstack([f, knn[:, [k]]]), y[:, k], l2, sw)
    return w, b


def decision_values(w, b, f, e, bank, bank_y) -> np.ndarray:
    knn = knn_contrast(e, bank, bank_y, KNN_TOPK) * KNN_SCALE
    return f @ w[:-1] + knn * w[-1] + b


def out_of_fold(f: np.ndarray, e: np.ndarray, y: np.ndarray, l2: float, fold: np.ndarray) -> np.ndarray:
    z = np.zeros(y.shape, dtype=np.float64)
    for k in range(fold.max() + 1):
        test = fold == k
        w, b = fit_all(f[~test], e[~test], y[~test], l2)
        z[test] = decision_values(w, b, f[test], e[test], e[~test], y[~test])
    return z


def average_precision(score: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(-score, kind="stable")
    hits = y[order] > 0
    if not hits.any():
        return 0.0
    prec = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(prec[hits].mean())


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float, int, int, int]:
    tp = int((pred & gold).sum())
    fp = int((pred & ~gold).sum())
    fn = int((~pred & gold).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, fn


def table(title: str, ids: list[str], probs: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> dict:
    print(f"\n{title}")
    print(f"  {'narrative':<32} {'n+':>4} {'prec':>6} {'rec':>6} {'F1':>6} {'brier':>7}")
    out = {}
    for k, nid in enumerate(ids):
        gold = y[:, k] > 0
        p, r, f, *_ = prf(probs[:, k] >= threshold, gold)
        brier = float(((probs[:, k] - gold) ** 2).mean())
        out[nid] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
                    "brier": round(brier, 4), "positives": int(gold.sum())}
        print(f"  {nid:<32} {int(gold.sum()):>4} {p:>6.2f} {r:>6.2f} {f:>6.2f} {brier:>7.4f}")
    macro = float(np.mean([v["f1"] for v in out.values() if v["positives"]]))
    brier = float(((probs - y) ** 2).mean())
    print(f"  macro-F1 {macro:.3f}   Brier (all sentence x narrative pairs) {brier:.4f}")
    return {"per_narrative": out, "macro_f1": round(macro, 4), "brier": round(brier, 4)}


class _InMemory(NarrativeDetector):
    """A detector over weights that are not written yet (for the held-out evaluation)."""

    def __init__(self, ids, w, b, platt, bank, bank_y, embedder):  # noqa: D401 - no file checks
        self.ids = list(ids)
        self.bank = np.asarray(bank, dtype=np.float32)
        self.bank_y = np.asarray(bank_y, dtype=np.uint8)
        self.knn = {"topk": KNN_TOPK, "scale": KNN_SCALE}
        self.w = w.astype(np.float32)
        self.b = b.astype(np.float32)
        self.platt = platt.astype(np.float32)
        self.meta = {"dim": DIM, "ids": self.ids, "cues": [name for name, _ in CUE_PATTERNS]}
        self.decision = dict(DEFAULT_DECISION)
        self._embedder = embedder
        self.definitions = {}


def doc_eval(det: _InMemory, docs: list[dict], ids: list[str], decision: dict) -> tuple[float, dict]:
    det.decision = {**DEFAULT_DECISION, **decision}
    tp = fp = fn = 0
    per: dict[str, list[int]] = {nid: [0, 0, 0] for nid in ids}
    for d in docs:
        got = {n.id for n in det.decide(d["cands"], d["probs"], d["text"], d["unstanced"]).narratives}
        exp = set(d["expected"])
        for nid in got | exp:
            if nid not in per:
                continue
            if nid in got and nid in exp:
                tp += 1
                per[nid][0] += 1
            elif nid in got:
                fp += 1
                per[nid][1] += 1
            else:
                fn += 1
                per[nid][2] += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f, {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp,
               "fn": fn, "per_narrative": per}


def load_documents(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("documents", data if isinstance(data, list) else []))


def prepare_docs(det, embedder, docs: list[dict]) -> list[dict]:
    """Candidates and sentence probabilities of each document, computed once."""
    out = []
    for d in docs:
        cands = candidate_sentences(d["text"])
        probs, unstanced = det.score_embeddings(embedder.embed([c.text for c in cands]), [c.text for c in cands])
        out.append({"text": d["text"], "expected": d.get("expected") or [], "cands": cands,
                    "probs": probs, "unstanced": unstanced})
    return out


def tune_decision(det, docs: list[dict], ids: list[str]) -> dict:
    """The decision rule with the best document F1, smoothed over neighbouring
    thresholds (a broad optimum, not a lucky point)."""
    best = None
    for pen in PENALTIES:
        for rpen in REBUTTAL_PENALTIES:
            for hw in HEADING_WEIGHTS:
                for slope in LENGTH_SLOPES:
                    rule = {"support": SUPPORTS[0], "challenge_penalty": pen, "rebuttal_penalty": rpen,
                            "heading_weight": hw, "length_slope": slope}
                    scores = [doc_eval(det, docs, ids, {**rule, "threshold": t})[0] for t in THRESHOLDS]
                    smooth = [float(np.mean(scores[max(0, i - 1):i + 2])) for i in range(len(scores))]
                    i_best = int(np.argmax(smooth))
                    # ties: the gentlest rule (no length correction, no penalties) wins
                    key = (round(smooth[i_best], 4), -slope, pen, rpen, hw)
                    if best is None or key > best[0]:
                        best = (key, {**rule, "threshold": THRESHOLDS[i_best]})
    return {k: float(v) for k, v in best[1].items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--training", type=Path, default=TRAINING)
    ap.add_argument("--extra", type=Path, default=None, help="YAML file with your own narratives")
    ap.add_argument("--heldout", type=Path, default=HELDOUT, help="held-out sentences and documents (report only)")
    ap.add_argument("--heldout-documents", type=Path, nargs="*", default=[HELDOUT_DOCUMENTS],
                    help="more held-out documents (report only)")
    ap.add_argument("--documents", type=Path, default=TUNING_DOCUMENTS,
                    help="documents with expected narratives on which the decision rule is tuned")
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--l2", type=float, default=None, help="skip the grid search and use this L2")
    ap.add_argument("--no-write", action="store_true", help="evaluate only")
    args = ap.parse_args(argv)

    defs = load_narratives(args.extra, use_env=False)
    ids = [d.id for d in defs]
    texts, y, raw = load_training(args.training, ids, {d.id: d.examples for d in defs},
                                  [t for d in defs for t in d.negatives])
    print(f"narratives: {len(ids)}" + (f" (with {args.extra})" if args.extra else ""))
    print(f"training data: {args.training} ({len(texts)} passages, {int((~y.any(axis=1)).sum())} negatives)")
    thin = [f"{nid}={int(y[:, k].sum())}" for k, nid in enumerate(ids) if y[:, k].sum() < 20]
    if thin:
        print("  warning: fewer than 20 positives for " + ", ".join(thin))

    embedder = Embedder.get()
    t0 = time.perf_counter()
    e = embedder.embed(texts)
    x = features(e, texts).astype(np.float64)
    print(f"embedded {len(texts)} passages in {time.perf_counter() - t0:.1f}s ({MODEL_ID})")

    fold = stratified_folds(primary_labels(y), FOLDS, SEED)
    grid = (args.l2,) if args.l2 is not None else L2_GRID
    results = {}
    for l2 in grid:
        z = out_of_fold(x, e, y, l2, fold)
        m_ap = float(np.mean([average_precision(z[:, k], y[:, k]) for k in range(len(ids))]))
        results[l2] = (m_ap, z)
        print(f"  l2={l2:g}: {FOLDS}-fold mean average precision {m_ap:.3f}")
    best_l2 = max(grid, key=lambda l2: (round(results[l2][0], 4), -grid.index(l2)))
    z = results[best_l2][1]
    platt = np.zeros((2, len(ids)))
    for k in range(len(ids)):
        platt[:, k] = fit_platt(z[:, k], y[:, k])
    cv_probs = sigmoid(platt[0] * z + platt[1])
    cv = table(f"cross-validated ({FOLDS}-fold) sentence results, l2={best_l2:g}, p >= 0.5:", ids, cv_probs, y)

    w, b = fit_all(x, e, y, best_l2)
    det = _InMemory(ids, w, b, platt, e, y, embedder)

    heldout_report: dict = {}
    decision = dict(DEFAULT_DECISION)
    if args.documents.is_file():
        tuning = prepare_docs(det, embedder, load_documents(args.documents))
        decision.update(tune_decision(det, tuning, ids))
        f_tune, rep_tune = doc_eval(det, tuning, ids, decision)
        print(f"\ndocument decision tuned on {len(tuning)} documents of {args.documents.name}: {decision}")
        print(f"  tuning documents: precision {rep_tune['precision']:.2f} recall {rep_tune['recall']:.2f} "
              f"F1 {rep_tune['f1']:.2f} (tp {rep_tune['tp']}, fp {rep_tune['fp']}, fn {rep_tune['fn']})")
        heldout_report["tuning_documents"] = {k: v for k, v in rep_tune.items() if k != "per_narrative"}
    else:
        print(f"\nno tuning documents at {args.documents}: default decision rule {decision}")

    ho = yaml.safe_load(args.heldout.read_text(encoding="utf-8")) if args.heldout.is_file() else {}
    hs = list(ho.get("sentences", []))
    if hs:
        overlap = {norm(s["text"]) for s in hs} & set(texts)
        if overlap:
            raise SystemExit(f"held-out sentences also in training: {sorted(overlap)[:3]}")
        hy = np.array([[1 if nid in (s.get("narratives") or []) else 0 for nid in ids] for s in hs])
        hp = det.proba([s["text"] for s in hs]).astype(np.float64)
        heldout_report["sentences"] = table(
            f"held-out sentences ({len(hs)}; {int((~hy.any(axis=1)).sum())} negatives), p >= 0.5:", ids, hp, hy)
    held_docs = list(ho.get("documents", []))
    for extra_file in args.heldout_documents:
        if extra_file.is_file():
            held_docs += load_documents(extra_file)
    if held_docs:
        _, rep = doc_eval(det, prepare_docs(det, embedder, held_docs), ids, decision)
        print(f"  {len(held_docs)} held-out documents (never used for tuning): precision {rep['precision']:.2f} "
              f"recall {rep['recall']:.2f} F1 {rep['f1']:.2f} (tp {rep['tp']}, fp {rep['fp']}, fn {rep['fn']})")
        heldout_report["documents"] = {k: v for k, v in rep.items() if k != "per_narrative"}

    if args.no_write:
        return 0
    arrays = {"W": w.astype(np.float32), "b": b.astype(np.float32), "platt": platt.astype(np.float32),
              "bank": e.astype(np.float32), "bank_y": y.astype(np.uint8)}
    meta = write_model_files(args.out, MODEL_NAME, arrays, {
        "model": MODEL_NAME,
        "kind": "per-narrative binary logistic regression (numpy, L2, class-balanced, Newton) over "
                "sentence embeddings, Platt-scaled on 5-fold out-of-fold decision values",
        "ids": ids,
        "dim": DIM,
        "cues": [name for name, _ in CUE_PATTERNS],
        "knn": {"topk": KNN_TOPK, "scale": KNN_SCALE},
        "embedding_model": MODEL_ID,
        "numpy": np.__version__,
        "l2": best_l2,
        "decision": decision,
        "training_data": "newsgraph/data/training/narratives.yaml",
        "training_data_sha256": sha256_bytes(raw),
        "extra_narratives": str(args.extra) if args.extra else None,
        "training_passages": int(len(texts)),
        "training_positives": {nid: int(y[:, k].sum()) for k, nid in enumerate(ids)},
        "training_negatives": int((~y.any(axis=1)).sum()),
        "cv": cv,
        "heldout": heldout_report,
    })
    print(f"\nwrote {args.out / (MODEL_NAME + '.npz')} and {MODEL_NAME}.json "
          f"(weights sha256 {meta['weights_sha256'][:16]}...)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
