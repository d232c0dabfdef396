"""The knowledge store on both backends: SQLite always, PostgreSQL at 127.0.0.1:5432 when reachable."""
from __future__ import annotations

import json
import os
import re
import uuid

import pytest

from newsgraph.record import Entity, Event, Narrative, Party, Quote, Record, Role, Signal, Span
from newsgraph.store import EntityNotFound, Store, db, writer
from newsgraph.store.integrity import check

PG_URL = os.environ.get("NEWSGRAPH_TEST_PG", "")
_PG_CANDIDATES = [PG_URL] if PG_URL else [
    "postgresql://postgres@127.0.0.1:5432/test", "postgresql://root@127.0.0.1:5432/test"]
_pg_found: list[str | None] = []


def _postgres_url() -> str | None:
    if _pg_found:
        return _pg_found[0]
    url = None
    try:
        import psycopg

        for candidate in _PG_CANDIDATES:
            try:
                psycopg.connect(candidate, connect_timeout=3).close()
                url = candidate
                break
            except Exception:
                continue
    except ImportError:
        pass
    _pg_found.append(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """(url, schema) for a fresh, empty store on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db"), None
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database 'test', user postgres or root, trust auth)"
                    "; set NEWSGRAPH_TEST_PG to another URL")
    schema = f"ng_test_{uuid.uuid4().hex[:10]}"
    yield url, schema
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def store(store_url):
    url, schema = store_url
    s = Store(url, schema=schema)
    yield s
    s.close()


def consistent(store: Store) -> None:
    with store.engine.connect() as conn:
        assert check(conn) == []


# ----------------------------------------------------------------------------- records made by hand

_WORDS = ("security cooperation region officials talks army training border convoy minister summit capital "
          "agreement partners weapons sovereignty mining gold elections junta transition ceasefire "
          "observers mission embassy delegation parliament decree budget drought harvest refugees market river "
          "bridge airport governor province village patrol attack militants hostages release withdrawal").split()


def prose(seed: str, n: int = 70) -> str:
    """Deterministic filler text, different for each seed (so that reports are not near-duplicates)."""
    import random

    rng = random.Random(seed)
    out = []
    for i in range(0, n, 10):
        words = rng.choices(_WORDS, k=10)
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out) + " "


_FILLER = prose("filler", 20)


def make(doc_id: str, text: str, entities: list[tuple], *, published: str | None = "2024-06-05",
         outlet: str | None = "Sahel Wire", url: str | None = None, roles=(), events=(), quotes=(),
         narratives=(), signals=()) -> Record:
    """A record whose entity mentions are every occurrence of each alias in ``text``.

    ``entities``: (name, type, kb_id, [aliases], country)."""
    ents = []
    for name, type_, kb_id, aliases, country in entities:
        spans = []
        for form in dict.fromkeys([name, *aliases]):
            for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
                if not any(s.start <= m.start() < s.end for s in spans):
                    spans.append(Span(start=m.start(), end=m.end(), text=m.group(0)))
        ents.append(Entity(id=kb_id, name=name, type=type_, aliases=[a for a in [name, *aliases] if a in text],
                           country=country, mentions=sorted(spans, key=lambda s: s.start)))

    def sentence(fragment: str) -> Span:
        i = text.index(fragment)
        return Span(start=i, end=i + len(fragment), text=fragment)

    return Record(
        doc_id=doc_id, title=text.split("\n", 1)[0], published=published, outlet=outlet, text=text, url=url,
        entities=ents,
        roles=[Role(person=p, title=t, of=o, evidence=sentence(ev)) for p, t, o, ev in roles],
        events=[Event(type=t, actor=[Party(name=a, country=c) for a, c in act],
                      recipient=[Party(name=r, country=c) for r, c in rec], date=d, evidence=sentence(ev))
                for t, act, rec, d, ev in events],
        quotes=[Quote(speaker=sp, text=q, start=text.index(q), end=text.index(q) + len(q)) for sp, q in quotes],
        narratives=[Narrative(id=n, score=1.0, evidence=[sentence(ev)]) for n, ev in narratives],
        signals=[Signal(kind=k, detail=d, evidence=sentence(ev) if ev else None) for k, d, ev in signals],
    )


RUS = ("Russia", "GPE", "state/rus", [], "RUS")
BFA = ("Burkina Faso", "GPE", "state/bfa", [], "BFA")
MLI = ("Mali", "GPE", "state/mli", [], "MLI")

LAVROV_TEXT = (
    "Lavrov pledges support in Ouagadougou\n\n"
    "Russian Foreign Minister Sergei Lavrov arrived in Ouagadougou on Tuesday and met Ibrahim Traoré. "
    "Lavrov said Russia would send more instructors to Burkina Faso. "
    "\"We will stand with our friends in Africa against terrorism,\" Lavrov said. " + prose("lavrov"))


def lavrov(doc_id="lavrov", *, text=LAVROV_TEXT, outlet="Sahel Wire", url=None, date="2024-06-04",
           published="2024-06-05", traore=("Ibrahim Traoré", "PERSON", "person/ibrahim-traore", [], "BFA")):
    text = text.replace("Ibrahim Traoré", traore[0])
    return make(
        doc_id, text,
        [("Sergei Lavrov", "PERSON", None, ["Lavrov"], "RUS"), traore, RUS, BFA,
         ("Ouagadougou", "GPE", "city/ouagadougou", [], "BFA")],
        published=published, outlet=outlet, url=url,
        roles=[("Sergei Lavrov", "Foreign Minister", "Russia", "Russian Foreign Minister Sergei Lavrov")],
        events=[("CONSULT", [("Sergei Lavrov", "RUS")], [(traore[0], "BFA")], date,
                 "Russian Foreign Minister Sergei Lavrov arrived in Ouagadougou"),
                ("AGREE", [("Russia", "RUS")], [("Burkina Faso", "BFA")], date, "Lavrov said Russia would send")],
        quotes=[("Sergei Lavrov", "We will stand with our friends in Africa against terrorism,")],
        narratives=[("russia_reliable_partner", "Lavrov said Russia would send")],
    )


def visit_report(doc_id, outlet, *, date="2024-06-04", published="2024-06-06", lavrov_title="Foreign Minister",
                 extra=""):
    text = (f"{outlet}: Lavrov in Burkina Faso\n\n"
            f"Sergei Lavrov, Russia's {lavrov_title}, held talks with Burkina Faso's leader Ibrahim Traore in "
            f"Ouagadougou. {extra}Both sides praised the partnership. " + prose(doc_id + outlet)
            + f"This report was written for {outlet} by its own correspondent.")
    return make(
        doc_id, text,
        [("Sergei Lavrov", "PERSON", None, ["Lavrov"], "RUS"), ("Ibrahim Traore", "PERSON", None, [], None), RUS, BFA],
        published=published, outlet=outlet,
        roles=[("Sergei Lavrov", lavrov_title, "Russia", "Sergei Lavrov")],
        events=[("CONSULT", [("Sergei Lavrov", None)], [("Ibrahim Traore", None)], date,
                 "Both sides praised the partnership.")],
        narratives=[("russia_reliable_partner", "Both sides praised the partnership.")],
    )


# ----------------------------------------------------------------------------- migrations


def test_migrations_from_empty(store_url):
    url, schema = store_url
    s = Store(url, schema=schema, upgrade=False)
    try:
        assert db.current_revision(s.engine) is None
        assert db.upgrade(s.engine) == db.head_revision()
        tables = set(db.table_names(s.engine))
        assert {"documents", "document_raw", "entities", "entity_keys", "entity_aliases", "doc_entities", "mentions",
                "roles", "events", "event_parties", "event_clusters", "quotes", "doc_narratives", "signals",
                "near_duplicates", "judgements", "entity_edges", "alembic_version"} <= tables
        assert db.downgrade(s.engine, "base") is None
        assert "documents" not in set(db.table_names(s.engine))
        db.upgrade(s.engine)
        s.add_record(lavrov())
        assert s.stats()["documents"] == 1
    finally:
        s.close()


def test_models_match_migrations(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from newsgraph.store.models import Base

    s = Store(tmp_path / "m.db")
    with s.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    s.close()
    assert [d for d in diff if "fts" not in str(d)] == []


def test_sqlite_settings(tmp_path):
    s = Store(tmp_path / "w.db")
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with db.writer(s.engine) as conn, conn.begin():  # the writer keeps more of a large store's pages
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -db.WRITER_CACHE_MB * 1024
    s.close()


def test_writer_cache_setting(monkeypatch, tmp_path):
    monkeypatch.setenv(db.WRITER_CACHE_ENV, "64")
    s = Store(tmp_path / "w.db")
    with db.writer(s.engine) as conn, conn.begin():
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
    monkeypatch.setenv(db.WRITER_CACHE_ENV, "lots")
    with pytest.raises(ValueError, match="NEWSGRAPH_SQLITE_WRITER_CACHE_MB must be a number of MiB"):
        db.writer(s.engine)
    s.close()


def test_default_url(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSGRAPH_DB", raising=False)
    assert db.resolve_url() == "sqlite:///newsgraph.db"
    monkeypatch.setenv("NEWSGRAPH_DB", str(tmp_path / "x.db"))
    assert db.resolve_url() == f"sqlite:///{tmp_path / 'x.db'}"
    assert db.resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"


# ----------------------------------------------------------------------------- documents


def test_idempotent_reingest(store):
    first = store.add_record(lavrov(), raw="<html>raw page</html>", source="lavrov.html")
    assert first.status == "added"
    before = store.stats()
    again = store.add_record(lavrov(), raw="<html>raw page</html>")
    assert again.status == "unchanged" and again.document_id == first.document_id
    results = store.add_records([lavrov(), visit_report("r1", "Wire A")])
    assert [r.status for r in results] == ["unchanged", "added"]
    results = store.add_records([lavrov(), visit_report("r1", "Wire A")])
    assert [r.status for r in results] == ["unchanged", "unchanged"]
    after = store.stats()
    assert after["documents"] == before["documents"] + 1
    assert store.raw("lavrov") == "<html>raw page</html>"
    assert store.record("lavrov") == lavrov()
    assert store.document("lavrov")["source"] == "lavrov.html"
    consistent(store)


def test_rollback_on_failure_in_the_middle(store, monkeypatch):
    store.add_record(visit_report("r1", "Wire A"))

    def counts():
        return {k: v for k, v in store.stats().items() if k != "database_bytes"}

    before = counts()

    def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    # fails after the document, its entities, mentions and roles are written
    monkeypatch.setattr(writer, "_match_cluster", boom)
    with pytest.raises(RuntimeError, match="injected"):
        store.add_record(lavrov())
    assert counts() == before
    assert store.document("lavrov") is None
    with pytest.raises(EntityNotFound):
        store.find_entity("Ouagadougou")
    # in a batch: the failing record (the only one with quotes) is reported, the others are stored
    monkeypatch.setattr(writer, "_match_cluster", _real_match)
    monkeypatch.setattr(writer, "_quote_about", boom)
    results = store.add_records([visit_report("r2", "Wire B"), lavrov(), visit_report("r3", "Wire C")])
    assert [r.status for r in results] == ["added", "failed", "added"]
    assert "injected" in results[1].error and results[1].doc_id == "lavrov"
    assert store.document("lavrov") is None
    monkeypatch.undo()
    assert store.add_record(lavrov()).status == "added"
    consistent(store)


_real_match = writer._match_cluster


def test_batch_failure_leaves_nothing(store, monkeypatch):
    real = writer.insert_facts

    def failing(conn, doc, story, record, settings):
        real(conn, doc, story, record, settings)
        if record.doc_id == "bad":
            raise ValueError("injected after all facts")

    monkeypatch.setattr(writer, "insert_facts", failing)
    results = store.add_records([visit_report("a", "Wire A"), visit_report("bad", "Wire B"),
                                 visit_report("c", "Wire C")], batch_size=10)
    assert [r.status for r in results] == ["added", "failed", "added"]
    assert store.document("bad") is None and store.document("a") and store.document("c")
    assert store.stats()["documents"] == 2
    consistent(store)


def test_new_version_of_a_url(store):
    url = "https://example.org/2024/06/05/lavrov"
    v1 = store.add_record(lavrov(url=url))
    changed = LAVROV_TEXT.replace("more instructors", "200 instructors")
    v2 = store.add_record(lavrov(url=url, text=changed))
    assert v2.status == "new_version" and v2.previous_id == v1.document_id
    assert v2.story_id == v1.story_id  # a new version is never a second source
    doc = store.document(v2.document_id)
    assert [v["version"] for v in doc["versions"]] == [1, 2]
    assert [v["current"] for v in doc["versions"]] == [False, True]
    st = store.stats()
    assert st["documents"] == 1 and st["versions"] == 2
    assert st["events"] == 2 and st["quotes"] == 1  # the old version's facts left the graph
    assert store.add_record(lavrov(url=url)).status == "unchanged"  # the old text is still known
    assert "200 instructors" in store.record(v2.document_id).text
    assert store.search_text("200 instructors")[0]["document_id"] == v2.document_id
    consistent(store)


def test_near_duplicates_count_once(store):
    a = store.add_record(visit_report("wire", "Wire A", extra="x "))
    copy = visit_report("wire", "Wire A", extra="x ")
    copy = copy.model_copy(update={"doc_id": "copy", "outlet": "Copy Site", "text": copy.text + "\n\nShared by Copy Site.",
                                   "url": "https://copy.example/1"})
    b = store.add_record(copy)
    assert b.status == "added" and b.duplicate_of == [a.document_id] and b.story_id == a.story_id
    independent = visit_report("own", "Wire B", extra="Lavrov also visited a training camp for the army. ")
    c = store.add_record(independent)
    assert c.duplicate_of == [] and c.story_id != a.story_id
    profile = store.entity_profile("Sergei Lavrov")
    traore = next(n for n in profile["neighbours"] if n["name"].startswith("Ibrahim Traor"))
    assert traore["documents"] == 3 and traore["independent_sources"] == 2
    assert store.stats()["stories"] == 2 and store.stats()["near_duplicate_links"] == 1
    consistent(store)


# ----------------------------------------------------------------------------- entities


def test_entities_resolve_across_documents(store):
    store.add_records([lavrov(), visit_report("r1", "Wire A"), visit_report("r2", "Wire B")])
    shoigu = ("Shoigu arrives\n\nSergey Shoygu met Lavrov in Moscow. " + _FILLER,
              "Shoigu speaks\n\nSergei Shoigu said the Officers Union for International Security would help. " + _FILLER)
    store.add_record(make("s1", shoigu[0], [("Sergey Shoygu", "PERSON", None, [], "RUS"),
                                           ("Sergei Lavrov", "PERSON", None, ["Lavrov"], "RUS")]))
    store.add_record(make("s2", shoigu[1], [("Sergei Shoigu", "PERSON", "person/sergei-shoigu", [], "RUS"),
                                           ("Officers Union for International Security", "ORG", "org/ouis", [], "RUS")]))
    store.add_record(make("s3", "SOMB statement\n\nThe SOMB, the Officers Union for International Security, said so. "
                          + _FILLER, [("Officers Union for International Security", "ORG", "org/ouis", ["SOMB"], "RUS")]))
    for name, docs in (("Ibrahim Traoré", 3), ("Sergei Shoigu", 2), ("Officers Union for International Security", 2),
                       ("Sergei Lavrov", 4)):
        hits = [h for h in store.search_entities(name, limit=5) if h["score"] >= 90]
        assert len({h["id"] for h in hits if h["name"] in (name, "Sergey Shoygu", "Ibrahim Traore")}) == 1, hits
        assert store.entity(name)["documents"] == docs
    traore = store.entity_profile("Ibrahim Traore")
    assert traore["name"] == "Ibrahim Traoré" and traore["kb_id"] == "person/ibrahim-traore"
    assert {a["alias"] for a in traore["aliases"]} == {"Ibrahim Traoré", "Ibrahim Traore"}
    assert store.entity("SOMB")["name"] == "Officers Union for International Security"
    assert store.entity("Sergey Shoygu")["kb_id"] == "person/sergei-shoigu"
    consistent(store)


def test_merge_judgement_survives_reingest(store):
    alias = ("Traore", "PERSON", None, [], None)
    store.add_record(lavrov("short", traore=alias))
    store.add_record(lavrov())
    assert store.find_entity("Traore") != store.find_entity("Ibrahim Traoré")
    kept = store.merge_entities("Ibrahim Traoré", "Traore", note="same man")
    assert store.find_entity("Traore") == kept
    assert store.entity(kept)["documents"] == 2
    [j] = store.judgements()
    assert j["kind"] == "merge" and j["key_b"] == "name:PERSON:traore" and j["note"] == "same man"
    consistent(store)
    # re-deriving the facts of the same documents, and a new document naming "Traore", follow the judgement
    assert store.add_record(lavrov("short", traore=alias), replace=True).status == "replaced"
    other = visit_report("r9", "Wire Z").model_copy()
    other.entities[1].name = "Traore"
    other.events[0].recipient[0].name = "Traore"
    store.add_record(other)
    assert store.find_entity("Traore") == kept
    assert store.entity(kept)["documents"] == 3
    consistent(store)


def test_split_entity(store):
    store.add_record(lavrov("a", traore=("Traore", "PERSON", None, [], None)))
    store.add_record(lavrov("b", traore=("Ibrahim Traoré", "PERSON", None, ["Traore"], "BFA")))
    merged = store.merge_entities("Ibrahim Traoré", "Traore")
    new = store.split_entity(merged, ["Traore"], note="another Traore")
    assert new != merged
    assert store.entity(new)["documents"] == 1 and store.entity(merged)["documents"] == 1
    kinds = [j["kind"] for j in store.judgements()]
    assert kinds == ["merge", "split"]
    store.add_record(lavrov("c", traore=("Traore", "PERSON", None, [], None),
                            text=LAVROV_TEXT.replace("Tuesday", "Wednesday").replace("Ibrahim Traoré", "Traore")))
    assert store.entity(new)["documents"] == 2
    with pytest.raises(EntityNotFound):
        store.split_entity(merged, ["Nobody"])
    consistent(store)


# ----------------------------------------------------------------------------- events, contradictions, queries


def test_event_clustering_and_corroboration(store):
    store.add_record(lavrov())  # CONSULT dated 2024-06-04
    store.add_record(visit_report("r1", "Wire A"))
    store.add_record(visit_report("r2", "Wire B", date=None, published="2024-06-07"))  # undated: published date
    store.add_record(visit_report("late", "Wire C", date="2024-07-20", published="2024-07-21"))  # another visit
    consult = store.timeline(type="CONSULT")
    assert len(consult) == 2
    first, second = consult
    assert first["reports"] == 3 and first["independent_sources"] == 3
    assert {s["doc_id"] for s in first["sources"]} == {"lavrov", "r1", "r2"}
    assert {a["name"] for a in first["actors"]} == {"Sergei Lavrov"}
    assert second["reports"] == 1 and second["date"] == "2024-07-20"
    corroborated = store.event_clusters(min_sources=2)
    assert len(corroborated) == 1 and corroborated[0]["cluster_id"] == first["cluster_id"]
    assert store.timeline(entity="Ibrahim Traoré", start="2024-07") == [second]
    assert [c["type"] for c in store.timeline(entity="Russia")] == ["AGREE"]
    from newsgraph.graph.clusters import recluster

    assert recluster(store) == store.stats()["event_clusters"] == 3
    assert len(store.event_clusters(min_sources=2)) == 1
    consistent(store)


def test_cluster_candidates_are_every_event_sharing_a_party(store):
    """The candidate query (probing event parties by entity or country) gives exactly the events a plain
    reading of the rules allows: same type and status, dates within the window, another document, a shared
    actor token (any party for symmetric types), each with all its parties."""
    import datetime as dt

    from newsgraph.store.sql import Sql
    from newsgraph.store.synthetic import generate_records

    store.add_records(list(generate_records(260, seed=11, syndication=0.1)), batch_size=1000)
    for doc_id, army, day in (("army-a", "Malian Armed Forces", "2024-03-10"), ("army-b", "FAMa", "2024-03-12")):
        text = f"Clashes in the centre\n\nThe {army} attacked JNIM positions near Mopti. " + prose(doc_id)
        store.add_record(make(doc_id, text, [(army, "ORG", None, [], "MLI"), ("JNIM", "ORG", None, [], None)],
                              events=[("ASSAULT", [(army, "MLI")], [("JNIM", None)], day, f"The {army} attacked")]))
    with store.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT id, document_id, cluster_id, type, status, date_start, date_end"
                                      " FROM events ORDER BY id").all()
        parties: dict[int, list[tuple]] = {}
        for ev, side, eid, name, country in conn.exec_driver_sql(
                "SELECT event_id, side, entity_id, name, country FROM event_parties ORDER BY id"):
            parties.setdefault(ev, []).append((side, eid, name, country))
        day = lambda v: v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(v)  # noqa: E731
        events = [(i, d, c, t, s, day(a), day(b)) for i, d, c, t, s, a, b in events]
        settings = writer.Settings()
        window = dt.timedelta(days=settings.event_window_days)

        def expected(doc, etype, status, when, mine):
            symmetric = etype in writer.SYMMETRIC_EVENTS
            tokens = {p[1] for p in mine if symmetric or p[0] == "actor"}
            if not tokens:
                return set()
            tokens |= {p[3] for p in mine if (symmetric or p[0] == "actor") and p[3]}
            lo, hi = when[0] - window, when[1] + window
            out = set()
            for i, d, c, t, s, a, b in events:
                if (t != etype or s != status or c is None or d == doc or a is None or b is None
                        or not (lo - dt.timedelta(days=writer.MAX_CLUSTER_SPAN_DAYS) <= a <= hi) or b < lo
                        or (b - a).days > writer.MAX_CLUSTER_SPAN_DAYS):
                    continue
                theirs = parties.get(i, [])
                if any((symmetric or side == "actor") and (eid in tokens or country in tokens)
                       for side, eid, _, country in theirs):
                    out.update((i, c, side, eid, country) for side, eid, _, country in theirs)
            return out

        probes = [(d, t, s, (a, b, "day"), parties.get(i, [])) for i, d, c, t, s, a, b in events
                  if a is not None and s in writer.CLUSTERED_STATUS]
        assert len(probes) > 100
        got = writer._cluster_candidates(Sql.of(conn), -1, [p[1:] for p in probes[:1]], settings)  # one query
        assert set(got[0]) == expected(-1, *probes[0][1:])
        matched = 0
        for doc, etype, status, when, mine in probes:
            rows = writer._cluster_candidates(Sql.of(conn), doc, [(etype, status, when, mine)], settings)[0]
            want = expected(doc, etype, status, when, mine)
            assert set(rows) == want and len(rows) == len(want), (doc, etype, when, mine)
            matched += bool(want)
        assert matched > 20  # the store has events that other documents report too
        army_b = store.document("army-b")["id"]
        by_country = [e for d, t, *_ in probes if d == army_b
                      for e in writer._cluster_candidates(Sql.of(conn), d, [p[1:] for p in probes if p[0] == d],
                                                          settings)[0]]
        assert by_country and {r[4] for r in by_country} == {"MLI", None}  # only the country is shared


def test_contradictions(store):
    store.add_record(lavrov())
    store.add_record(visit_report("r1", "Wire A", lavrov_title="Defence Minister", published="2024-06-05",
                                  date="2024-06-06"))
    store.add_record(make("kb", "Claim\n\nSergei Lavrov is Russia's Prime Minister. " + _FILLER,
                          [("Sergei Lavrov", "PERSON", None, [], "RUS"), RUS], published="2024-06-05",
                          signals=[("kb_conflict", "Sergei Lavrov is not Prime Minister of Russia",
                                    "Sergei Lavrov is Russia's Prime Minister.")]))
    found = store.contradictions()
    kinds = {c["kind"] for c in found}
    assert {"role_title", "event_date", "kb_conflict"} <= kinds
    role = next(c for c in found if c["kind"] == "role_title")
    assert role["entities"] == ["Sergei Lavrov"]
    assert {c["doc_id"] for c in role["claims"]} == {"lavrov", "r1"}
    dates = next(c for c in found if c["kind"] == "event_date")
    assert {c["date"] for c in dates["claims"]} == {"2024-06-04", "2024-06-06"}
    kb = next(c for c in found if c["kind"] == "kb_conflict")
    assert kb["claims"][0]["evidence"]["text"] == "Sergei Lavrov is Russia's Prime Minister."
    # another person in the same exclusive office on the same date
    store.add_record(make("fm", "Other\n\nForeign Minister Ivan Petrov of Russia spoke. " + _FILLER,
                          [("Ivan Petrov", "PERSON", None, [], "RUS"), RUS], published="2024-06-05",
                          roles=[("Ivan Petrov", "Foreign Minister", "Russia", "Foreign Minister Ivan Petrov")]))
    holders = [c for c in store.contradictions() if c["kind"] == "office_holder"]
    assert holders and set(holders[0]["entities"]) == {"Sergei Lavrov", "Ivan Petrov"}


def test_full_text_search(store):
    store.add_record(lavrov())
    store.add_record(visit_report("r1", "Wire A"))
    hits = store.search_text("instructors")
    assert [h["doc_id"] for h in hits if h["kind"] == "document"] == ["lavrov"]
    quotes = [h for h in store.search_text("terrorism friends") if h["kind"] == "quote"]
    assert quotes and quotes[0]["speaker"] == "Sergei Lavrov" and "terrorism" in quotes[0]["text"]
    assert {h["doc_id"] for h in store.search_text('"praised the partnership"')} == {"r1"}
    assert {h["doc_id"] for h in store.search_text("Lavrov -instructors") if h["kind"] == "document"} == {"r1"}
    assert store.search_text("Ouagadougou OR nonexistentword")
    assert store.search_text("*&^") == []


def test_profile_timeline_narratives_stats(store):
    store.add_records([lavrov(), visit_report("r1", "Wire A", published="2024-07-02"), visit_report("r2", "Wire B")])
    p = store.entity_profile("Lavrov")
    assert p["name"] == "Sergei Lavrov" and p["type"] == "PERSON"
    assert {"Sergei Lavrov", "Lavrov"} <= {a["alias"] for a in p["aliases"]}
    [role] = p["roles"]
    assert role["title"] == "Foreign Minister" and role["of"] == "Russia"
    assert role["first"] == "2024-06-05" and role["last"] == "2024-07-02" and role["documents"] == 3
    assert p["events"]["as_actor"]["by_type"] == {"CONSULT": 3}
    assert p["quotes"]["by"]["total"] == 1
    assert p["narratives"] == [{"narrative": "russia_reliable_partner", "documents": 3}]
    traore = store.entity_profile("Ibrahim Traoré")
    assert traore["events"]["as_recipient"]["total"] == 3
    assert any(n["name"] == "Sergei Lavrov" and n["documents"] == 3 for n in traore["neighbours"])
    africa = store.entity_profile("Russia")
    assert africa["events"]["as_actor"]["by_type"] == {"AGREE": 1}
    months = store.narrative_trends("month")
    assert {(m["period"], m["documents"]) for m in months} == {("2024-06", 2), ("2024-07", 1)}
    outlets = store.narrative_trends(by="outlet")
    assert {o["outlet"] for o in outlets} == {"Sahel Wire", "Wire A", "Wire B"}
    st = store.stats()
    assert st["documents"] == 3 and st["events"] == 4 and st["quotes"] == 1 and st["entities"] >= 5
    assert st["database_bytes"] > 0
    with pytest.raises(EntityNotFound):
        store.entity_profile("Nobody At All")


def test_graph_export(store):
    from newsgraph.graph import build_graph, centrality, communities, edge_evidence

    store.add_records([lavrov(), visit_report("r1", "Wire A"), visit_report("r2", "Wire B")])
    g = store.graph()
    lav, tra, rus = (store.find_entity(n) for n in ("Sergei Lavrov", "Ibrahim Traoré", "Russia"))
    assert g.nodes[lav]["name"] == "Sergei Lavrov"
    consult = g.get_edge_data(lav, tra)["event:CONSULT"]
    assert consult["documents"] == 3 and consult["independent_sources"] == 3 and consult["clusters"] == 1
    assert all(e["text"] for e in consult["evidence"])
    role = g.get_edge_data(lav, rus)[next(k for k in g.get_edge_data(lav, rus) if k.startswith("role:"))]
    assert role["title"] == "Foreign Minister" and role["documents"] == 3
    co = g.get_edge_data(min(lav, tra), max(lav, tra))["comention"]
    assert co["documents"] == 3
    assert edge_evidence(store, "Sergei Lavrov", "Ibrahim Traoré")[0]["spans"]
    ranks = centrality(g)
    assert max(ranks, key=ranks.get) in {lav, rus, tra, store.find_entity("Burkina Faso")}
    assert set().union(*communities(g)) == set(g.nodes)
    small = build_graph(store, edges=("comention",), min_documents=3, comention_evidence=True)
    assert all(d["documents"] >= 3 for _, _, d in small.edges(data=True))
    assert all(len(d["evidence"]) == d["documents"] for _, _, d in small.edges(data=True))


def test_records_from_examples(store, tmp_path):
    """Records as the extractor writes them (JSON files) go in unchanged."""
    data = lavrov().model_dump(mode="json")
    data.pop("text")
    rec = Record.model_validate({**data, "text": LAVROV_TEXT})
    assert store.add_record(json.loads(rec.model_dump_json())).status == "added"


def test_minhash_signatures():
    from newsgraph.store import dedup

    a = prose("story", 200)
    copy = "Republished by Another Site. " + a.replace("army", "troops", 1) + " Read more at Another Site."
    other = prose("another story", 200)
    sa, sc, so = (dedup.signature(t) for t in (a, copy, other))
    assert (sa.values == dedup.signature_via_datasketch(a).values).all()  # datasketch's MinHash, vectorized
    assert sa.jaccard(sc) >= dedup.DEFAULT_THRESHOLD > sa.jaccard(so)
    assert set(sa.band_keys()) & set(sc.band_keys())
    assert dedup.signature("too short") is None
    assert dedup.Signature.from_bytes(sa.to_bytes()).jaccard(sa) == 1.0


# ----------------------------------------------------------------------------- batches


def _corpus(n: int = 240):
    from newsgraph.store.synthetic import generate_records

    # syndicated copies and new versions of a URL inside one batch: links, story merges, facts removed
    return list(generate_records(n, seed=3, syndication=0.15, updates=0.08))


def _fingerprint(store: Store) -> dict:
    from newsgraph.store.integrity import fingerprint

    with store.engine.connect() as conn:
        return fingerprint(conn)


def test_batch_equals_one_by_one(store_url, tmp_path):
    """A batch defers rows and caches lookups; it must store exactly what storing one record at a time does."""
    url, schema = store_url
    recs = _corpus()
    batched = Store(url, schema=schema)
    single = Store(tmp_path / "single.db")
    try:
        statuses = [r.status for r in batched.add_records(recs, batch_size=1000)]
        statuses += [r.status for r in batched.add_records(recs[:60], batch_size=1000, replace=True)]
        assert {"added", "new_version", "replaced"} <= set(statuses)
        for r in recs:
            single.add_record(r)
        for r in recs[:60]:
            single.add_record(r, replace=True)
        assert _fingerprint(batched) == _fingerprint(single)
        consistent(batched)
        assert batched.stats()["near_duplicate_links"] > 0
    finally:
        batched.close()
        single.close()


def test_failure_in_a_large_batch(store_url, tmp_path, monkeypatch):
    """A record failing late in a batch (deferred rows pending) leaves nothing; the batch is as if without it."""
    url, schema = store_url
    recs = _corpus(120)
    once = [r.doc_id for r in recs if [x.doc_id for x in recs].count(r.doc_id) == 1]
    bad = {once[50], once[97]}
    real = writer.insert_facts

    def failing(conn, doc, story, record, settings):
        real(conn, doc, story, record, settings)
        if record.doc_id in bad:
            raise ValueError("injected after all facts")

    failed = Store(url, schema=schema)
    clean = Store(tmp_path / "clean.db")
    try:
        monkeypatch.setattr(writer, "insert_facts", failing)
        results = failed.add_records(recs, batch_size=1000)
        monkeypatch.undo()
        assert sorted(r.doc_id for r in results if r.status == "failed") == sorted(bad)
        assert all("injected" in r.error for r in results if r.status == "failed")
        clean.add_records([r for r in recs if r.doc_id not in bad], batch_size=7)
        assert _fingerprint(failed) == _fingerprint(clean)
        consistent(failed)
    finally:
        failed.close()
        clean.close()


def test_database_error_fails_only_its_record(store):
    """A record the database refuses (PostgreSQL enforces varchar lengths) fails alone, even in a batch whose
    rows are written at the end and, on PostgreSQL, without waiting for each statement."""
    long_name = "Officers Union " + "of the Sahel " * 50  # > 512 characters
    text = f"Union news\n\nThe {long_name} met in Bamako. " + prose("long-name")
    bad = make("long", text, [(long_name.strip(), "ORG", None, [], "MLI"), MLI])
    results = store.add_records([visit_report("r1", "Wire A"), bad, lavrov()], batch_size=100)
    statuses = [r.status for r in results]
    assert statuses[0] == statuses[2] == "added"
    if store.dialect == "postgresql":
        assert statuses[1] == "failed" and "too long" in results[1].error
        assert store.document("long") is None
    else:  # SQLite stores any length
        assert statuses[1] == "added"
    assert store.document("lavrov") and store.document("r1")
    consistent(store)
