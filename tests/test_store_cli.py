"""The store's commands through typer's CliRunner (SQLite)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgraph.cli import app  # first: importing newsgraph.cli_store first is an import cycle (cli_serve)
import newsgraph.cli_store  # noqa: F401,E402  (registers the store's commands)
from newsgraph.kb import name_key
from newsgraph.store import Store
from newsgraph.store.synthetic import generate_records

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"
runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    return result


@pytest.fixture
def records_dir(tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    for rec in generate_records(40, seed=5):
        (folder / f"{rec.doc_id}.json").write_text(rec.model_dump_json(), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    return folder


def test_db_upgrade_and_stats(tmp_path):
    from newsgraph.store.db import head_revision

    head = head_revision()
    db = tmp_path / "cli.db"
    result = invoke("db", "upgrade", "--db", db)
    assert result.exit_code == 0, result.output
    assert f"empty -> {head}" in result.output
    result = invoke("db", "upgrade", "--db", db)
    assert f"{head} -> {head}" in result.output
    result = invoke("stats", "--db", db, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"documents", "entities", "events", "quotes"} <= set(data) and data["documents"] == 0


def test_ingest_records_and_queries(tmp_path, records_dir, monkeypatch):
    db = tmp_path / "cli.db"
    result = invoke("ingest", "--records", records_dir, "--db", db, "--json")
    assert result.exit_code == 1  # the broken file
    assert "broken.json" in result.stderr and "not a record" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["added"] + summary["new_version"] == 40 and summary["input_errors"] == 1
    again = invoke("ingest", "--records", records_dir, "--db", db, "--json")
    assert json.loads(again.stdout)["unchanged"] == 40

    monkeypatch.setenv("NEWSGRAPH_DB", str(db))  # the default store
    stats = json.loads(invoke("stats", "--json").stdout)
    assert stats["documents"] > 30 and stats["events"] > 0 and stats["quotes"] > 0 and stats["entities"] > 10

    result = invoke("entity", "Russia", "--json")
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert profile["name"] == "Russia" and profile["neighbours"]
    text = invoke("entity", "Russia").stdout
    assert text.startswith("Russia") and "neighbours:" in text

    hits = json.loads(invoke("entity", "search", "Rusia", "--json").stdout)
    assert hits[0]["name"] == "Russia"

    timeline = json.loads(invoke("timeline", "--entity", "Russia", "--from", "2019", "--json").stdout)
    assert timeline and all(any(p["name"] == "Russia" for p in c["actors"] + c["recipients"]) for c in timeline)
    dates = [c["date_start"] for c in timeline]
    assert dates == sorted(dates)
    assert invoke("timeline", "--type", "AID", "--to", "2030").exit_code == 0
    assert invoke("timeline", "--from", "June").exit_code == 2

    by_month = json.loads(invoke("narratives", "--by", "month", "--json").stdout)
    assert by_month and {"period", "narrative", "documents", "independent_sources"} <= set(by_month[0])
    assert invoke("narratives", "--by", "outlet").exit_code == 0
    assert invoke("narratives", "--by", "year").exit_code == 2

    assert invoke("search", "Republished", "--json").exit_code == 0
    assert invoke("contradictions", "--json").exit_code == 0
    assert invoke("entity", "Nobody Here At All").exit_code == 1


def test_entity_merge_and_split(tmp_path, records_dir):
    db = tmp_path / "cli.db"
    invoke("ingest", "--records", records_dir, "--db", db)
    store = Store(db)
    people = [h for h in store.search_entities("a", limit=50) if h["type"] == "PERSON"][:2]
    store.close()
    a, b = people
    result = invoke("entity", "merge", a["name"], b["name"], "--db", db, "--note", "same person")
    assert result.exit_code == 0, result.output
    assert f"merged {b['name']!r}" in result.stdout
    store = Store(db)
    assert store.find_entity(b["name"]) == store.find_entity(a["name"])
    store.close()
    result = invoke("entity", "split", a["name"], b["name"], "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == b["name"]
    store = Store(db)
    assert store.find_entity(b["name"]) != store.find_entity(a["name"])
    assert [j["kind"] for j in store.judgements()] == ["merge", "split"]
    store.close()
    assert invoke("entity", "merge", "only-one", "--db", db).exit_code == 2


def test_ingest_extracts_examples(tmp_path):
    """The done-when check on the examples: one node per person and organization across documents."""
    db = tmp_path / "ex.db"
    files = [EXAMPLES / n for n in ("somb_statement_burkina.txt", "lavrov_ouagadougou_visit.txt",
                                    "car_diamond_embargo_lifted.html", "crawl.warc.gz",
                                    "interview_burkina_foreign_minister.txt")]
    result = invoke("ingest", *files, tmp_path / "missing.txt", "--db", db)
    assert result.exit_code == 1  # the missing file, reported; the rest stored
    assert "missing.txt" in result.stderr
    store = Store(db)
    try:
        assert store.stats()["documents"] == 6
        assert store.raw("lavrov_ouagadougou_visit")  # raw input kept beside the record
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT name, type FROM entities WHERE doc_count > 0 AND merged_into_id IS NULL"
                                        ).all()
        keys = [(name_key(n).replace("y", "i"), t) for n, t in rows]
        for wanted in (("ibrahim traore", "PERSON"), ("sergei shoigu", "PERSON"),
                       ("officers union for international securiti", "ORG")):
            assert keys.count(wanted) == 1, (wanted, sorted(rows))
        ouis = store.entity_profile("Officers Union for International Security")
        assert ouis["documents"] >= 2
        assert all(n["documents"] >= 1 for n in ouis["neighbours"])
    finally:
        store.close()
