#!/usr/bin/env python3
"""Score the full event extractor on tests/data/event_sentences.yaml (our own sentences):
type accuracy, and strict matches (type + actor + recipient), per type.

    .venv/bin/python benchmarks/event_sentences_eval.py [--verbose]
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from newsgraph.ingest.base import SourceDocument
from newsgraph.kb import load_kb, name_key
from newsgraph.pipeline import Extractor

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "event_sentences.yaml"


def names(parties) -> set[str]:
    return {name_key(p) for p in parties}


def main() -> int:
    verbose = "--verbose" in sys.argv
    data = yaml.safe_load(DATA.read_text())
    items = data["sentences"] if isinstance(data, dict) else data
    ex = Extractor(load_kb())
    typed, strict, total = Counter(), Counter(), Counter()
    for item in items:
        expected = item.get("type")
        if not expected or expected == "NONE":
            continue
        text = item["text"]
        hints = {"published": str(item["published"])} if item.get("published") else {}
        record = ex.extract(SourceDocument("s", "s", "text", text, text, True, hints))
        total[expected] += 1
        events = record.events
        if any(e.type == expected for e in events):
            typed[expected] += 1
        want_actor, want_rec = names(item.get("actor") or []), names(item.get("recipient") or [])
        ok = any(
            e.type == expected and (not want_actor or names(p.name for p in e.actor) & want_actor)
            and (not want_rec or names(p.name for p in e.recipient) & want_rec or expected == "CONSULT")
            for e in events
        )
        strict[expected] += ok
        if verbose and not ok:
            got = [(e.type, [p.name for p in e.actor], [p.name for p in e.recipient]) for e in events]
            print(f"MISS {expected} {sorted(want_actor)}->{sorted(want_rec)} | {text[:90]} | {got}")
    n = sum(total.values())
    print(f"{'type':10} {'n':>4} {'type found':>11} {'strict':>7}")
    for t in sorted(total):
        print(f"{t:10} {total[t]:4d} {typed[t] / total[t]:11.2f} {strict[t] / total[t]:7.2f}")
    print(f"{'ALL':10} {n:4d} {sum(typed.values()) / n:11.2f} {sum(strict.values()) / n:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
