"""The REST API (``newsgraph.api``) over a store of records written for these tests.

The records are small and made here (no extraction): two outlets report one
Russia-Burkina Faso agreement (a corroborated occurrence), a third document
ties France and Mali, and a URL is stored in two versions. Every endpoint is
exercised for its answers, its filters and paging, its errors, its ETags, and
the security rules (token for writes, size limits, headers, no traversal).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from newsgraph.api import create_app  # noqa: E402
from newsgraph.config import ConfigError  # noqa: E402
from newsgraph.record import Record  # noqa: E402
from newsgraph.store import Store  # noqa: E402

TOKEN = "test-token-0123456789abcdef"
WEB = Path(__file__).resolve().parents[1] / "src" / "newsgraph" / "web"

ENTITIES = {
    "Russia": ("GPE", "state/rus", "RUS", "state"),
    "Burkina Faso": ("GPE", "state/bfa", "BFA", "state"),
    "Sergei Lavrov": ("PERSON", "person/sergei-lavrov", "RUS", None),
    "Ibrahim Traoré": ("PERSON", "person/ibrahim-traore", "BFA", None),
    "France": ("GPE", "state/fra", "FRA", "state"),
    "Mali": ("GPE", "state/mli", "MLI", "state"),
    "Wagner Group": ("ORG", "org/wagner", "RUS", "pmc"),
}


def make_record(doc_id: str, sentences: list[str], *, title: str, published: str | None, outlet: str | None,
                url: str | None = None, events=(), quotes=(), roles=(), narratives=(), signals=()) -> Record:
    """A record whose facts point at the sentences they come from (offsets computed here)."""
    text = title + "\n\n" + " ".join(sentences)

    def span(sentence: str) -> dict:
        start = text.index(sentence)
        return {"start": start, "end": start + len(sentence), "text": sentence}

    entities = []
    for name, (type_, kb_id, country, kind) in ENTITIES.items():
        mentions = [{"start": m.start(), "end": m.end(), "text": name} for m in re.finditer(re.escape(name), text)]
        if mentions:
            entities.append({"id": kb_id, "name": name, "type": type_, "kind": kind, "aliases": [name],
                             "country": country, "mentions": mentions})
    return Record.model_validate({
        "doc_id": doc_id, "title": title, "published": published, "outlet": outlet, "url": url, "text": text,
        "authors": ["A. Reporter"], "entities": entities,
        "events": [{"type": t, "actor": [{"name": a, "country": ENTITIES[a][2]}],
                    "recipient": [{"name": r, "country": ENTITIES[r][2]}] if r else [],
                    "date": d, "status": st, "evidence": span(s)} for t, a, r, s, d, st in events],
        "quotes": [{"speaker": who, "text": q, "direct": True, "start": text.index(q), "end": text.index(q) + len(q)}
                   for who, q in quotes],
        "roles": [{"person": p, "title": t, "of": o, "evidence": span(s)} for p, t, o, s in roles],
        "narratives": [{"id": n, "score": sc, "evidence": [span(s)]} for n, sc, s in narratives],
        "signals": [{"kind": k, "detail": dtl, "evidence": span(s)} for k, dtl, s in signals],
    })


AGREE_1 = "Russia signed a defence cooperation agreement with Burkina Faso on 5 June 2024."
LAVROV_1 = "Sergei Lavrov met Ibrahim Traoré in Ouagadougou."
QUOTE_1 = "We are ready to help strengthen the army of Burkina Faso"
AGREE_2 = "On 5 June 2024 Russia signed a military cooperation deal with Burkina Faso."
FRANCE_1 = "France withdrew its last soldiers from Mali in August 2022."
ACCUSE_1 = "Mali accused France of supporting armed groups."


def corpus() -> list[Record]:
    return [
        make_record("wire-1", [AGREE_1, LAVROV_1, f'Lavrov said: "{QUOTE_1}".',
                               "Sergei Lavrov is the Foreign Minister of Russia."],
                    title="Russia and Burkina Faso sign defence deal", published="2024-06-05", outlet="Sahel Wire",
                    url="https://example.org/wire-1",
                    events=[("AGREE", "Russia", "Burkina Faso", AGREE_1, "2024-06-05", "asserted"),
                            ("CONSULT", "Sergei Lavrov", "Ibrahim Traoré", LAVROV_1, "2024-06-05", "asserted")],
                    quotes=[("Sergei Lavrov", QUOTE_1)],
                    roles=[("Sergei Lavrov", "Foreign Minister", "Russia",
                            "Sergei Lavrov is the Foreign Minister of Russia.")],
                    narratives=[("russia_reliable_partner", 0.9, AGREE_1)]),
        make_record("daily-2", [AGREE_2, "Wagner Group fighters are already in the region."],
                    title="Moscow deal for Ouagadougou", published="2024-06-06", outlet="Ouaga Daily",
                    events=[("AGREE", "Russia", "Burkina Faso", AGREE_2, "2024-06-05", "asserted"),
                            ("MOBILIZE", "Wagner Group", "Burkina Faso",
                             "Wagner Group fighters are already in the region.", None, "hypothetical")],
                    narratives=[("russia_reliable_partner", 0.7, AGREE_2)],
                    signals=[("state_media", "Cites a state-controlled outlet", AGREE_2)]),
        make_record("paris-3", [FRANCE_1, ACCUSE_1],
                    title="France leaves Mali", published="2022-08-15", outlet="Paris Soir",
                    events=[("RETREAT", "France", "Mali", FRANCE_1, "2022-08", "asserted"),
                            ("ACCUSE", "Mali", "France", ACCUSE_1, "2022-08-15", "asserted")],
                    narratives=[("west_destabilizes_region", 0.8, ACCUSE_1)]),
    ]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("api") / "api.db")
    with Store(path) as store:
        for rec in corpus():
            store.add_record(rec, raw=f"<html><body><p>{rec.text}</p><script>alert(1)</script></body></html>",
                             source=f"{rec.doc_id}.html", fmt="html")
        # a changed text at the same URL: version 2 of wire-1
        v2 = corpus()[0].model_copy(update={"text": corpus()[0].text + " Updated."})
        store.add_record(v2, raw=v2.text, source="wire-1.txt", fmt="text")
    return path


@pytest.fixture(scope="module")
def client(store_path):
    app = create_app(store_path, token=None, use_config=False)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def writable(tmp_path):
    """A client with writes enabled over a fresh copy of the corpus."""
    path = str(tmp_path / "w.db")
    with Store(path) as store:
        for rec in corpus():
            store.add_record(rec)
    app = create_app(path, token=TOKEN, use_config=False)
    with TestClient(app) as c:
        yield c


def ids_of(client, name: str) -> int:
    return client.get("/entities/lookup", params={"name": name}).json()["id"]


def walk(client, url: str, params: dict) -> list:
    items, cursor = [], None
    for _ in range(100):
        page = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination did not end")


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]


# --------------------------------------------------------------------------- documents


def test_documents_list_pages_through_everything_once(client):
    docs = walk(client, "/documents", {"limit": 1})
    assert [d["doc_id"] for d in docs] == ["daily-2", "wire-1", "paris-3"]  # latest publication first
    assert len({d["document_id"] for d in docs}) == 3
    old = walk(client, "/documents", {"limit": 2, "include_old": "true"})
    assert len(old) == 4 and sum(not d["current"] for d in old) == 1


def test_documents_filters(client):
    def doc_ids(**params):
        return [d["doc_id"] for d in client.get("/documents", params=params).json()["items"]]

    assert doc_ids(outlet="Paris Soir") == ["paris-3"]
    assert doc_ids(**{"from": "2024-06-06"}) == ["daily-2"]
    assert doc_ids(**{"from": "2022", "to": "2023"}) == ["paris-3"]
    assert doc_ids(narrative="russia_reliable_partner") == ["daily-2", "wire-1"]
    assert doc_ids(entity=ids_of(client, "Wagner Group")) == ["daily-2"]


def test_cursor_is_bound_to_its_query(client):
    first = client.get("/documents", params={"limit": 1}).json()
    wrong = client.get("/documents", params={"limit": 1, "outlet": "Sahel Wire", "cursor": first["next_cursor"]})
    assert wrong.status_code == 400 and error_of(wrong)["code"] == "invalid_cursor"
    garbage = client.get("/documents", params={"cursor": "not-a-cursor!"})
    assert garbage.status_code == 400 and error_of(garbage)["code"] == "invalid_cursor"


def test_document_detail_with_highlights(client):
    listed = client.get("/documents", params={"outlet": "Sahel Wire"}).json()["items"][0]
    doc = client.get(f"/documents/{listed['document_id']}").json()
    assert doc == client.get("/documents/wire-1").json()  # by doc_id: the current version
    text = doc["text"]
    assert "text" not in doc["record"]
    kinds = {h["kind"] for h in doc["highlights"]}
    assert kinds == {"entity", "event", "quote", "narrative"}
    for h in doc["highlights"]:
        assert 0 <= h["start"] < h["end"] <= len(text)
        if h["kind"] == "entity":
            assert text[h["start"]:h["end"]] == h["label"] and h["entity_id"]
    ev = [h for h in doc["highlights"] if h["kind"] == "event"]
    assert {text[h["start"]:h["end"]] for h in ev} == {AGREE_1, LAVROV_1}
    assert doc["events"][ev[0]["ref"]]["evidence"]["text"] == text[ev[0]["start"]:ev[0]["end"]]
    assert doc["quotes"][0]["text"] == QUOTE_1
    assert doc["narratives"][0]["name"] == "Russia is a reliable, equal partner"
    assert [v["version"] for v in doc["versions"]] == [1, 2] and doc["document"]["version"] == 2
    old = client.get(f"/documents/{doc['versions'][0]['document_id']}").json()
    assert not old["document"]["current"] and {h["kind"] for h in old["highlights"]} >= {"entity", "event"}


def test_raw_source_is_inert_text(client):
    r = client.get("/documents/daily-2/raw")
    assert r.status_code == 200 and "<script>alert(1)</script>" in r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert "sandbox" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/documents/..%2F..%2F..%2Fetc%2Fpasswd/raw", "/documents/..%2Fpyproject.toml", "/static/../pyproject.toml",
    "/static/%2e%2e/%2e%2e/config.py", "/static/..%2F..%2Fconfig.py", "/static/%2e%2e%2fapi%2fapp.py",
    "/documents/99999", "/documents/" + "x" * 300,
])
def test_no_path_traversal(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text and "[tool.setuptools" not in r.text and "def create_app" not in r.text


# --------------------------------------------------------------------------- entities and ties


def test_entities_list_search_lookup(client):
    top = client.get("/entities", params={"limit": 2}).json()
    assert {e["name"] for e in top["items"]} == {"Burkina Faso", "Russia"} and top["next_cursor"]
    everything = walk(client, "/entities", {"limit": 3})
    assert len(everything) == len({e["id"] for e in everything}) == 7
    assert [e["name"] for e in client.get("/entities", params={"country": "RUS"}).json()["items"]] == \
        ["Russia", "Sergei Lavrov", "Wagner Group"]
    hits = client.get("/entities/search", params={"q": "lavrov"}).json()
    assert hits[0]["name"] == "Sergei Lavrov"
    assert client.get("/entities/lookup", params={"name": "state/bfa"}).json()["name"] == "Burkina Faso"
    missing = client.get("/entities/lookup", params={"name": "Atlantis"})
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_entity_profile(client):
    rus = ids_of(client, "Russia")
    p = client.get(f"/entities/{rus}").json()
    assert p["name"] == "Russia" and p["country"] == "RUS" and p["kind"] == "state"
    assert p["events"]["as_actor"]["by_type"] == {"AGREE": 2}
    lavrov = client.get(f"/entities/{ids_of(client, 'Sergei Lavrov')}").json()
    assert lavrov["roles"][0]["title"] == "Foreign Minister" and lavrov["roles"][0]["of"] == "Russia"
    assert lavrov["quotes"]["by"]["latest"][0]["text"] == QUOTE_1
    assert client.get("/entities/999999").status_code == 404


def test_partners_in_a_country_with_evidence(client):
    """Russia's partners in Burkina Faso, and the sentences that say so."""
    rus, bfa = ids_of(client, "Russia"), ids_of(client, "Burkina Faso")
    page = client.get(f"/entities/{rus}/neighbors", params={"country": "BFA"}).json()
    assert [n["entity"]["name"] for n in page["items"]] == ["Burkina Faso"]
    tie = page["items"][0]["ties"][0]
    assert (tie["kind"], tie["type"], tie["direction"]) == ("event", "AGREE", "out")
    assert tie["documents"] == 2 and tie["independent_sources"] == 2
    assert page["items"][0]["entity"]["id"] == bfa
    # from the other side the same tie comes in
    back = client.get(f"/entities/{bfa}/neighbors", params={"country": "RUS"}).json()["items"]
    assert {(n["entity"]["name"], n["ties"][0]["direction"]) for n in back} == \
        {("Russia", "in"), ("Wagner Group", "in")}
    ev = client.get(f"/entities/{rus}/evidence/{bfa}").json()
    assert sorted(e["evidence"]["text"] for e in ev["events"]) == sorted([AGREE_1, AGREE_2])
    assert {e["document"]["doc_id"] for e in ev["events"]} == {"wire-1", "daily-2"}
    assert {d["doc_id"] for d in ev["comentions"]} == {"wire-1", "daily-2"}
    role = client.get(f"/entities/{ids_of(client, 'Sergei Lavrov')}/evidence/{rus}").json()["roles"]
    assert role[0]["title"] == "Foreign Minister"


