#!/usr/bin/env python3
"""Score the full event extractor on tests/data/event_sentences.yaml (our own sentences).

Every expected event (an item's event and the further ones its ``also`` lists)
counts once: "type found" when the sentence yields an event of its type,
"strict" when one also has a matching actor and recipient (names compared as
the dev scorer does; an empty expected list matches anything). Among strict
matches, the share with the expected status and, where given, the expected
date (at its precision). A sentence of type NONE counts as spurious when it
yields an asserted or future event (the share is printed). An item's ``context`` is the text before it in the
same document (a context ending in a blank line is the paragraph before); only
events whose evidence lies in the item's sentence count.

    .venv/bin/python benchmarks/event_sentences_eval.py [--verbose] [--file ITEMS.yaml]

``--file tests/data/event_sentences_heldout.yaml`` scores the held-out items,
written apart from the rules and never used to write them.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from newsgraph.ingest.base import SourceDocument
from newsgraph.kb import load_kb, name_key

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "event_sentences.yaml"


def names(parties) -> set[str]:
    return {name_key(p) for p in parties}


def load_items(path: Path = DATA) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["sentences"] if isinstance(data, dict) else data


def expected_events(item: dict) -> list[dict]:
    if not item.get("type") or item["type"] == "NONE":
        return []
    first = {k: item.get(k) for k in ("type", "mode", "actor", "recipient", "status", "date")}
    return [first, *({"status": first["status"], **e} for e in item.get("also") or [])]


def document(item: dict) -> tuple[str, int]:
    """The text to extract from and where the item's sentence starts in it."""
    context = item.get("context") or ""
    if context and not context.endswith((" ", "\n")):
        context += " "
    return context + item["text"], len(context)


@dataclass
class Report:
    typed: Counter = field(default_factory=Counter)
    strict: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    status: list[int] = field(default_factory=lambda: [0, 0])
    dates: list[int] = field(default_factory=lambda: [0, 0])
    spurious: list[int] = field(default_factory=lambda: [0, 0])  # NONE sentences given an event, of all
    misses: list[str] = field(default_factory=list)

    @property
    def type_accuracy(self) -> float:
        return sum(self.typed.values()) / max(1, sum(self.total.values()))

    @property
    def strict_accuracy(self) -> float:
        return sum(self.strict.values()) / max(1, sum(self.total.values()))

    @property
    def status_accuracy(self) -> float:
        return self.status[0] / max(1, self.status[1])

    @property
    def date_accuracy(self) -> float:
        return self.dates[0] / max(1, self.dates[1])

    @property
    def spurious_rate(self) -> float:
        return self.spurious[0] / max(1, self.spurious[1])


def evaluate(extractor, items: list[dict]) -> Report:
    report = Report()
    for item in items:
        wanted = expected_events(item)
        text, start = document(item)
        hints = {"published": str(item["published"])} if item.get("published") else {}
        record = extractor.extract(SourceDocument("s", "s", "text", text, text, True, hints))
        events = [e for e in record.events if e.evidence is None or e.evidence.end > start]
        if not wanted:  # a sentence with no political event: any (scored) event is spurious
            report.spurious[1] += 1
            extra = [e for e in events if e.status in ("asserted", "future")]
            report.spurious[0] += bool(extra)
            if extra:
                report.misses.append(f"SPURIOUS {[(e.type, [p.name for p in e.actor]) for e in extra]} | "
                                     f"{item['text'][:90]}")
            continue
        used: set[int] = set()
        for want in wanted:
            expected = want["type"]
            report.total[expected] += 1
            if any(e.type == expected for e in events):
                report.typed[expected] += 1
            want_actor, want_rec = names(want.get("actor") or []), names(want.get("recipient") or [])
            match = next((i for i, e in enumerate(events) if i not in used and e.type == expected
                          and (not want_actor or names(p.name for p in e.actor) & want_actor)
                          and (not want_rec or names(p.name for p in e.recipient) & want_rec
                               or expected == "CONSULT" and names(p.name for p in e.actor) & want_rec)), None)
            if match is None:
                got = [(e.type, [p.name for p in e.actor], [p.name for p in e.recipient]) for e in events]
                report.misses.append(f"MISS {expected} {sorted(want_actor)}->{sorted(want_rec)} | "
                                     f"{item['text'][:90]} | {got}")
                continue
            used.add(match)
            report.strict[expected] += 1
            event = events[match]
            if want.get("status"):
                report.status[1] += 1
                report.status[0] += event.status == want["status"]
            if want.get("date"):
                report.dates[1] += 1
                ok = bool(event.date) and event.date.startswith(str(want["date"]))
                report.dates[0] += ok
                if not ok:
                    report.misses.append(f"DATE {want['date']} got {event.date} | {item['text'][:90]}")
    return report


def main() -> int:
    from newsgraph.pipeline import Extractor

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verbose", action="store_true", help="list the misses")
    ap.add_argument("--file", type=Path, default=DATA, help=f"items to score (default {DATA.name})")
    args = ap.parse_args()
    verbose = args.verbose
    report = evaluate(Extractor(load_kb()), load_items(args.file))
    if verbose:
        print("\n".join(report.misses))
    print(f"{'type':10} {'n':>4} {'type found':>11} {'strict':>7}")
    for t in sorted(report.total):
        n = report.total[t]
        print(f"{t:10} {n:4d} {report.typed[t] / n:11.2f} {report.strict[t] / n:7.2f}")
    print(f"{'ALL':10} {sum(report.total.values()):4d} {report.type_accuracy:11.2f} {report.strict_accuracy:7.2f}")
    print(f"status of strict matches: {report.status_accuracy:.2f} ({report.status[1]}); "
          f"dates: {report.date_accuracy:.2f} ({report.dates[1]}); "
          f"NONE sentences given an event: {report.spurious_rate:.2f} ({report.spurious[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
