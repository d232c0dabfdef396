"""Credibility signals on texts written for these tests."""
from __future__ import annotations

import pytest

from newsgraph.ingest.base import SourceDocument
from newsgraph.pipeline import DEFAULT_STAGES, Extractor


@pytest.fixture(scope="module")
def record_of(kb):
    ex = Extractor(kb, stages=[*DEFAULT_STAGES, "signals"])

    def run(text: str, **hints):
        return ex.extract(SourceDocument("t", "t", "text", text, text, True, hints))

    return run


def kinds(record):
    return sorted(s.kind for s in record.signals)


def test_cited_state_media(record_of):
    r = record_of("Mali will buy grain, the RIA news agency reported on Monday.")
    [s] = r.signals
    assert s.kind == "state_media_source" and "RIA Novosti" in s.detail
    assert r.text[s.evidence.start:s.evidence.end] == s.evidence.text


def test_mentioning_state_media_is_not_citing_it(record_of):
    r = record_of("Mali banned the broadcasts of RT and Sputnik last year, officials said.")
    assert "state_media_source" not in kinds(r)


def test_independent_wire_is_no_signal(record_of):
    assert kinds(record_of("Niger expelled the French ambassador, Reuters reported.")) == []


def test_unnamed_state_media(record_of):
    r = record_of("Russian troops arrived in Bamako, Russian state media reported.")
    assert kinds(r) == ["state_media_source"]


def test_front_organization_signing(record_of):
    text = ("Statement of the Officers Union for International Security\n\n"
            "We are ready to help the people of Mali restore order.\n\n12.05.2023\nAlexander Ivanov,\n"
            "Head of the Officers Union for International Security")
    r = record_of(text)
    [s] = [s for s in r.signals if s.kind == "front_organization"]
    assert "Wagner Group" in s.detail and "KB source" in s.detail


def test_front_mentioned_late_in_a_report_is_not_relayed(record_of):
    text = ("Mali Receives Grain Shipment\n\nA ship carrying Russian wheat docked in Dakar on Monday for Mali.\n\n"
            "The grain will be trucked to Bamako.\n\nSeparately, analysts noted that Lobaye Invest "
            "has been sanctioned by the United States.")
    assert "front_organization" not in kinds(record_of(text))


def test_misnamed_state(record_of):
    text = "Russia and the Central Asian Republic will expand cooperation in Bangui, the Central African Republic."
    r = record_of(text)
    [s] = [s for s in r.signals if s.kind == "kb_conflict"]
    assert "Central Asian Republic" in s.detail


def test_unknown_weapon_system(record_of):
    r = record_of("Officials in Ouagadougou unveiled the ‘Zarkon’ complex, calling it unstoppable.")
    [s] = [s for s in r.signals if s.kind == "unknown_entity"]
    assert "Zarkon" in s.detail
    known = record_of("Mali received Pantsir systems from Russia.")
    assert "unknown_entity" not in kinds(known)


def test_office_holder_refuted_by_dated_kb(record_of):
    r = record_of("Russian Defence Minister Sergei Shoigu visited Bamako on Monday.", published="2025-01-10")
    [s] = [s for s in r.signals if s.kind == "kb_conflict"]
    assert "Andrei Belousov" in s.detail and r.text[s.evidence.start:s.evidence.end] == s.evidence.text
    ok = record_of("Russian Defence Minister Sergei Shoigu visited Bamako on Monday.", published="2023-01-10")
    assert "kb_conflict" not in kinds(ok)


def test_namesake_with_wrong_first_name(record_of):
    r = record_of("Russian Deputy Foreign Minister Ivan Lavrov met envoys from Niger.")
    [s] = [s for s in r.signals if s.kind == "kb_conflict"]
    assert "Sergei Lavrov" in s.detail and "Ivan Lavrov" in s.detail


def test_wrong_rank(record_of):
    r = record_of("Burkina Faso's leader, General Ibrahim Traoré, addressed the nation.")
    assert any(s.kind == "kb_conflict" and "captain" in s.detail.lower() for s in r.signals)