def test_neighbors_kinds_and_paging(client):
    rus = ids_of(client, "Russia")
    lavrov = ids_of(client, "Sergei Lavrov")
    with_roles = client.get(f"/entities/{rus}/neighbors").json()["items"]
    assert {n["entity"]["name"] for n in with_roles} == {"Burkina Faso", "Sergei Lavrov"}
    all_kinds = walk(client, f"/entities/{lavrov}/neighbors", {"kind": ["event", "role", "comention"], "limit": 1})
    names = [n["entity"]["name"] for n in all_kinds]
    assert len(names) == len(set(names)) and "Ibrahim Traoré" in names and "Burkina Faso" in names
    assert all(t["kind"] == "comention" for n in all_kinds if n["entity"]["name"] == "Burkina Faso" for t in n["ties"])


# --------------------------------------------------------------------------- events, timeline, clusters


def test_events_filters(client):
    def types(**params):
        return sorted(e["type"] for e in walk(client, "/events", {"limit": 2, **params}))

    assert types() == ["ACCUSE", "AGREE", "AGREE", "CONSULT", "MOBILIZE", "RETREAT"]
    assert types(type="AGREE") == ["AGREE", "AGREE"]
    assert types(type=["RETREAT", "ACCUSE"]) == ["ACCUSE", "RETREAT"]
    assert types(country="MLI") == ["ACCUSE", "RETREAT"]
    assert types(party=ids_of(client, "Wagner Group")) == ["MOBILIZE"]
    assert types(party=ids_of(client, "Burkina Faso"), side="recipient") == ["AGREE", "AGREE", "MOBILIZE"]
    assert types(status="hypothetical") == ["MOBILIZE"]
    assert types(**{"from": "2022", "to": "2022-12"}) == ["ACCUSE", "RETREAT"]
    dates = [e["date_start"] for e in walk(client, "/events", {"limit": 1})]
    assert dates == sorted(dates, key=lambda d: d or "", reverse=True)
    bad = client.get("/events", params={"type": "HUG"})
    assert bad.status_code == 422 and "HUG" in error_of(bad)["message"]
    assert client.get("/events", params={"from": "2024-13"}).status_code == 422
    assert client.get("/events", params={"from": "June"}).status_code == 422


