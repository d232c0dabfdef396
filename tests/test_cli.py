"""The command line: extract to files and JSON lines, bad input, KB commands."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgraph.cli import app

ARTICLE = """Mali Receives Russian Helicopters

12.03.2024

BAMAKO: Mali received two attack helicopters from Russia on Tuesday, the army said.
Colonel Assimi Goita thanked Moscow for the delivery.

icon-facebook icon-twitter
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "mali.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "sub" / "niger.md").write_text("# Niger and Russia\n\nNiger signed a deal with Russia.\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_extract_writes_one_record_per_document(corpus, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out)])
    assert result.exit_code == 1  # two bad inputs
    files = sorted(p.name for p in out.iterdir())
    assert files == ["mali.json", "niger.json"]
    record = json.loads((out / "mali.json").read_text())
    assert record["title"] == "Mali Receives Russian Helicopters"
    assert record["published"] == "2024-03-12"
    assert "icon-facebook" not in record["text"]
    names = {e["name"] for e in record["entities"]}
    assert {"Mali", "Russia", "Assimi Goïta"} <= names
    assert "bad.txt: binary file" in result.stderr
    assert "empty.txt: empty file" in result.stderr
    assert "2 record(s) written" in result.stderr


def test_no_temporary_files_left(corpus, tmp_path):
    out = tmp_path / "out"
    CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out)])
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_jsonl_to_stdout_and_to_file(corpus, tmp_path):
    result = CliRunner().invoke(app, ["extract", str(corpus / "mali.txt")])
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert [r["doc_id"] for r in lines] == ["mali"]
    out = tmp_path / "o2"
    result = CliRunner().invoke(app, ["extract", str(corpus / "sub"), "--out", str(out), "--jsonl"])
    assert result.exit_code == 0
    assert [json.loads(x)["doc_id"] for x in (out / "records.jsonl").read_text().splitlines()] == ["niger"]


def test_glob_patterns(corpus):
    result = CliRunner().invoke(app, ["extract", str(corpus / "**" / "*.md")])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["doc_id"] == "niger"


def test_text_option_prints_one_record():
    result = CliRunner().invoke(app, ["extract", "--text", "Sergei Lavrov visited Ouagadougou on Tuesday."])
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert {"Sergei Lavrov", "Ouagadougou"} <= {e["name"] for e in record["entities"]}


def test_missing_path_is_reported(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr


def test_schema_command():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Record"


def test_kb_check_builtin_and_user_folder(tmp_path):
    assert CliRunner().invoke(app, ["kb", "check"]).exit_code == 0
    user = tmp_path / "kb"
    user.mkdir()
    (user / "mine.yaml").write_text(
        "- id: org/sahel-farmers\n  name: Sahel Farmers Union\n  type: ORG\n  kind: ngo\n"
        "  aliases: [SFU]\n  source: analyst note 2025-01\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["kb", "check", "--kb", str(user)])
    assert result.exit_code == 0, result.stderr
    result = CliRunner().invoke(app, ["kb", "lookup", "SFU", "--kb", str(user)])
    assert "Sahel Farmers Union" in result.stdout


def test_user_kb_entry_used_in_extraction(tmp_path):
    user = tmp_path / "kb"
    user.mkdir()
    (user / "mine.yaml").write_text(
        "- id: org/sahel-farmers\n  name: Sahel Farmers Union\n  type: ORG\n  kind: ngo\n"
        "  aliases: [SFU]\n  source: analyst note 2025-01\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", "--kb", str(user), "--text", "The SFU protested in Dori."])
    record = json.loads(result.stdout)
    assert any(e["name"] == "Sahel Farmers Union" and e["aliases"] == ["SFU"] for e in record["entities"])


def test_invalid_user_kb_is_a_clear_error(tmp_path):
    user = tmp_path / "kb"
    user.mkdir()
    (user / "bad.yaml").write_text("- id: Not An Id\n  name: X\n  type: ORG\n  source: s\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["kb", "check", "--kb", str(user)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr and "Not An Id" in result.stderr


HOSTILE = "\x1b]0;owned\x07\x1b[2J\u202eevil"


def test_hostile_file_names_are_printed_inert(tmp_path):
    # an escape sequence or bidi override in a file name must not reach the terminal raw
    bad = tmp_path / f"{HOSTILE}.txt"
    bad.write_bytes(b"")  # empty: an error naming the file
    good = tmp_path / "ok.txt"
    good.write_text("Sergei Lavrov visited Ouagadougou on Tuesday.", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "--out", str(tmp_path / "out")])
    shown = result.stderr
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202eevil.txt" in shown
    assert not any(c in shown for c in "\x1b\x07\u202e")
    assert (tmp_path / "out").is_dir() and len(list((tmp_path / "out").glob("*.json"))) == 1


def test_markup_in_error_messages_is_not_interpreted(tmp_path):
    # error lines use rich markup for "error:"; what they quote must stay plain text
    result = CliRunner().invoke(app, ["export", "[red]x[/red][link=http:e.vil]y", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2
    assert "[red]x[/red][link=http:e.vil]y" in result.stderr
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "[red]x[/red].txt")])
    assert result.exit_code == 1 and "[red]x[/red].txt" in result.stderr


def test_safe_keeps_json_valid():
    from newsgraph.terminal import safe

    data = {"name": HOSTILE + "\x85\x7f"}
    line = safe(json.dumps(data, ensure_ascii=False))
    assert not any(c in line for c in "\x1b\x07\u202e\x85\x7f")
    assert json.loads(line) == data
    assert safe("line one\n\ttabbed") == "line one\n\ttabbed"
