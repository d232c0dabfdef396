"""Exports (newsgraph.export): every format parsed back by the library that consumes it, filters,
provenance of every exported fact, determinism of STIX ids, and the `export` command."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import networkx as nx
import pytest
import stix2
from followthemoney import model
from typer.testing import CliRunner

import newsgraph.cli_export  # noqa: F401  (registers `export`)
from newsgraph.cli import app
from newsgraph.export import FORMATS, ExportError, ExportFilters, export
from newsgraph.export.csv_tables import TABLES, unguard
from newsgraph.export.selection import EVENT_TYPES
from newsgraph.record import Entity, Event, Narrative, Party, Quote, Record, Role, Signal, Span
from newsgraph.store import Store
from newsgraph.store.synthetic import generate_records

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# (name, type, kind, country, kb id, surface forms)
CAST = {
    "Russia": ("GPE", "state", "RUS", "state/rus", ["Russia", "Moscow"]),
    "Mali": ("GPE", "state", "MLI", "state/mli", ["Mali"]),
    "France": ("GPE", "state", "FRA", "state/fra", ["France"]),
    "Bamako": ("GPE", "city", "MLI", "city/bamako", ["Bamako"]),
    "Sergei Testov": ("PERSON", None, "RUS", None, ["Sergei Testov", "Testov"]),
    "Awa Diarra": ("PERSON", None, "MLI", None, ["Awa Diarra"]),
    "Wagner Group": ("ORG", "pmc", "RUS", "org/wagner-group", ["Wagner Group", "Wagner"]),
    "Ministry of Defence of Mali": ("ORG", "government_body", "MLI", None, ["Ministry of Defence of Mali"]),
    "Malian Armed Forces": ("ORG", "military", "MLI", "org/mli-armed-forces", ["Malian army"]),
}


def make_record(doc_id: str, text: str, *, published=None, url=None, outlet=None, names=(), roles=(), events=(),
                quotes=(), narratives=(), signals=()) -> Record:
    """A record with exact spans: every surface form of each entity in ``names`` found in ``text``."""

    def span(sub: str) -> Span:
        i = text.index(sub)
        return Span(start=i, end=i + len(sub), text=sub)

    entities = []
    for name in names:
        type_, kind, country, kb, forms = CAST[name]
        mentions, taken = [], set()
        for form in sorted(forms, key=len, reverse=True):
            for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
                if not taken & set(range(m.start(), m.end())):
                    taken |= set(range(m.start(), m.end()))
                    mentions.append(Span(start=m.start(), end=m.end(), text=form))
        entities.append(Entity(id=kb, name=name, type=type_, kind=kind, country=country,
                               aliases=sorted({s.text for s in mentions} | {name}),
                               mentions=sorted(mentions, key=lambda s: s.start)))
    return Record(
        doc_id=doc_id, title=text.split("\n")[0], published=published, outlet=outlet, url=url, text=text,
        entities=entities,
        roles=[Role(person=p, title=t, of=o, evidence=span(ev)) for p, t, o, ev in roles],
        events=[Event(type=t, mode=mode, actor=[Party(name=a, country=CAST[a][2]) for a in actors],
                      recipient=[Party(name=r, country=CAST[r][2]) for r in recips], date=date, evidence=span(ev))
                for t, mode, actors, recips, date, ev in events],
        quotes=[Quote(speaker=s, text=q, direct=True, start=text.index(q), end=text.index(q) + len(q))
                for s, q in quotes],
        narratives=[Narrative(id=n, score=sc, evidence=[span(ev)]) for n, sc, ev in narratives],
        signals=[Signal(kind=k, detail=d, evidence=span(ev) if ev else None) for k, d, ev in signals],
    )


TEXT_A = ("Russia and Mali sign defence pact in Bamako\n\n"
          "Russian Defence Minister Sergei Testov signed a defence agreement with Mali in Bamako on Monday. "
          "Testov said: \"=SUM(1) Moscow keeps its word to its friends.\" "
          "Wagner Group fighters attacked positions near Bamako last week, Awa Diarra of the Ministry of Defence "
          "of Mali said. Wagner denied it. Russia is a partner that never imposes conditions, the minister added. "
          "The statement was relayed by state media.")


def corpus() -> list[Record]:
    a = make_record(
        "a-pact", TEXT_A, published="2024-03-05", url="https://wire.example.org/2024/03/05/pact",
        outlet="Example Wire",
        names=["Russia", "Mali", "Bamako", "Sergei Testov", "Wagner Group", "Awa Diarra",
               "Ministry of Defence of Mali"],
        roles=[("Sergei Testov", "Defence Minister", "Russia", "Russian Defence Minister Sergei Testov"),
               ("Awa Diarra", "spokesperson", "Ministry of Defence of Mali", "Awa Diarra of the Ministry of Defence")],
        events=[("AGREE", "sign", ["Russia"], ["Mali"], "2024-03-04",
                 "Sergei Testov signed a defence agreement with Mali in Bamako on Monday."),
                ("ASSAULT", None, ["Wagner Group"], [], "2024-02",
                 "Wagner Group fighters attacked positions near Bamako last week")],
        quotes=[("Sergei Testov", "=SUM(1) Moscow keeps its word to its friends.")],
        narratives=[("russia_reliable_partner", 0.91, "Russia is a partner that never imposes conditions")],
        signals=[("state_media_source", "relayed by state media", "The statement was relayed by state media.")])
    # the same story at another outlet: one more document, not one more independent source
    copy = a.model_copy(update={"doc_id": "a-pact-copy", "outlet": "Copy Daily",
                                "url": "https://copy.example.net/pact", "text": a.text + "\n\nRepublished."})
    b_text = ("France accuses Russia over Sahel\n\nRussia and Mali held consultations in May 2023. "
              "France accused Russia of destabilizing the Sahel in 2022.")
    b = make_record("b-consult", b_text, published="2023-06-01", names=["Russia", "Mali", "France"],
                    events=[("CONSULT", "meet", ["Russia", "Mali"], [], "2023-05",
                             "Russia and Mali held consultations in May 2023."),
                            ("ACCUSE", None, ["France"], ["Russia"], "2022",
                             "France accused Russia of destabilizing the Sahel in 2022.")])
    c_text = "Undated note\n\nFrance rejected the demands of Mali."
    c = make_record("c-undated", c_text, names=["France", "Mali"],
                    events=[("REJECT", None, ["France"], ["Mali"], None, "France rejected the demands of Mali.")])
    d_text = "Looking back\n\nIn December 2023 Russia delivered aid to Mali, officials recalled."
    d = make_record("d-lookback", d_text, published="2025-01-10", url="https://later.example.org/lookback",
                    names=["Russia", "Mali"],
                    events=[("AID", None, ["Russia"], ["Mali"], "2023-12",
                             "In December 2023 Russia delivered aid to Mali")])
    e = make_record("e-year", "A year in review\n\nFrance looked back.", published="2022", names=["France"])
    return [a, copy, b, c, d, e]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("export") / "store.db")
    results = s.add_records(corpus())
    assert all(r.status == "added" for r in results), results
    yield s
    s.close()


@pytest.fixture(scope="module")
def records(store) -> dict[str, Record]:
    return {r.doc_id: r for r in store.iter_records()}


def run(store, fmt: str, tmp_path: Path, name: str | None = None, filters=None, **options) -> Path:
    out = tmp_path / (name or f"out.{fmt}")
    export(store, fmt, out, filters, **options)
    return out


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


# --------------------------------------------------------------------------- JSON lines


def test_jsonl_records_round_trip_into_a_new_store(store, records, tmp_path):
    out = run(store, "jsonl", tmp_path)
    parsed = [Record.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r.doc_id for r in parsed} == set(records)
    for r in parsed:
        assert r == records[r.doc_id]  # the record as stored, text included
    again = Store(tmp_path / "again.db")
    assert all(x.status == "added" for x in again.add_records(parsed))
    mine, theirs = store.stats(), again.stats()
    assert {k: mine[k] for k in ("documents", "events", "quotes", "roles")} == \
           {k: theirs[k] for k in ("documents", "events", "quotes", "roles")}
    again.close()


# --------------------------------------------------------------------------- CSV


def read_tables(folder: Path, encoding: str = "utf-8") -> dict[str, list[dict]]:
    tables = {}
    for name in TABLES:
        with open(folder / f"{name}.csv", encoding=encoding, newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == TABLES[name]
            tables[name] = list(reader)
    return tables


def test_csv_tables_read_back_with_evidence_and_iso_dates(store, records, tmp_path):
    folder = tmp_path / "tables"
    export(store, "csv", folder)
    raw = (folder / "events.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    t = read_tables(folder)
    assert {r["doc_id"] for r in t["documents"]} == set(records)
    assert len(t["events"]) == sum(len(r.events) for r in records.values())
    for table in ("mentions", "roles", "events", "quotes", "narratives", "signals"):
        for row in t[table]:
            text = records[row["doc_id"]].text
            if row["evidence_start"]:
                start, end = int(row["evidence_start"]), int(row["evidence_end"])
                assert text[start:end] == unguard(row["evidence_text"]), (table, row)
    for row in t["events"]:
        for col in ("date", "date_start", "date_end"):
            assert not row[col] or ISO_DATE.match(row[col]), row
    for row in t["documents"]:
        assert not row["published"] or ISO_DATE.match(row["published"])
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", row["ingested_at"])
    agree = next(r for r in t["events"] if r["type"] == "AGREE" and r["doc_id"] == "a-pact")
    assert agree["actors"] == "Russia" and agree["recipients"] == "Mali" and agree["mode"] == "sign"
    assert agree["url"] == "https://wire.example.org/2024/03/05/pact"
    ents = {r["name"]: r for r in t["entities"]}
    assert ents["Wagner Group"]["kind"] == "pmc" and ents["Wagner Group"]["key"] == "kb:org/wagner-group"
    assert ents["Russia"]["documents"] == "4"
    narrative = t["narratives"][0]
    assert narrative["narrative_id"] == "russia_reliable_partner" and "T0002" in narrative["disarm"]


def test_csv_guards_formulas_and_writes_a_bom_when_asked(store, tmp_path):
    folder = tmp_path / "bom"
    export(store, "csv", folder, bom=True)
    assert (folder / "quotes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    t = read_tables(folder, encoding="utf-8-sig")
    quote = next(r for r in t["quotes"] if r["doc_id"] == "a-pact")
    assert quote["evidence_text"].startswith("'=SUM(1)")  # a spreadsheet shows it, never runs it
    assert unguard(quote["evidence_text"]) == "=SUM(1) Moscow keeps its word to its friends."
    plain = tmp_path / "plain"
    export(store, "csv", plain, formula_guard=False)
    assert any(r["evidence_text"].startswith("=SUM") for r in read_tables(plain)["quotes"])


def test_csv_as_zip_file_and_stream(store, tmp_path):
    out = run(store, "csv", tmp_path, "tables.zip")
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}.csv" for n in TABLES)
        rows = list(csv.DictReader(io.TextIOWrapper(zf.open("events.csv"), encoding="utf-8", newline="")))
        assert rows and rows[0]["event_key"]
    buf = io.BytesIO()
    summary = export(store, "csv", buf)
    assert summary.out == "-" and zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()


# --------------------------------------------------------------------------- PLOVER


def test_plover_records_use_plover_fields(store, records, tmp_path):
    recs = lines(run(store, "plover", tmp_path))
    assert len(recs) == sum(len(r.events) for r in records.values())
    for rec in recs:
        assert {"id", "date", "source", "recipient", "event", "mode", "context", "text", "cite_info"} <= set(rec)
        assert DAY.match(rec["date"]) and rec["event"][0] in EVENT_TYPES
        assert rec["quad_code"] in (1, 2, 3, 4)
        doc = records[rec["cite_info"]["citation"]]
        assert doc.text[rec["text_info"]["start"]:rec["text_info"]["end"]] == rec["text"]
        for actor in rec["source"] + rec["recipient"]:
            assert actor["actor_text"] and (actor["code"] is None or re.match(r"^[A-Z]{3}$", actor["code"]))
    agree = next(r for r in recs if r["event"] == ["AGREE"] and r["cite_info"]["citation"] == "a-pact")
    assert agree["source"][0]["code"] == "RUS" and agree["recipient"][0]["code"] == "MLI"
    assert agree["mode"] == ["sign"] and agree["date"] == "2024-03-04" and agree["date_source"] == "text"
    assert agree["cite_info"]["url"] == "https://wire.example.org/2024/03/05/pact"
    copy = next(r for r in recs if r["event"] == ["AGREE"] and r["cite_info"]["citation"] == "a-pact-copy")
    assert agree["link"] == copy["link"]  # the two reports of one occurrence share a corroboration link
    month = next(r for r in recs if r["event"] == ["ASSAULT"])
    assert (month["date"], month["enddate"], month["date_precision"]) == ("2024-02-01", "2024-02-29", "month")
    undated = next(r for r in recs if r["event"] == ["REJECT"])
    assert undated["date_source"] == "stored" and DAY.match(undated["date"])


# --------------------------------------------------------------------------- graphs


def test_graphml_round_trip_matches_the_store_graph(store, tmp_path):
    g = nx.read_graphml(run(store, "graphml", tmp_path), force_multigraph=True)
    for _, data in g.nodes(data=True):
        assert {"label", "type", "kind", "country", "entity_key", "documents"} <= set(data)
    russia = next(n for n, d in g.nodes(data=True) if d["label"] == "Russia")
    mali = next(n for n, d in g.nodes(data=True) if d["label"] == "Mali")
    assert g.nodes[russia]["country"] == "RUS" and g.nodes[russia]["type"] == "GPE"
    agree = g.get_edge_data(russia, mali)["event:AGREE"]
    assert agree["type"] == "event" and agree["documents"] == 2
    assert agree["weight"] == agree["independent_sources"] == 1  # a syndicated copy counts once
    assert agree["first"] == agree["last"] == "2024-03-04"
    assert set(agree["doc_ids"].split()) == {"a-pact", "a-pact-copy"}
    assert json.loads(agree["evidence"])[0]["text"].startswith("Sergei Testov signed")
    # the same edges, counts and independent sources as newsgraph.graph.build_graph
    ref = store.graph()
    key_of = {n: d["entity_key"] for n, d in g.nodes(data=True)}
    ref_key = {n: (f"kb:{d['kb_id']}" if d["kb_id"] else None) for n, d in ref.nodes(data=True)}
    mine = {(key_of[a], key_of[b], k): (d["documents"], d["independent_sources"]) for a, b, k, d in
            g.edges(keys=True, data=True)}
    theirs = {(ref_key[a], ref_key[b], k): (d["documents"], d["independent_sources"]) for a, b, k, d in
              ref.edges(keys=True, data=True) if ref_key[a] and ref_key[b]}
    assert theirs and all(mine[k] == v for k, v in theirs.items())
    assert len(g.edges) == len(ref.edges) and len(g.nodes) == len(ref.nodes)


def test_gexf_is_dynamic_and_reads_back(store, tmp_path):
    out = run(store, "gexf", tmp_path)
    head = out.read_text(encoding="utf-8")[:2000]
    assert 'mode="dynamic"' in head and 'timeformat="date"' in head
    g = nx.read_gexf(out)
    russia = next(n for n, d in g.nodes(data=True) if d["label"] == "Russia")
    assert DAY.match(g.nodes[russia]["start"]) and DAY.match(g.nodes[russia]["end"])
    assert g.nodes[russia]["entity_key"] == "kb:state/rus" and g.nodes[russia]["type"] == "GPE"
    edges = [d for *_, d in g.edges(data=True, keys=True)]
    assert all({"kind", "weight", "start", "end", "doc_ids"} <= set(d) for d in edges if d["first"])
    assert not any(d["relation"] == "ASSAULT" for d in edges)  # one actor, no recipient: no edge
    aid = next(d for d in edges if d["relation"] == "AID")
    assert (aid["start"], aid["end"]) == ("2023-12-01", "2023-12-31")


def test_a_state_and_its_own_army_are_not_tied_by_their_event(tmp_path):
    # "the Malian army" is given as Mali and the Malian Armed Forces, one side of the event
    text = "Army strikes\n\nThe Malian army arrested two journalists. Mali and France held talks."
    rec = make_record("army", text, published="2024-05-02", names=["Mali", "Malian Armed Forces", "France"],
                      events=[("COERCE", "arrest", ["Mali", "Malian Armed Forces"], [], "2024-05-01",
                               "The Malian army arrested two journalists."),
                              ("CONSULT", "meet", ["Mali", "France"], [], "2024-05-01",
                               "Mali and France held talks.")])
    s = Store(tmp_path / "army.db")
    s.add_records([rec])
    mali, army, france = (s.find_entity(n) for n in ("Mali", "Malian Armed Forces", "France"))
    ref = s.graph()
    assert not any(k.startswith("event:") for k in (ref.get_edge_data(mali, army) or {}))
    assert not any(k.startswith("event:") for k in (ref.get_edge_data(army, mali) or {}))
    assert "event:CONSULT" in (ref.get_edge_data(min(mali, france), max(mali, france)) or {})
    g = nx.read_graphml(run(s, "graphml", tmp_path, edges=("role", "event")), force_multigraph=True)
    assert sorted(d["relation"] for *_, d in g.edges(data=True)) == ["CONSULT"]
    s.close()


def test_synthetic_corpus_graph_equals_build_graph(tmp_path):
    s = Store(tmp_path / "syn.db")
    s.add_records(generate_records(25, seed=11))
    g = nx.read_graphml(run(s, "graphml", tmp_path), force_multigraph=True)
    ref = s.graph()
    mine = {(int(a), int(b), k): (d["documents"], d["independent_sources"]) for a, b, k, d in
            g.edges(keys=True, data=True)}
    theirs = {(a, b, k): (d["documents"], d["independent_sources"]) for a, b, k, d in ref.edges(keys=True, data=True)}
    assert mine == theirs
    s.close()


def test_graph_of_roles_and_events_only(store, tmp_path):
    g = nx.read_graphml(run(store, "graphml", tmp_path, "re.graphml", edges=("role", "event")), force_multigraph=True)
    assert {d["kind"] for *_, d in g.edges(keys=True, data=True)} == {"role", "event"}
    assert all(g.degree(n) for n in g)  # only the entities roles and events link
    assert "Wagner Group" not in {d["label"] for _, d in g.nodes(data=True)}
    with pytest.raises(ExportError, match="--edges"):
        export(store, "gexf", tmp_path / "x.gexf", edges=("friendship",))


# --------------------------------------------------------------------------- STIX


def test_stix_bundle_parses_strictly_and_references_resolve(store, records, tmp_path):
    text = run(store, "stix", tmp_path).read_text(encoding="utf-8")
    bundle = stix2.parse(text, allow_custom=False)
    objects = {o.id: o for o in bundle.objects}
    assert len(objects) == len(bundle.objects)
    for o in bundle.objects:
        refs = list(o.get("object_refs", [])) + [o[k] for k in ("source_ref", "target_ref", "created_by_ref")
                                                   if k in o]
        assert all(r in objects for r in refs), o.id
        if o.type == "relationship":
            assert re.fullmatch(r"[a-z0-9-]+", o.relationship_type)
    reports = [o for o in bundle.objects if o.type == "report"]
    assert {r.external_references[0].external_id for r in reports} == set(records)
    pact = next(r for r in reports if r.external_references[0].external_id == "a-pact")
    assert pact.external_references[0].url == "https://wire.example.org/2024/03/05/pact"
    assert str(pact.published).startswith("2024-03-05")
    by_name = {o.name: o for o in bundle.objects if o.type in ("identity", "threat-actor", "location")}
    assert by_name["Wagner Group"].type == "threat-actor" and "Wagner" in by_name["Wagner Group"].aliases
    assert by_name["Sergei Testov"].identity_class == "individual"
    assert by_name["Russia"].type == "location" and by_name["Russia"].country == "RU"
    assert by_name["Bamako"].city == "Bamako" and by_name["Bamako"].country == "ML"
    pattern = next(o for o in bundle.objects if o.type == "attack-pattern")
    disarm = [r for r in pattern.external_references if r.source_name == "DISARM"]
    assert {r.external_id for r in disarm} == {"T0002", "T0004"} and all(r.url for r in disarm)
    quote = next(o for o in bundle.objects if o.type == "note" and "quote" in o.get("labels", []))
    assert quote.authors == ["Sergei Testov"] and quote.content.startswith("=SUM(1)")
    assert by_name["Sergei Testov"].id in quote.object_refs


def test_stix_ids_are_the_same_across_exports_and_stores(store, tmp_path):
    first = stix2.parse(run(store, "stix", tmp_path, "one.json").read_text(encoding="utf-8"))
    second = stix2.parse(run(store, "stix", tmp_path, "two.json").read_text(encoding="utf-8"))
    assert [o.id for o in first.objects] == [o.id for o in second.objects] and first.id == second.id
    other = Store(tmp_path / "other.db")  # the same records stored again elsewhere, in another order
    other.add_records(list(reversed(corpus())))
    third = stix2.parse(run(other, "stix", tmp_path, "three.json").read_text(encoding="utf-8"))
    assert {o.id for o in third.objects} == {o.id for o in first.objects}
    other.close()


# --------------------------------------------------------------------------- FollowTheMoney


def test_ftm_entities_validate_and_link(store, records, tmp_path):
    data = lines(run(store, "ftm", tmp_path))
    ids = {d["id"]: d for d in data}
    assert len(ids) == len(data)
    for d in data:
        proxy = model.get_proxy(d, cleaned=False)
        schema = proxy.schema
        assert not schema.abstract, d
        assert schema.validate(d) is None
        missing = [p for p in schema.required if not d["properties"].get(p)]
        assert not missing, (schema.name, missing)
        for prop_name, values in d["properties"].items():
            prop = schema.get(prop_name)
            assert prop is not None, (schema.name, prop_name)
            for value in values:
                assert prop.type.validate(value), (schema.name, prop_name, value)
                if prop.type.name == "entity":
                    assert value in ids, (schema.name, prop_name)
                    assert model.get(ids[value]["schema"]).is_a(prop.range), (schema.name, prop_name)
    schemata = {d["schema"] for d in data}
    assert {"Article", "Person", "PublicBody", "Organization", "Address", "Mention", "Documentation", "Position",
            "Occupancy", "Event", "Note"} <= schemata
    assert sum(d["schema"] == "Article" for d in data) == len(records)
    pact = next(d for d in data if d["schema"] == "Article" and
                d["properties"].get("sourceUrl") == ["https://wire.example.org/2024/03/05/pact"])
    assert pact["properties"]["publishedAt"] == ["2024-03-05"] and pact["properties"]["bodyText"][0] == TEXT_A
    testov = next(d for d in data if d["schema"] == "Person" and d["properties"]["name"] == ["Sergei Testov"])
    occupancy = next(d for d in data if d["schema"] == "Occupancy" and d["properties"]["holder"] == [testov["id"]])
    post = ids[occupancy["properties"]["post"][0]]
    assert post["properties"]["name"] == ["Defence Minister of Russia"]
    assert occupancy["properties"]["proof"] == [pact["id"]]


# --------------------------------------------------------------------------- provenance


def test_an_exported_fact_names_its_source_document(store, tmp_path):
    """The AGREE event of a-pact, followed into every format back to its document."""
    url = "https://wire.example.org/2024/03/05/pact"
    evidence = "Sergei Testov signed a defence agreement with Mali in Bamako on Monday."
    found: dict[str, bool] = {}

    rec = next(r for r in lines(run(store, "jsonl", tmp_path)) if any(e["type"] == "AGREE" for e in r["events"])
               and r["doc_id"] == "a-pact")
    found["jsonl"] = rec["url"] == url and rec["events"][0]["evidence"]["text"] == evidence

    folder = tmp_path / "csv"
    export(store, "csv", folder)
    row = next(r for r in read_tables(folder)["events"] if r["type"] == "AGREE" and r["doc_id"] == "a-pact")
    found["csv"] = row["url"] == url and row["evidence_text"] == evidence

    plover = next(r for r in lines(run(store, "plover", tmp_path)) if r["event"] == ["AGREE"]
                  and r["cite_info"]["citation"] == "a-pact")
    found["plover"] = plover["cite_info"]["url"] == url and plover["text"] == evidence

    for fmt, reader in (("graphml", lambda p: nx.read_graphml(p, force_multigraph=True)), ("gexf", nx.read_gexf)):
        g = reader(run(store, fmt, tmp_path))
        edge = next(d for *_, d in g.edges(data=True, keys=True) if d["relation"] == "AGREE")
        found[fmt] = "a-pact" in edge["doc_ids"].split() and any(
            e["doc_id"] == "a-pact" and e["text"] == evidence for e in json.loads(edge["evidence"]))

    bundle = stix2.parse(run(store, "stix", tmp_path).read_text(encoding="utf-8"))
    rel = next(o for o in bundle.objects if o.type == "relationship" and "plover:AGREE" in o.labels
               and o.external_references[0].external_id == "a-pact")
    report = next(o for o in bundle.objects if o.type == "report" and o.external_references[0].external_id == "a-pact")
    found["stix"] = rel.external_references[0].url == url and evidence in rel.external_references[0].description \
        and rel.id in report.object_refs

    data = lines(run(store, "ftm", tmp_path))
    ids = {d["id"]: d for d in data}
    event = next(d for d in data if d["schema"] == "Event" and d["properties"].get("recordId") == ["a-pact/event/1"])
    article = ids[event["properties"]["proof"][0]]
    found["ftm"] = article["properties"]["sourceUrl"] == [url] and event["properties"]["summary"] == [evidence] \
        and event["properties"]["sourceUrl"] == [url]
    assert found == {fmt: True for fmt in FORMATS}


# --------------------------------------------------------------------------- filters


def doc_ids(store, tmp_path, **filters) -> set[str]:
    return {r["doc_id"] for r in lines(run(store, "jsonl", tmp_path, "f.jsonl", ExportFilters(**filters)))}


def plover_events(store, tmp_path, **filters) -> set[tuple[str, str]]:
    return {(r["cite_info"]["citation"], r["event"][0])
            for r in lines(run(store, "plover", tmp_path, "f.plover", ExportFilters(**filters)))}


def test_filters_select_documents_and_events_alike(store, tmp_path):
    assert doc_ids(store, tmp_path, entity="Wagner") == {"a-pact", "a-pact-copy"}
    assert plover_events(store, tmp_path, entity="France") == {("b-consult", "ACCUSE"), ("c-undated", "REJECT")}
    assert plover_events(store, tmp_path, type="agree") == {("a-pact", "AGREE"), ("a-pact-copy", "AGREE")}
    assert doc_ids(store, tmp_path, narrative="russia_reliable_partner") == {"a-pact", "a-pact-copy"}
    # an event is dated by its text: the 2023 aid recalled in a 2025 article is in 2023, with its source
    assert plover_events(store, tmp_path, start="2023-12", end="2023") == {("d-lookback", "AID")}
    assert doc_ids(store, tmp_path, start="2023-12", end="2023") == {"d-lookback"}
    # documents by publication date (an undated one never matches a range; a year overlaps its months)
    assert doc_ids(store, tmp_path, start="2024") == {"a-pact", "a-pact-copy", "d-lookback"}
    # (b-consult comes as the source of its ACCUSE event, dated 2022)
    assert doc_ids(store, tmp_path, start="2022-06", end="2022-06-30") == {"e-year", "b-consult"}
    assert doc_ids(store, tmp_path, start="2021-06", end="2022-01-01") == {"e-year", "b-consult"}
    assert doc_ids(store, tmp_path, start="2021-06", end="2021-12-31") == set()
    assert plover_events(store, tmp_path, start="2024") == {("a-pact", "AGREE"), ("a-pact", "ASSAULT"),
                                                           ("a-pact-copy", "AGREE"), ("a-pact-copy", "ASSAULT")}
    # filters combine; the same selection reaches the other formats
    f = ExportFilters(entity="Mali", type="CONSULT")
    folder = tmp_path / "filtered"
    export(store, "csv", folder, f)
    t = read_tables(folder)
    assert {r["doc_id"] for r in t["documents"]} == {"b-consult"}
    assert [r["type"] for r in t["events"]] == ["CONSULT"]
    bundle = stix2.parse(run(store, "stix", tmp_path, "f.json", f).read_text(encoding="utf-8"))
    assert [o.external_references[0].external_id for o in bundle.objects if o.type == "report"] == ["b-consult"]
    assert [o.labels[1] for o in bundle.objects if o.type == "relationship"] == ["plover:CONSULT"]


def test_entity_filter_keeps_its_roles_and_quotes(store, tmp_path):
    folder = tmp_path / "testov"
    export(store, "csv", folder, ExportFilters(entity="Testov"))
    t = read_tables(folder)
    assert {r["person"] for r in t["roles"]} == {"Sergei Testov"}
    assert {r["speaker"] for r in t["quotes"]} == {"Sergei Testov"}
    assert t["events"] == []  # Testov is no party to an event


def test_bad_requests_raise_clear_errors(store, tmp_path):
    with pytest.raises(ExportError, match="unknown format 'xls'"):
        export(store, "xls", tmp_path / "x")
    with pytest.raises(ExportError, match="no entity named 'Nobody'"):
        export(store, "jsonl", tmp_path / "x", ExportFilters(entity="Nobody"))
    with pytest.raises(ExportError, match="no such narrative"):
        export(store, "jsonl", tmp_path / "x", ExportFilters(narrative="moon_is_cheese"))
    with pytest.raises(ExportError, match="--from"):
        ExportFilters(start="2024-13")
    with pytest.raises(ExportError, match="after"):
        ExportFilters(start="2025", end="2024")
    with pytest.raises(ExportError, match="not a PLOVER event type"):
        ExportFilters(type="HUG")
    with pytest.raises(ExportError, match="cannot write"):
        export(store, "stix", tmp_path / "missing" / "x.json")
    with pytest.raises(ExportError, match="csv tables only"):
        export(store, "jsonl", tmp_path / "x.jsonl", bom=True)


def test_a_failed_export_leaves_the_old_file_and_no_temporary(store, tmp_path, monkeypatch):
    out = tmp_path / "kept.jsonl"
    out.write_text("old\n", encoding="utf-8")
    import newsgraph.export.jsonl as jsonl

    def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jsonl.Record, "model_validate", broken)
    with pytest.raises(RuntimeError):
        export(store, "jsonl", out)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.jsonl"]


# --------------------------------------------------------------------------- command line


def test_export_command(store, tmp_path):
    runner = CliRunner()
    db = store.url
    out = tmp_path / "cli.stix.json"
    result = runner.invoke(app, ["export", "stix", "--db", db, "--out", str(out), "--entity", "Russia", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["format"] == "stix" and summary["filters"] == {"entity": "Russia"} and summary["bytes"] > 0
    assert stix2.parse(out.read_text(encoding="utf-8")).type == "bundle"

    result = runner.invoke(app, ["export", "plover", "--db", db, "--type", "AID"])
    assert result.exit_code == 0
    assert [json.loads(x)["event"] for x in result.stdout.splitlines()] == [["AID"]]

    for args, message in ((["export", "xlsx"], "unknown format 'xlsx'"),
                          (["export", "jsonl", "--entity", "Nobody"], "no entity named 'Nobody'"),
                          (["export", "csv"], "give --out FOLDER"),
                          (["export", "gexf", "--out", str(tmp_path / "no" / "g.gexf")], "cannot write"),
                          (["export", "jsonl", "--to", "soon"], "--to 'soon'"),
                          (["export", "stix", "--edges", "role"], "--edges applies to graphml and gexf"),
                          (["export", "graphml", "--edges", "love"], "unknown: love"),
                          (["export", "jsonl", "--bom"], "csv tables only")):
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_url() -> str | None:
    import os

    candidates = [os.environ["NEWSGRAPH_TEST_PG"]] if os.environ.get("NEWSGRAPH_TEST_PG") else [
        "postgresql://postgres@127.0.0.1:5432/test", "postgresql://root@127.0.0.1:5432/test"]
    try:
        import psycopg
    except ImportError:
        return None
    for url in candidates:
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return url
        except Exception:
            continue
    return None


def test_postgresql_store_exports_the_same(store, tmp_path):
    import uuid

    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (set NEWSGRAPH_TEST_PG)")
    schema = f"ng_export_{uuid.uuid4().hex[:10]}"
    pg = Store(url, schema=schema)
    try:
        pg.add_records(corpus())
        for fmt in ("stix", "ftm", "plover"):
            a, b = run(store, fmt, tmp_path, f"lite.{fmt}"), run(pg, fmt, tmp_path, f"pg.{fmt}")
            if fmt == "stix":
                ids = [{o.id for o in stix2.parse(p.read_text(encoding="utf-8")).objects} for p in (a, b)]
                assert ids[0] == ids[1]
            elif fmt == "ftm":
                assert {d["id"] for d in lines(a)} == {d["id"] for d in lines(b)}
            else:
                strip = [[{k: v for k, v in r.items() if k not in ("coded_date", "link")
                           and not (k == "date" and r["date_source"] == "stored")} for r in lines(p)] for p in (a, b)]
                assert strip[0] == strip[1]
        year = ExportFilters(start="2022-06", end="2022-07")  # a document dated only by its year
        assert {r["doc_id"] for r in lines(run(pg, "jsonl", tmp_path, "pg-y.jsonl", year))} == {"e-year", "b-consult"}
        sel = ExportFilters(entity="Mali", start="2023", end="2023-12", type="AID")
        assert lines(run(pg, "plover", tmp_path, "pg-f.plover", sel)) and \
            [r["id"] for r in lines(run(pg, "plover", tmp_path, "pg-f.plover", sel))] == \
            [r["id"] for r in lines(run(store, "plover", tmp_path, "lite-f.plover", sel))]
    finally:
        pg.close()
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