def test_timeline_and_clusters(client):
    entries = client.get("/timeline").json()
    agree = [c for c in entries if c["type"] == "AGREE"]
    assert len(agree) == 1 and agree[0]["independent_sources"] == 2 and agree[0]["reports"] == 2
    assert [c["date_start"] for c in entries] == sorted(c["date_start"] for c in entries)
    assert {c["type"] for c in client.get("/timeline", params={"country": "FRA"}).json()} == {"RETREAT", "ACCUSE"}
    assert {c["type"] for c in client.get("/timeline", params={"entity": ids_of(client, "Sergei Lavrov")}).json()} \
        == {"CONSULT"}
    assert {c["type"] for c in client.get("/timeline", params={"status": "hypothetical"}).json()} <= {"MOBILIZE"}
    clusters = client.get("/clusters").json()["items"]
    assert [(c["type"], c["independent_sources"]) for c in clusters] == [("AGREE", 2)]
    assert len(walk(client, "/clusters", {"min_sources": 1, "limit": 2})) == 5


def test_quotes_signals_contradictions(client):
    quotes = client.get("/quotes").json()["items"]
    assert [q["text"] for q in quotes] == [QUOTE_1]
    assert client.get("/quotes", params={"speaker": ids_of(client, "Sergei Lavrov")}).json()["items"][0]["speaker"] \
        == "Sergei Lavrov"
    assert client.get("/quotes", params={"about": ids_of(client, "Burkina Faso")}).json()["items"][0]["text"] == QUOTE_1
    signals = client.get("/signals").json()["items"]
    assert [(s["kind"], s["document"]["doc_id"]) for s in signals] == [("state_media", "daily-2")]
    assert client.get("/signals/kinds").json() == [{"kind": "state_media", "count": 1}]
    body = client.get("/contradictions").json()
    assert isinstance(body["items"], list) and "next_cursor" in body


