#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris + libFuzzer) of the ingest paths, for a fixed budget.

    .venv/bin/python benchmarks/fuzz_ingest.py --target html --seconds 300
    .venv/bin/python benchmarks/fuzz_ingest.py --target all --seconds 120 --crash-dir /tmp/fuzz --json out.json
    .venv/bin/python benchmarks/fuzz_ingest.py --replay /tmp/fuzz/crash-html-1a2b3c.bin --target html

Targets (the bytes libFuzzer makes are the content of one input file):

* ``html``  ``read_html`` (decoding, lxml, trafilatura, htmldate, page metadata), then the
  pipeline's cleaning and metadata stages on every document;
* ``feed``  ``read_feed`` (feedparser on the sanitized feed, item HTML), then cleaning and metadata;
* ``warc``  ``read_warc`` on the bytes (records, HTTP headers, gzip, caps), then cleaning and metadata;
* ``jsonl`` ``read_jsonl``, then cleaning and metadata;
* ``text``  ``read_file`` on a ``.txt`` (decoding, sniffing), then the scrape cleaner and metadata.

What counts as a crash (the ingest contract, see ``newsgraph.ingest``): any
exception out of a reader, cleaning or metadata; a reader yielding something
other than a ``SourceDocument`` or a one-line ``InputError`` naming the file; a
document whose body is blank or whose body/raw cannot be stored (lone
surrogates, NUL); a paragraph whose offsets do not give back its text; a
published date that is not a real ``YYYY[-MM[-DD]]`` date; the text of a local
"secret" file in any output (the dictionary adds external entities and
XIncludes pointing at it: XXE); and, from libFuzzer itself, a native crash, an
input slower than ``--timeout`` seconds or memory over ``--rss-mb``. Inputs
slower than 10 s are listed apart (``slow_inputs``). Lazy loads (the language
model, dateparser's locales) are warmed up before fuzzing starts.

Python-level crashes are saved once per signature (exception type and the
innermost frame) as ``crash-<target>-<hash>.bin`` (the input) and ``.txt``
(the traceback) in ``--crash-dir``, and fuzzing goes on; libFuzzer's own
findings (``<target>-crash-*``, ``-timeout-*``, ``-oom-*``) end the child process,
which this script restarts for the rest of the budget. The seed corpus is
``benchmarks/fuzz_corpus/<target>/`` (copied to a scratch folder, which grows);
``benchmarks/fuzz_corpus/<target>.dict`` holds tokens for the mutator.

Report (stdout, and ``--json``): per target the inputs tried (libFuzzer's
executed units), seconds, restarts, and the crashes found with their files.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
TARGETS = ("html", "feed", "warc", "jsonl", "text")
MAX_LEN = {"html": 32768, "feed": 32768, "warc": 65536, "jsonl": 16384, "text": 16384}
DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
SECRET_ENV = "NEWSGRAPH_FUZZ_SECRET"
WORK_ENV = "NEWSGRAPH_FUZZ_WORK"


# --------------------------------------------------------------------------- child: the fuzz target


class ContractViolation(AssertionError):
    """The readers, cleaning or metadata broke a promise without raising."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise ContractViolation(what)


def _check_date(value: object, what: str) -> None:
    import datetime as dt

    if value is None:
        return
    _check(isinstance(value, str) and bool(DATE.match(value)), f"{what} is not YYYY[-MM[-DD]]: {value!r}")
    parts = [int(p) for p in value.split("-")] + [1, 1]  # type: ignore[union-attr]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise ContractViolation(f"{what} is not a real date: {value!r}") from None


def make_target(name: str):
    """The function libFuzzer calls with each input, for target ``name``."""
    import atheris

    with atheris.instrument_imports(include=["newsgraph.ingest", "newsgraph.dates", "feedparser", "warcio"]):
        from newsgraph.ingest import InputError, SourceDocument, read_file
        from newsgraph.ingest.clean import clean_plain, clean_scrape
        from newsgraph.ingest.feed import read_feed
        from newsgraph.ingest.html import read_html
        from newsgraph.ingest.jsonl import read_jsonl
        from newsgraph.ingest.metadata import read_metadata
        from newsgraph.ingest.warc import read_warc
    from newsgraph.kb import load_kb

    kb = load_kb()
    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=os.environ.get(WORK_ENV)))  # the run's work dir
    text_path = scratch / "input.txt"

    def read(data: bytes):
        if name == "html":
            return read_html(Path("fuzz.html"), data)
        if name == "feed":
            return read_feed(Path("fuzz.rss"), data)
        if name == "warc":
            return read_warc(Path("fuzz.warc"), data, max_record_bytes=1_000_000)
        if name == "jsonl":
            return read_jsonl(Path("fuzz.jsonl"), data)
        text_path.write_bytes(data)
        return read_file(text_path)

    secret = os.environ.get(SECRET_ENV) or "\0never"

    def one_input(data: bytes) -> None:
        origin = "fuzz" if name != "text" else str(text_path)
        for item in read(data):
            _check(secret not in repr(item), "an external entity was resolved: the secret file's text is in the output")
            if isinstance(item, InputError):
                _check(isinstance(item.message, str) and bool(item.message.strip()), "empty error message")
                _check("\n" not in str(item), f"error message on several lines: {str(item)[:200]!r}")
                _check(item.origin.startswith(origin), f"error does not name the file: {item.origin!r}")
                continue
            _check(isinstance(item, SourceDocument), f"reader yielded {type(item).__name__}")
            _check(bool(item.body.strip()), "document with a blank body")
            item.body.encode("utf-8")  # lone surrogates could not be stored
            item.raw.encode("utf-8")
            _check("\x00" not in item.body + item.raw, "NUL in a document (PostgreSQL cannot store it)")
            _check_date(item.hints.get("published"), "hint 'published'")
            title = str(item.hints.get("title") or "") or None
            cleaned = clean_scrape(item.body) if item.needs_scrape_cleaning else clean_plain(item.body, title=title)
            for p in cleaned.paragraphs:
                _check(cleaned.text[p.start : p.end] == p.text, f"paragraph offsets {p.start}:{p.end} miss its text")
            meta = read_metadata(cleaned, item.hints, kb)
            _check_date(meta.published, "metadata published")
            _check(isinstance(meta.language, str) and bool(meta.language), f"language {meta.language!r}")

    # warm up what loads lazily on first use, so that it is not timed as the first input's
    from newsgraph.ingest.metadata import detect_language
    from newsgraph.ingest.util import normalize_date

    detect_language("Officials met on Monday in the capital.")
    normalize_date("5 mars 2024")
    for seed in sorted((CORPUS / name).glob("*"))[:3]:
        try:
            one_input(seed.read_bytes())
        except Exception:  # noqa: BLE001 - a seed that fails is found again by the fuzzer
            pass
    return one_input


def _signature(exc: BaseException) -> str:
    """Exception type and innermost frame (in newsgraph when there is one): one bug, one signature."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "newsgraph" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    if isinstance(exc, ContractViolation):
        where += ":" + re.sub(r"\d+|'.*'|\".*\"", "", str(exc))[:60]
    return f"{type(exc).__name__}@{where}"


def run_child(target: str, crash_dir: Path, libfuzzer_args: list[str]) -> None:
    import atheris

    one_input = make_target(target)
    seen: set[str] = set()

    def test_one_input(data: bytes) -> None:
        try:
            one_input(data)
        except Exception as exc:  # noqa: BLE001 - every exception is a finding
            sig = _signature(exc)
            if sig in seen:
                return
            seen.add(sig)
            key = hashlib.sha256(sig.encode()).hexdigest()[:12]
            stem = crash_dir / f"crash-{target}-{key}"
            if not stem.with_suffix(".bin").exists():
                stem.with_suffix(".bin").write_bytes(data)
                stem.with_suffix(".txt").write_text(f"{sig}\n\n{traceback.format_exc()}", encoding="utf-8")
                print(f"\n[fuzz] new crash {sig} -> {stem}.bin", file=sys.stderr, flush=True)

    atheris.Setup([sys.argv[0], *libfuzzer_args], test_one_input)
    atheris.Fuzz()


def replay(target: str, files: list[Path]) -> int:
    """Run saved inputs through a target without libFuzzer; print what each does."""
    import atheris  # noqa: F401  (make_target instruments through it)

    one_input = make_target(target)
    failed = 0
    for path in files:
        try:
            one_input(path.read_bytes())
            print(f"{path}: ok")
        except Exception as exc:  # noqa: BLE001
            failed += 1
            print(f"{path}: {_signature(exc)}\n{traceback.format_exc()}")
    return 1 if failed else 0


# --------------------------------------------------------------------------- parent: budget, restarts, report

_EXECUTED = re.compile(r"stat::number_of_executed_units:\s*(\d+)|Done (\d+) runs|^#(\d+)\s", re.MULTILINE)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


def _dictionary(target: str, work: Path) -> Path:
    """The target's token dictionary plus external entities that point at a secret file:
    if any reader resolved one, the secret's marker would show in a document."""
    marker = f"NEWSGRAPH-FUZZ-SECRET-{os.getpid()}"
    secret = work / "secret.txt"
    secret.write_text(marker + "\n", encoding="utf-8")
    os.environ[SECRET_ENV] = marker  # the child's oracle looks for it
    os.environ[WORK_ENV] = str(work)
    static = CORPUS / f"{target}.dict"
    lines = static.read_text(encoding="utf-8").splitlines() if static.is_file() else []
    uri = secret.as_uri().replace('"', "")
    lines += [
        f'"<!DOCTYPE x [<!ENTITY xxe SYSTEM \\"{uri}\\">]>"',
        f'"<!ENTITY % ext SYSTEM \\"{uri}\\"> %ext;"',
        f'"<xi:include xmlns:xi=\\"http://www.w3.org/2001/XInclude\\" href=\\"{uri}\\" parse=\\"text\\"/>"',
        '"&xxe;"',
    ]
    path = work / f"{target}.dict"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fuzz_target(target: str, seconds: float, runs: int | None, crash_dir: Path, work: Path, args) -> dict:
    corpus = work / f"corpus-{target}"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in (CORPUS / target).glob("*"):
        if seed.is_file():
            shutil.copy(seed, corpus / seed.name)
    executed = 0
    restarts = 0
    native: list[str] = []
    slow: list[str] = []
    start = time.monotonic()
    before = {p.name for p in crash_dir.glob(f"crash-{target}-*.bin")}
    while True:
        left = seconds - (time.monotonic() - start)
        if left < 5 or (runs is not None and executed >= runs) or restarts > args.max_restarts:
            break
        flags = [
            str(corpus),
            f"-max_total_time={int(left)}",
            f"-timeout={args.timeout}",
            f"-rss_limit_mb={args.rss_mb}",
            f"-max_len={MAX_LEN[target]}",
            f"-artifact_prefix={crash_dir}/{target}-",
            f"-seed={args.seed + restarts}",
            "-print_final_stats=1",
        ]
        if runs is not None:
            flags.append(f"-runs={runs - executed}")
        flags.append(f"-dict={_dictionary(target, work)}")
        cmd = [sys.executable, __file__, "--child", target, "--crash-dir", str(crash_dir), "--", *flags]
        log = work / f"log-{target}-{restarts}.txt"
        with open(log, "w", encoding="utf-8") as fh:
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO)
        text = log.read_text(encoding="utf-8", errors="replace")
        counts = [int(next(g for g in m.groups() if g)) for m in _EXECUTED.finditer(text)]
        executed += max(counts, default=0)
        written = _ARTIFACT.findall(text)
        found = [a for a in written if "slow-unit" not in Path(a).name]
        native.extend(found)
        slow.extend(a for a in written if "slow-unit" in Path(a).name)
        if proc.returncode != 0 or found:
            restarts += 1
            print(f"[fuzz] {target}: libFuzzer stopped (exit {proc.returncode}); {found or 'see ' + str(log)}",
                  file=sys.stderr)
            if not found:  # not a finding: a broken setup; do not loop on it
                tail = "\n".join(text.splitlines()[-30:])
                print(tail, file=sys.stderr)
                break
        else:
            break
    python_crashes = sorted(str(p) for p in crash_dir.glob(f"crash-{target}-*.bin") if p.name not in before)
    return {
        "target": target,
        "seconds": round(time.monotonic() - start, 1),
        "inputs_tried": executed,
        "restarts": restarts,
        "crashes_found": len(python_crashes) + len(native),
        "python_crashes": python_crashes,
        "libfuzzer_findings": native,
        "slow_inputs": slow,  # over libFuzzer's -report_slow_units (10 s): not crashes, worth a look
        "corpus_size": sum(1 for _ in corpus.iterdir()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="all", choices=("all", *TARGETS))
    parser.add_argument("--seconds", type=float, default=120, help="Budget per target (wall clock).")
    parser.add_argument("--runs", type=int, default=None, help="Stop a target after this many inputs.")
    parser.add_argument("--crash-dir", type=Path, default=None, help="Where crashes go (default a new /tmp folder).")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="Scratch corpus and logs (default a new /tmp folder).")
    parser.add_argument("--timeout", type=int, default=20, help="Seconds one input may take before it is a finding.")
    parser.add_argument("--rss-mb", type=int, default=3072, help="Memory one child may use before it is a finding.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-restarts", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None, help="Write the report here too.")
    parser.add_argument("--replay", type=Path, nargs="+", default=None, help="Re-run saved inputs (no fuzzing).")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        crash_dir = args.crash_dir or Path(tempfile.mkdtemp(prefix="newsgraph-crashes-"))
        run_child(args.child, crash_dir, [a for a in rest if a != "--"])
        return 0
    if args.replay:
        if args.target == "all":
            parser.error("--replay needs one --target")
        return replay(args.target, args.replay)
    crash_dir = args.crash_dir or Path(tempfile.mkdtemp(prefix="newsgraph-fuzz-crashes-"))
    crash_dir.mkdir(parents=True, exist_ok=True)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="newsgraph-fuzz-work-"))
    work.mkdir(parents=True, exist_ok=True)
    targets = TARGETS if args.target == "all" else (args.target,)
    report = {
        "tool": "atheris " + _atheris_version(),
        "cpu_cores_used": 1,
        "crash_dir": str(crash_dir),
        "work_dir": str(work),
        "targets": [],
    }
    for target in targets:
        result = fuzz_target(target, args.seconds, args.runs, crash_dir, work, args)
        report["targets"].append(result)
        print(f"{target:6s} {result['inputs_tried']:8d} inputs in {result['seconds']:7.1f} s "
              f"({result['inputs_tried'] / max(result['seconds'], 1e-9):6.1f}/s on one core), "
              f"{result['crashes_found']} crash(es), corpus {result['corpus_size']}")
        for path in result["python_crashes"] + result["libfuzzer_findings"]:
            print(f"        {path}")
        for path in result["slow_inputs"]:
            print(f"        slow: {path}")
    report["inputs_tried"] = sum(t["inputs_tried"] for t in report["targets"])
    report["crashes_found"] = sum(t["crashes_found"] for t in report["targets"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "targets"}))
    return 1 if report["crashes_found"] else 0


def _atheris_version() -> str:
    try:
        from importlib.metadata import version

        return version("atheris")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
