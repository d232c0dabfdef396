"""Event extraction on sentences written for these tests: type, actor, recipient, status, date."""
from __future__ import annotations

import pytest

from newsgraph.ingest.base import SourceDocument
from newsgraph.pipeline import DEFAULT_STAGES, Extractor

PUBLISHED = "2024-06-05"  # a Wednesday


@pytest.fixture(scope="module")
def events_of(kb):
    ex = Extractor(kb, stages=[*DEFAULT_STAGES, "events"])

    def run(text: str, published: str | None = PUBLISHED):
        hints = {"published": published} if published else {}
        return ex.extract(SourceDocument("t", "t", "text", text, text, True, hints)).events

    return run


def summary(events):
    return [(e.type, [a.name for a in e.actor], [r.name for r in e.recipient], e.status) for e in events]


@pytest.mark.parametrize("text,expected", [
    ("Yesterday, Russia delivered two attack helicopters to Mali.",
     ("AID", ["Russia"], ["Mali"], "asserted")),
    ("French troops withdrew from Niger in December 2023.",
     ("RETREAT", ["France"], ["Niger"], "asserted")),
    ("Sergei Lavrov met Ibrahim Traoré in Ouagadougou on Tuesday.",
     ("CONSULT", ["Sergei Lavrov"], ["Ibrahim Traoré"], "asserted")),
    ("Russia will send military instructors to Niger next month.",
     ("AGREE", ["Russia"], ["Niger"], "asserted")),
    ("Niger's junta arrested former president Mohamed Bazoum in July 2023.",
     ("COERCE", ["Niger"], ["Mohamed Bazoum"], "asserted")),
    ("The European Union accused Russia of destabilizing the Sahel.",
     ("ACCUSE", ["European Union"], ["Russia"], "asserted")),
    ("ECOWAS lifted sanctions on Niger in February 2024.",
     ("CONCEDE", ["Economic Community of West African States"], ["Niger"], "asserted")),
    ("Burkina Faso and Russia signed a military cooperation agreement.",
     ("SUPPORT", ["Burkina Faso", "Russia"], [], "asserted")),
    ("Wagner fighters killed dozens of civilians in Moura in March 2022.",
     ("ASSAULT", ["Wagner Group"], [], "asserted")),
])
def test_first_event(events_of, text, expected):
    events = events_of(text)
    assert events, text
    assert summary(events)[0] == expected


def test_dates_resolved_against_publication(events_of):
    [e] = events_of("Sergei Lavrov met Ibrahim Traoré in Ouagadougou on Tuesday.")
    assert e.date == "2024-06-04"
    [e] = events_of("French troops withdrew from Niger in December 2023.")
    assert e.date == "2023-12"
    [e] = events_of("Sergei Lavrov met Ibrahim Traoré in Ouagadougou on Tuesday.", published=None)
    assert e.date is None


def test_negated_and_hypothetical(events_of):
    assert summary(events_of("Mali did not expel the French ambassador."))[0][3] == "negated"
    statuses = {e.status for e in events_of("If Russia sent troops, Mali would welcome them.")}
    assert statuses <= {"hypothetical"} and statuses


def test_generic_actor_is_the_state_of_the_text(events_of):
    text = ("Burkina Faso has seen a wave of attacks. Burkina Faso's army says it is in control. "
            "The army announced the dissolution of parliament.")
    coerce = [e for e in events_of(text) if e.type == "COERCE"]
    assert coerce and coerce[0].actor[0].name == "Burkina Faso"


def test_same_meeting_told_twice_is_one_event(events_of):
    text = ("Sergei Lavrov met Ibrahim Traoré on Tuesday. Ibrahim Traoré meets with Sergei Lavrov in Ouagadougou.")
    assert len([e for e in events_of(text) if e.type == "CONSULT"]) == 1


def test_evidence_is_the_sentence(events_of):
    text = "Talks were calm. Russia delivered fuel to Mali. Nothing else happened."
    [e] = [e for e in events_of(text) if e.type == "AID"]
    assert e.evidence.text == "Russia delivered fuel to Mali."
    assert text[e.evidence.start:e.evidence.end] == e.evidence.text


def test_headline_does_not_repeat_events(events_of):
    text = "Russia Delivers Fuel To Mali\n\nRussia delivered fuel to Mali on Monday."
    assert len([e for e in events_of(text) if e.type == "AID"]) == 1