# --------------------------------------------------------------------------- graph, narratives, search


def test_graph_between_two_countries(client):
    g = client.get("/graph", params={"country": "RUS", "with_country": "BFA"}).json()
    names = {n["id"]: n for n in g["nodes"]}
    pairs = {(names[e["source"]]["name"], e["type"], names[e["target"]]["name"], e["independent_sources"])
             for e in g["edges"]}
    assert pairs == {("Russia", "AGREE", "Burkina Faso", 2), ("Sergei Lavrov", "CONSULT", "Ibrahim Traoré", 1),
                     ("Wagner Group", "MOBILIZE", "Burkina Faso", 1)}
    assert all({names[e["source"]]["country"], names[e["target"]]["country"]} == {"RUS", "BFA"} for e in g["edges"])
    assert {e["type"] for e in client.get("/graph", params={"type": "ACCUSE"}).json()["edges"]} == {"ACCUSE"}
    strong = client.get("/graph", params={"min_sources": 2}).json()
    assert [e["type"] for e in strong["edges"]] == ["AGREE"]
    assert len(client.get("/graph", params={"from": "2024"}).json()["edges"]) == 3
    lav = client.get("/graph", params={"entity": ids_of(client, "Sergei Lavrov"), "roles": "true"}).json()
    assert {e["label"] for e in lav["edges"]} == {"CONSULT", "Foreign Minister"}
    cut = client.get("/graph", params={"limit": 1}).json()
    assert cut["truncated"] and cut["total_edges"] == 5 and len(cut["edges"]) == 1
    assert client.get("/graph", params={"country": "R1S"}).status_code == 422


