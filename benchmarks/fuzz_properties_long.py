#!/usr/bin/env python3
"""The property-based tests of ``tests/test_fuzz_properties.py`` with the ``long`` profile.

    .venv/bin/python benchmarks/fuzz_properties_long.py [--scale 25] [-k EXPR] [--json FILE]

The test suite runs those properties with the ``ci`` profile (few, derandomized
examples); this runs each with ``--scale`` times as many random examples and
reports, per test, the examples hypothesis tried (passing, failing, invalid) and
the time, from hypothesis's own statistics. A failure prints its minimal example
and a reproduction blob; it becomes a case in ``tests/test_fuzz_regressions.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests" / "test_fuzz_properties.py"

_TEST = re.compile(r"^tests/test_fuzz_properties\.py::(\w+):\s*$", re.MULTILINE)
_COUNTS = re.compile(  # "12 passing, 0 failing, and 3 invalid test cases" (older: "... examples")
    r"(\d+) passing(?: examples?| test cases?)?, (\d+) failing(?: examples?| test cases?)?,(?: and)? (\d+) invalid"
)
_PHASE_TIME = re.compile(r"during (\w+) phase \(([\d.]+) seconds\)")


def parse_statistics(output: str) -> dict[str, dict[str, float]]:
    """Per test: passing/failing/invalid examples summed over hypothesis's phases, and seconds."""
    stats: dict[str, dict[str, float]] = {}
    matches = list(_TEST.finditer(output))
    for i, match in enumerate(matches):
        block = output[match.end() : matches[i + 1].start() if i + 1 < len(matches) else len(output)]
        entry = {"passing": 0, "failing": 0, "invalid": 0, "seconds": 0.0}
        for passing, failing, invalid in _COUNTS.findall(block):
            entry["passing"] += int(passing)
            entry["failing"] += int(failing)
            entry["invalid"] += int(invalid)
        entry["seconds"] = round(sum(float(s) for _, s in _PHASE_TIME.findall(block)), 1)
        stats[match.group(1)] = entry
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=25, help="Examples per test: this many times the ci count.")
    parser.add_argument("-k", default=None, help="Only the tests pytest's -k expression selects.")
    parser.add_argument("--json", type=Path, default=None, help="Write the report here too.")
    args = parser.parse_args()

    env = dict(os.environ, NEWSGRAPH_FUZZ_PROFILE="long", NEWSGRAPH_FUZZ_SCALE=str(args.scale))
    cmd = [sys.executable, "-m", "pytest", str(TESTS), "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics"]
    if args.k:
        cmd += ["-k", args.k]
    start = time.monotonic()
    run = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    stats = parse_statistics(run.stdout)
    for name, entry in stats.items():
        print(f"{name:55s} {entry['passing']:6d} passing {entry['failing']:3d} failing {entry['invalid']:5d} invalid"
              f" {entry['seconds']:8.1f} s")
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    report = {
        "profile": "long",
        "scale": args.scale,
        "seconds": round(seconds, 1),
        "examples_tried": sum(e["passing"] + e["failing"] + e["invalid"] for e in stats.values()),
        "failing_examples": sum(e["failing"] for e in stats.values()),
        "pytest": summary,
        "tests": stats,
    }
    if run.returncode != 0:  # show the failures (minimal examples, reproduction blobs)
        print(run.stdout[-20000:])
        print(run.stderr[-5000:], file=sys.stderr)
    print(json.dumps({k: v for k, v in report.items() if k != "tests"}))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
