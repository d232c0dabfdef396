#!/usr/bin/env python
"""Rebuild the PLOVER event-type classifier from the hand-written training sentences.

    .venv/bin/python scripts/train_event_classifier.py

Reads src/newsgraph/data/training/events.yaml, embeds every sentence with the
pinned all-MiniLM-L6-v2 (newsgraph.nlp.embeddings), picks the L2 strength by
stratified 5-fold cross-validation, prints held-out (cross-validated) accuracy
overall and per type, then fits on all sentences and writes

    src/newsgraph/data/models/event_type.npz   W (384 x 17), b (17)
    src/newsgraph/data/models/event_type.json  labels, embedding model id, sha256 of
                                               the training data and of the weights

Everything is deterministic (fixed fold assignment, gradient descent from zeros,
a zip written with fixed timestamps): re-running on the same data gives the same
files on the same platform.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Single-threaded BLAS: faster for these small matrices than contended threads,
# and the same arithmetic on every run.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsgraph.nlp.embeddings import DIM, MODEL_ID, Embedder  # noqa: E402
from newsgraph.nlp.event_classifier import (  # noqa: E402
    LABELS,
    MODEL_NAME,
    balanced_weights,
    fit_softmax,
    softmax,
)
from newsgraph.nlp.model_files import sha256_bytes, stratified_folds, write_model_files  # noqa: E402

TRAINING = ROOT / "src" / "newsgraph" / "data" / "training" / "events.yaml"
MODELS = ROOT / "src" / "newsgraph" / "data" / "models"
L2_GRID = (1e-4, 3e-4, 1e-3)
FOLDS = 5
SEED = 20240601


def load_training(path: Path) -> tuple[list[str], np.ndarray, bytes]:
    raw = path.read_bytes()
    data = yaml.safe_load(raw)
    texts: list[str] = []
    ys: list[int] = []
    unknown = set(data["labels"]) - set(LABELS)
    if unknown:
        raise SystemExit(f"unknown labels in {path}: {sorted(unknown)}")
    seen: set[str] = set()
    for label in LABELS:
        for item in data["labels"].get(label) or []:
            text = item["text"] if isinstance(item, dict) else str(item)
            text = " ".join(text.split())
            if text in seen:
                raise SystemExit(f"duplicate training sentence: {text!r}")
            seen.add(text)
            texts.append(text)
            ys.append(LABELS.index(label))
    return texts, np.array(ys, dtype=np.int64), raw


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    return fit_softmax(x, y, len(LABELS), l2=l2, sample_weight=balanced_weights(y, len(LABELS)))


def cross_validate(x: np.ndarray, y: np.ndarray, l2: float, fold: np.ndarray) -> np.ndarray:
    pred = np.empty(len(y), dtype=np.int64)
    for f in range(fold.max() + 1):
        test = fold == f
        w, b = fit(x[~test], y[~test], l2)
        pred[test] = softmax(x[test] @ w + b).argmax(axis=1)
    return pred


def report(y: np.ndarray, pred: np.ndarray) -> None:
    print(f"{'type':<10} {'n':>4} {'acc':>6}   most confused with")
    for c, label in enumerate(LABELS):
        m = y == c
        if not m.any():
            continue
        acc = float((pred[m] == c).mean())
        wrong = np.bincount(pred[m][pred[m] != c], minlength=len(LABELS))
        conf = ", ".join(f"{LABELS[i]}:{wrong[i]}" for i in np.argsort(-wrong)[:3] if wrong[i])
        print(f"{label:<10} {int(m.sum()):>4} {acc:>6.1%}   {conf}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--training", type=Path, default=TRAINING)
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--l2", type=float, default=None, help="skip the grid search and use this L2")
    ap.add_argument("--no-write", action="store_true", help="cross-validate only")
    args = ap.parse_args(argv)

    texts, y, raw = load_training(args.training)
    counts = np.bincount(y, minlength=len(LABELS))
    print(f"training data: {args.training} ({len(texts)} sentences)")
    print("  " + ", ".join(f"{lab}={n}" for lab, n in zip(LABELS, counts)))

    t0 = time.perf_counter()
    x = Embedder.get().embed(texts).astype(np.float64)
    print(f"embedded {len(texts)} sentences in {time.perf_counter() - t0:.1f}s ({MODEL_ID})")

    fold = stratified_folds(y, FOLDS, SEED)
    grid = (args.l2,) if args.l2 is not None else L2_GRID
    results = {}
    for l2 in grid:
        pred = cross_validate(x, y, l2, fold)
        results[l2] = (float((pred == y).mean()), pred)
        print(f"  l2={l2:g}: {FOLDS}-fold cross-validated accuracy {results[l2][0]:.1%}")
    best_l2 = max(grid, key=lambda l2: (results[l2][0], -grid.index(l2)))
    cv_acc, pred = results[best_l2]
    print(f"\nheld-out ({FOLDS}-fold CV) accuracy with l2={best_l2:g}: {cv_acc:.1%}")
    ev = y != LABELS.index("NONE")
    print(f"  event sentences: type accuracy {float((pred[ev] == y[ev]).mean()):.1%}; "
          f"NONE recall {float((pred[~ev] == y[~ev]).mean()):.1%}")
    report(y, pred)

    if args.no_write:
        return 0
    w, b = fit(x, y, best_l2)
    train_acc = float((softmax(x @ w + b).argmax(axis=1) == y).mean())
    meta = write_model_files(args.out, MODEL_NAME, {"W": w, "b": b}, {
        "model": MODEL_NAME,
        "kind": "multinomial logistic regression (numpy, L2, class-balanced) over sentence embeddings",
        "labels": list(LABELS),
        "dim": DIM,
        "embedding_model": MODEL_ID,
        "l2": best_l2,
        "training_data": "newsgraph/data/training/events.yaml",
        "training_data_sha256": sha256_bytes(raw),
        "training_sentences": int(len(texts)),
        "training_counts": {lab: int(n) for lab, n in zip(LABELS, counts)},
        "cv_folds": FOLDS,
        "cv_accuracy": round(cv_acc, 4),
        "train_accuracy": round(train_acc, 4),
    })
    print(f"\nwrote {args.out / (MODEL_NAME + '.npz')} and {MODEL_NAME}.json "
          f"(train accuracy {train_acc:.1%}, weights sha256 {meta['weights_sha256'][:16]}...)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