def test_countries(client):
    countries = {c["code"]: c for c in client.get("/countries").json()}
    assert countries["RUS"]["name"] == "Russia" and countries["RUS"]["entities"] == 3
    pairs = client.get("/countries/pairs").json()
    assert (pairs[0]["a"]["code"], pairs[0]["b"]["code"], pairs[0]["ties"]) == ("BFA", "RUS", 3)


def test_narratives(client):
    defs = {n["id"]: n for n in client.get("/narratives").json()}
    assert defs["russia_reliable_partner"]["documents"] == 2 and defs["russia_economic_benefit"]["documents"] == 0
    by_month = client.get("/narratives/trends", params={"by": "month"}).json()
    assert {(r["group"], r["narrative"], r["documents"]) for r in by_month["rows"]} == {
        ("2024-06", "russia_reliable_partner", 2), ("2022-08", "west_destabilizes_region", 1)}
    by_outlet = client.get("/narratives/trends", params={"by": "outlet"}).json()["rows"]
    assert {r["group"] for r in by_outlet} == {"Sahel Wire", "Ouaga Daily", "Paris Soir"}
    docs = client.get("/narratives/russia_reliable_partner/documents").json()["items"]
    assert [d["doc_id"] for d in docs] == ["wire-1", "daily-2"]  # highest score first
    assert docs[0]["evidence"][0]["text"] == AGREE_1
    assert client.get("/narratives/no_such_thing/documents").status_code == 404
    assert client.get("/narratives/trends", params={"by": "week"}).status_code == 422


def test_search(client):
    res = client.get("/search", params={"q": "cooperation Burkina"}).json()
    assert {d["doc_id"] for d in res["documents"]} == {"wire-1", "daily-2"}
    assert "[" in res["documents"][0]["snippet"]
    assert res["entities"][0]["name"] == "Burkina Faso"
    assert [q["text"] for q in client.get("/search", params={"q": "strengthen army"}).json()["quotes"]] == [QUOTE_1]
    assert client.get("/search", params={"q": "  "}).status_code == 422
    assert client.get("/search").status_code == 422


