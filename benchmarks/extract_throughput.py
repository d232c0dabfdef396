#!/usr/bin/env python3
"""Extraction throughput on one core: documents/s, words/s and peak RSS.

    .venv/bin/python benchmarks/extract_throughput.py [DOCS...] [--n 500] [--json FILE]

The input documents (default: the example corpus) are repeated until N
documents have been extracted. The process is pinned to one CPU so the figure
is per core. Loading the KB and the spaCy model is timed separately.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", nargs="*", default=[str(REPO / "examples" / "corpus")])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from newsgraph.ingest import read_documents
    from newsgraph.kb import load_kb
    from newsgraph.pipeline import Extractor

    t0 = time.perf_counter()
    extractor = Extractor(load_kb())
    load_s = time.perf_counter() - t0
    sources = [d for d in read_documents(args.docs) if hasattr(d, "doc_id")]
    if not sources:
        print("no documents", file=sys.stderr)
        return 1
    batch = [replace(s, doc_id=f"{s.doc_id}-{i}") for i, s in zip(range(args.n), itertools.cycle(sources))]
    words = sum(len(s.body.split()) for s in batch)
    t1 = time.perf_counter()
    done = sum(1 for r in extractor.extract_many(batch) if hasattr(r, "doc_id"))
    elapsed = time.perf_counter() - t1
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "documents": done,
        "distinct_inputs": len(sources),
        "seconds": round(elapsed, 2),
        "docs_per_s_per_core": round(done / elapsed, 2),
        "words_per_s_per_core": round(words / elapsed),
        "mean_words_per_doc": round(words / len(batch)),
        "startup_s": round(load_s, 2),
        "peak_rss_mib": round(peak_mib),
        "stages": list(extractor.stages),
    }
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
