#!/usr/bin/env python3
"""Extraction throughput on one core: documents per CPU-second, per stage, and peak RSS.

    .venv/bin/python benchmarks/extract_throughput.py [DOCS...] [--n 500] [--json FILE] [--generated]

The input documents (default: the example corpus; ``--generated``: the
deterministic articles of ``newsgraph bench``) are cycled until N documents
have been extracted, pinned to one CPU. This is ``newsgraph bench`` without
the store, the spaCy baseline and the chart; use that command for the full
report.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", nargs="*", default=None)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--generated", action="store_true", help="use the generated ~600-word articles")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from newsgraph.bench.runner import BenchOptions, load_corpus, measure_extraction, pin_one_core
    from newsgraph.kb import load_kb
    from newsgraph.parallel import peak_rss_mib
    from newsgraph.pipeline import Extractor

    corpus = None if args.generated else (args.docs or [str(REPO / "examples" / "corpus")])
    opts = BenchOptions(docs=args.n, corpus=corpus)
    try:
        docs, warm, description = load_corpus(opts)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    pin_one_core()
    extractor = Extractor(load_kb())
    list(extractor.extract_many(warm))
    _, figures = measure_extraction(extractor, docs, opts.batch_size)
    report = {"corpus": description, **figures, "peak_rss_mib": round(peak_rss_mib())}
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