def test_stats_health_openapi(client):
    assert client.get("/stats").json()["documents"] == 3
    health = client.get("/health").json()
    assert health == {"status": "ok", "version": health["version"], "database": "sqlite", "writes_enabled": False}
    spec = client.get("/openapi.json").json()
    for path in ("/documents", "/documents/{ref}", "/documents/{ref}/raw", "/entities/search", "/entities/{entity_id}",
                 "/entities/{entity_id}/neighbors", "/entities/{entity_id}/evidence/{other_id}", "/events", "/timeline",
                 "/quotes", "/narratives/trends", "/signals", "/search", "/clusters", "/contradictions", "/graph",
                 "/entities/merge"):
        assert path in spec["paths"], path
    assert "bearer" in spec["paths"]["/documents"]["post"]["summary"].lower() or \
        "token" in spec["paths"]["/documents"]["post"]["summary"].lower()


# --------------------------------------------------------------------------- caching, errors, headers


def test_etag_and_not_modified(writable):
    first = writable.get("/entities", params={"limit": 5})
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    again = writable.get("/entities", params={"limit": 5}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = writable.get("/entities", params={"limit": 6})
    assert other.headers["etag"] != tag  # another query, another tag
    rec = make_record("new-4", ["Russia and Mali met."], title="Talks", published="2024-07-01", outlet="X")
    assert writable.post("/documents", json={"record": rec.model_dump(mode="json")},
                         headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 201
    after = writable.get("/entities", params={"limit": 5}, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag
    # a write by another process (here: another Store on the same file, as `newsgraph ingest` would be) counts too
    tag = after.headers["etag"]
    with Store(writable.app.state.store.url) as other:
        other.add_record(make_record("new-5", ["France and Mali met."], title="More talks", published="2024-07-02",
                                     outlet="X"))
    assert writable.get("/entities", params={"limit": 5}, headers={"If-None-Match": tag}).status_code == 200


def test_error_bodies(client):
    for path, status, code in (("/no/such/thing", 404, "not_found"), ("/entities/abc", 422, "invalid_request"),
                               ("/documents?limit=0", 422, "invalid_request"), ("/documents/nope", 404, "not_found")):
        r = client.get(path)
        assert r.status_code == status, path
        assert error_of(r)["code"] == code
    r = client.put("/documents")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


def test_security_headers_everywhere(client):
    for path in ("/", "/docs", "/entities", "/static/js/app.js", "/no/such/thing", "/openapi.json"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in \
            csp.split("script-src")[1].split(";")[0], path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/static/js/app.js").headers["content-type"].split(";")[0] in ("text/javascript",
                                                                                    "application/javascript")


def test_internal_errors_say_nothing_and_keep_the_security_headers(store_path, monkeypatch):
    # a 500 is answered by Starlette's error middleware, outside every other middleware
    from newsgraph.store import Store as StoreClass

    def broken(self, *args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(StoreClass, "stats", broken)
    app = create_app(store_path, token=None, use_config=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/stats")
    assert r.status_code == 500
    assert error_of(r)["code"] == "internal_error" and "secret" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_cors_off_by_default_and_opt_in(store_path):
    with TestClient(create_app(store_path, token=None, use_config=False)) as c:
        r = c.get("/stats", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        pre = c.options("/documents", headers={"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in pre.headers
    with TestClient(create_app(store_path, token=None, use_config=False,
                               cors_origins=["https://analysts.example"])) as c:
        ok = c.get("/stats", headers={"Origin": "https://analysts.example"})
        assert ok.headers["access-control-allow-origin"] == "https://analysts.example"
        assert "access-control-allow-origin" not in c.get("/stats", headers={"Origin": "https://evil.example"}).headers


# --------------------------------------------------------------------------- writes


def test_writes_disabled_without_a_token(client):
    rec = make_record("x-1", ["Mali and France."], title="t", published=None, outlet=None)
    r = client.post("/documents", json={"record": rec.model_dump(mode="json")},
                    headers={"Authorization": "Bearer anything-at-all-long"})
    assert r.status_code == 403 and error_of(r)["code"] == "writes_disabled"
    assert client.post("/entities/merge", json={"keep": 1, "merge": 2}).status_code == 403


def test_write_token_is_checked(writable):
    rec = make_record("x-2", ["Mali and France talked."], title="t", published=None, outlet=None)
    body = {"record": rec.model_dump(mode="json")}
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}):
        r = writable.post("/documents", json=body, headers=headers)
        assert r.status_code == 401 and error_of(r)["code"] == "unauthorized", headers
        assert r.headers["www-authenticate"] == "Bearer"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    added = writable.post("/documents", json=body, headers=auth)
    assert added.status_code == 201 and added.json()["status"] == "added"
    assert added.headers["location"] == f"/documents/{added.json()['document_id']}"
    same = writable.post("/documents", json=body, headers=auth)
    assert same.status_code == 200 and same.json()["status"] == "unchanged"
    bad = writable.post("/documents", json={"record": {"doc_id": "x"}}, headers=auth)
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_record"
    both = writable.post("/documents", json={"record": rec.model_dump(mode="json"), "text": "x"}, headers=auth)
    assert both.status_code == 422
    unknown = writable.post("/documents", json={"txt": "typo"}, headers=auth)
    assert unknown.status_code == 422


def test_merge_and_split_need_the_token(writable):
    rus = ids_of(writable, "Russia")
    wagner = ids_of(writable, "Wagner Group")
    assert writable.post("/entities/merge", json={"keep": rus, "merge": wagner}).status_code == 401
    r = writable.post("/entities/merge", json={"keep": rus, "merge": wagner, "note": "test"},
                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["id"] == rus
    assert writable.get(f"/entities/{wagner}").json()["id"] == rus  # the merged id follows to the one kept
    missing = writable.post("/entities/merge", json={"keep": rus, "merge": 987654},
                            headers={"Authorization": f"Bearer {TOKEN}"})
    assert missing.status_code == 404
    split = writable.post("/entities/split", json={"entity": rus, "names": ["Wagner Group"]},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert split.status_code == 200 and split.json()["name"] == "Wagner Group"


def test_request_size_limits(store_path):
    app = create_app(store_path, token=TOKEN, use_config=False, max_body_bytes=2000)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as c:
        big = json.dumps({"text": "x" * 5000})
        r = c.post("/documents", content=big, headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"

        def chunks():  # no Content-Length: the limit still holds
            for _ in range(10):
                yield b"x" * 500

        r = c.post("/documents", content=chunks(), headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 413
        small_limit = c.post("/entities/merge", content=b"{" + b" " * 70000 + b"}",
                             headers={**auth, "Content-Type": "application/json"})
        assert small_limit.status_code == 413


def test_ingest_text_is_extracted(writable, extractor):
    from newsgraph.api import documents

    documents._EXTRACTORS.setdefault((), extractor)  # the session's loaded pipeline (spaCy loads once)
    r = writable.post("/documents", headers={"Authorization": f"Bearer {TOKEN}"}, json={
        "text": "Russian Foreign Minister Sergei Lavrov visited Ouagadougou on Tuesday and met Ibrahim Traoré.",
        "title": "Lavrov in Ouagadougou", "published": "2024-06-04", "outlet": "Test Wire",
        "url": "https://example.org/lavrov"})
    assert r.status_code == 201, r.text
    doc = writable.get(f"/documents/{r.json()['document_id']}").json()
    assert doc["document"]["outlet"] == "Test Wire" and doc["document"]["published"] == "2024-06-04"
    assert {"Sergei Lavrov", "Ibrahim Traoré"} <= {e["name"] for e in doc["entities"]}
    assert writable.get(f"/documents/{r.json()['document_id']}/raw").text.startswith("Russian Foreign Minister")
    empty = writable.post("/documents", headers={"Authorization": f"Bearer {TOKEN}"}, json={"text": "   "})
    assert empty.status_code == 422 and error_of(empty)["code"] == "invalid_document"


# --------------------------------------------------------------------------- configuration


def test_token_from_environment_and_minimum_length(store_path, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSGRAPH_API_TOKEN", TOKEN)
    assert create_app(store_path).state.token == TOKEN
    monkeypatch.delenv("NEWSGRAPH_API_TOKEN")
    config = tmp_path / "newsgraph.toml"
    config.write_text('[newsgraph]\napi_token = "from-the-config-file-123"\n')
    monkeypatch.setenv("NEWSGRAPH_CONFIG", str(config))
    assert create_app(store_path).state.token == "from-the-config-file-123"
    with pytest.raises(ConfigError):
        create_app(store_path, token="short")


# --------------------------------------------------------------------------- the dashboard's files


def test_dashboard_files_have_no_inline_script_or_html_sinks():
    """The CSP forbids inline script; the JS must never parse data as HTML."""
    for page in ("index.html", "docs.html"):
        html = (WEB / page).read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{page}: inline script {tag}"
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), page
        assert not re.search(r"\son[a-z]+\s*=", html), f"{page}: an on* attribute"
        assert "style=" not in html, f"{page}: an inline style"
    scripts = sorted((WEB / "js").rglob("*.js"))
    assert len(scripts) >= 10
    for path in scripts:
        code = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                     "setAttribute(\"on", "srcdoc"):
            assert sink not in code, f"{path.name} uses {sink}"


def test_index_and_static_served(client):
    index = client.get("/")
    assert index.status_code == 200 and 'src="/static/js/app.js"' in index.text
    assert client.get("/static/vendor/cytoscape/cytoscape.min.js").status_code == 200
    assert client.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text


@pytest.mark.skipif(not os.environ.get("NEWSGRAPH_TEST_PG", "1"), reason="PostgreSQL checks disabled")
def test_read_endpoints_on_postgresql(tmp_path):
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database 'test')")
    import uuid

    schema = "api_" + uuid.uuid4().hex[:10]
    store = Store(url, schema=schema)
    try:
        for rec in corpus():
            store.add_record(rec)
        with TestClient(create_app(store=store, token=None, use_config=False)) as c:
            rus, bfa = ids_of(c, "Russia"), ids_of(c, "Burkina Faso")
            assert len(walk(c, "/documents", {"limit": 1})) == 3
            assert len(walk(c, "/events", {"limit": 2})) == 6
            assert [n["entity"]["name"] for n in
                    c.get(f"/entities/{rus}/neighbors", params={"country": "BFA"}).json()["items"]] == ["Burkina Faso"]
            assert len(c.get(f"/entities/{rus}/evidence/{bfa}").json()["events"]) == 2
            assert len(c.get("/graph", params={"country": "RUS", "with_country": "BFA"}).json()["edges"]) == 3
            assert c.get("/documents/wire-1").json()["highlights"]
            assert len(walk(c, "/events", {"limit": 1, "from": "2022", "to": "2022-12"})) == 2
            assert c.get("/narratives/trends").json()["rows"]
            assert c.get("/search", params={"q": "cooperation"}).json()["documents"]
            assert c.get("/timeline").json()
            tag = c.get("/stats").headers["etag"]
            assert c.get("/stats", headers={"If-None-Match": tag}).status_code == 304
    finally:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        store.close()


def _postgres_url() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(host="127.0.0.1", port=5432, dbname="test", user=user, connect_timeout=2):
                return f"postgresql://{user}@127.0.0.1:5432/test"
        except Exception:
            continue
    return None


def test_exports_download(client):
    pytest.importorskip("newsgraph.export")
    listed = {f["format"] for f in client.get("/exports").json()}
    assert {"jsonl", "csv", "stix", "graphml"} <= listed
    r = client.get("/exports/jsonl", params={"entity": ids_of(client, "Wagner Group")})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert r.headers["content-disposition"] == 'attachment; filename="newsgraph.jsonl"'
    assert [json.loads(line)["doc_id"] for line in r.text.splitlines()] == ["daily-2"]
    z = client.get("/exports/csv")
    assert z.status_code == 200 and z.content[:2] == b"PK"
    assert len(client.get("/exports/jsonl", params={"from": "2022", "to": "2022"}).text.splitlines()) == 1
    unknown = client.get("/exports/xls")
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "not_found"
    bad = client.get("/exports/jsonl", params={"entity": "Atlantis"})
    assert bad.status_code == 422 and error_of(bad)["message"].startswith("entity")


def test_other_host_names_are_refused(store_path):
    """A page that rebinds its domain to the server's address cannot read the store."""
    from newsgraph.cli_serve import _hosts

    hosts = _hosts("127.0.0.1", None)
    assert "localhost" in hosts and "127.0.0.1" in hosts and _hosts("0.0.0.0", None) is None
    with TestClient(create_app(store_path, token=None, use_config=False, allowed_hosts=hosts),
                    base_url="http://127.0.0.1:8000") as c:
        assert c.get("/stats").status_code == 200
        assert c.get("/stats", headers={"Host": "localhost:8000"}).status_code == 200
        refused = c.get("/stats", headers={"Host": "evil.example:8000"})
        assert refused.status_code == 400 and error_of(refused)["code"] == "bad_host"
        assert "content-security-policy" in refused.headers
        assert c.get("/stats", headers={"Host": "[::1]:8000"}).status_code == 200


def test_serve_command_is_registered():
    from typer.testing import CliRunner

    from newsgraph.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--db" in result.output
