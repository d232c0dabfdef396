"""Event extraction on sentences written for these tests: type, actor, recipient, status, date.

Each rule of the extractor (nominal events, several events in one sentence,
implied actors, speakers' accusations, dates) has a sentence of its own here;
tests/data/event_sentences.yaml holds the larger evaluation set, scored by
benchmarks/event_sentences_eval.py and held above a floor below.
"""
from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import pytest

from newsgraph.ingest.base import SourceDocument
from newsgraph.nlp.events import EventExtractor, FallbackSettings
from newsgraph.nlp.events_lexicon import event_lexicon
from newsgraph.nlp.events_triggers import find_triggers
from newsgraph.pipeline import DEFAULT_STAGES, Extractor, _classifier_scores
from newsgraph.record import Quote

PUBLISHED = "2024-06-05"  # a Wednesday
BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "event_sentences_eval.py"


@pytest.fixture(scope="module")
def pipeline(kb):
    return Extractor(kb, stages=[*DEFAULT_STAGES, "events"])


@pytest.fixture(scope="module")
def events_of(pipeline):
    def run(text: str, published: str | None = PUBLISHED):
        hints = {"published": published} if published else {}
        return pipeline.extract(SourceDocument("t", "t", "text", text, text, True, hints)).events

    return run


def summary(events):
    return [(e.type, [a.name for a in e.actor], [r.name for r in e.recipient], e.status) for e in events]


def find(events, type_, actor=None, recipient=None, status=None):
    """The events of a type whose actors (recipients) include the names given."""
    return [e for e in events if e.type == type_
            and (actor is None or set(actor) <= {a.name for a in e.actor})
            and (recipient is None or set(recipient) <= {r.name for r in e.recipient})
            and (status is None or e.status == status)]


def scored(events):
    return [e for e in events if e.status in ("asserted", "future")]


@pytest.mark.parametrize("text,expected", [
    ("Yesterday, Russia delivered two attack helicopters to Mali.",
     ("AID", ["Russia"], ["Mali"], "asserted")),
    ("French troops withdrew from Niger in December 2023.",
     ("RETREAT", ["France", "French Armed Forces"], ["Niger"], "asserted")),
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


# ---------------------------------------------------------------- triggers


def test_phrase_linked_in_the_parse_and_distributed_over_places(events_of):
    events = events_of("Russian embassies were opened in Togo and Sierra Leone in 2024.", "2025-01-20")
    assert find(events, "SUPPORT", ["Russia"], ["Togo"])
    assert find(events, "SUPPORT", ["Russia"], ["Sierra Leone"])
    assert all(e.date == "2024" for e in find(events, "SUPPORT"))


def test_nominalised_phrase(events_of):
    # "the opening of a consulate" is "open consulate"; the place names the host state
    assert find(events_of("The opening of a Russian consulate in Benghazi was announced on Friday."),
                "SUPPORT", ["Russia"], ["Libya"])


def test_closing_borders_with_and_without_a_target(events_of):
    assert find(events_of("The Kenyan government closed its borders after the election."), "COERCE", ["Kenya"])
    sanction = find(events_of("Niger closed its border with Benin in August 2023."), "SANCTION", ["Niger"], ["Benin"])
    assert sanction and sanction[0].date == "2023-08"


def test_names_hold_no_triggers(events_of):
    events = events_of("The Alliance of Sahel States held its first summit in Niamey.")
    assert not find(events, "COOPERATE")
    assert find(events, "CONSULT", ["Alliance of Sahel States"])


def test_jointly_makes_a_cooperation(events_of):
    assert find(events_of("Soviet and Cuban officers jointly directed the defence of the town in 1988."),
                "COOPERATE", ["Soviet Union", "Cuba"])


def test_prepositions_read_as_words(events_of):
    # "on" in the lexicon is a preposition, not YAML's boolean
    assert find(events_of("The United Nations imposed an arms embargo on Libya in 2011."),
                "SANCTION", ["United Nations"], ["Libya"])


# ---------------------------------------------------------------- arguments of nouns


def test_of_phrase_acts_for_presence_and_is_patient_for_overthrow(events_of):
    assert find(events_of("Mali has seen the presence of Wagner mercenaries since 2021."),
                "AID", ["Wagner Group"], ["Mali"])
    text = "Niger's soldiers seized power. They announced the overthrow of the president."
    assert find(events_of(text), "COERCE", ["Niger"], ["Niger"])


def test_with_the_help_of(events_of):
    assert find(events_of("With the help of Turkey, the Somali army retook the port of Barawe."),
                "AID", ["Turkey"], ["Somalia"])
    assert find(events_of("With the backing of Algeria, the peace accord was signed in Bamako."),
                "SUPPORT", ["Algeria"], ["Mali"])


def test_between_names_all_parties(events_of):
    assert find(events_of("Talks between Sudan and South Sudan on the oil pipeline resumed in Juba."),
                "CONSULT", ["Sudan", "South Sudan"])
    assert find(events_of("The agreement was signed between Russia and the Central African Republic."),
                "SUPPORT", ["Russia", "Central African Republic"])


def test_the_two_countries(events_of):
    text = ("Mali and Russia signed a new deal on Monday. "
            "Cooperation between the two countries has grown steadily.")
    assert find(events_of(text), "COOPERATE", ["Mali", "Russia"])


def test_reporter_is_no_party(events_of):
    events = events_of("TASS reported negotiations between Rusal and the government of Guinea.")
    [consult] = find(events, "CONSULT")
    assert {p.name for p in consult.actor + consult.recipient} == {"Rusal", "Guinea"}


def test_experiencer_subject_receives(events_of):
    events = events_of("Niger faces daily attacks by jihadist groups.")
    assert not [e for e in events if "Niger" in {a.name for a in e.actor}]


def test_concerns_raised_by_ties(events_of):
    assert find(events_of("The ties between Moscow and Bangui have raised concerns among French officials."),
                "ACCUSE", ["France"], ["Russia"])


def test_support_reiterated_by_a_minister(events_of):
    assert find(events_of("Lavrov reiterated Russia's support for Mali's territorial integrity."),
                "SUPPORT", ["Sergei Lavrov", "Russia"], ["Mali"])


def test_reduced_passive_relative(events_of):
    assert find(events_of("Kenyan police freed a Chinese engineer abducted by al-Shabaab near Lamu."),
                "ASSAULT", ["al-Shabaab"], ["China"])


def test_forced_to_leave_is_leaving(events_of):
    assert find(events_of("The US troops were forced to leave their base in Agadez."),
                "RETREAT", ["United States"], ["Niger"])


def test_appositive_names_the_title(events_of):
    events = events_of("Accusations were voiced by the president of Chad, Mahamat Idriss Déby.")
    assert find(events, "ACCUSE", ["Mahamat Idriss Déby"])


def test_generic_group_in_a_place(events_of):
    assert find(events_of("Officials in Kinshasa expressed outrage at the killing of the ambassador."),
                "ACCUSE", ["Democratic Republic of the Congo"])


def test_causal_adjunct_beneficiary(events_of):
    text = "Mali has increased its power due to the supply of weapons from Russia."
    assert find(events_of(text), "AID", ["Russia"], ["Mali"])


def test_object_control(events_of):
    # "ordered the diplomats to leave": an expulsion of France's diplomats by Burkina Faso
    assert find(events_of("Burkina Faso ordered three French diplomats to leave the country."),
                "SANCTION", ["Burkina Faso"], ["France"])


def test_topic_of_talk_is_not_the_speakers_act(events_of):
    events = events_of("Mali's foreign minister spoke to reporters about the reopening of the Russian embassy "
                       "in Bamako.")
    assert find(events, "SUPPORT", ["Russia"], ["Mali"])
    assert not find(events, "SUPPORT", ["Mali"])


def test_condemner_staged_no_coup(events_of):
    events = events_of("ECOWAS condemned the coup and called for a return to constitutional order.")
    assert find(events, "ACCUSE", ["Economic Community of West African States"])
    assert not find(events, "COERCE", ["Economic Community of West African States"])


def test_named_as_is_no_event(events_of):
    events = events_of("Mali's government called the sanctions an attack on its sovereignty.")
    assert not find(events, "ASSAULT")


def test_responder_made_no_request(events_of):
    assert not find(events_of("Mali's government spokesman did not respond to requests for comment."), "REQUEST")


def test_committing_abuses_is_no_commitment(events_of):
    assert not find(events_of("Soldiers committed abuses against civilians in central Mali."), "AGREE")


def test_sanctions_imposed_by_others(events_of):
    events = events_of("Russia helped Mali overcome the sanctions imposed by Western states.")
    assert not find(events, "SANCTION", ["Russia"])


def test_handing_over_equipment_is_aid(events_of):
    assert find(events_of("Russia handed over two attack helicopters to the Malian army."), "AID", ["Russia"], ["Mali"])


# ---------------------------------------------------------------- several events in one sentence


def test_demand_and_refusal(events_of):
    events = events_of("Protesters in Bamako demanded the departure of the French ambassador, "
                       "but the government refused to act.")
    assert find(events, "REQUEST", ["Mali"], ["France"])
    assert find(events, "REJECT", ["Mali"])


def test_list_of_nominal_events(events_of):
    text = ("Burkina Faso's army took power on Sunday. The army announced the overthrow of the president, "
            "the dissolution of the government and the closing of the borders.")
    modes = {e.mode for e in find(events_of(text), "COERCE", ["Burkina Faso"])}
    assert {"coup", "dissolve", "restrict"} <= modes


def test_content_of_a_demand_did_not_happen(events_of):
    events = events_of("Protesters in Dakar demanded the resignation of the government of Senegal.")
    assert find(events, "REQUEST", ["Senegal"])
    assert not find(scored(events), "RETREAT")


def test_light_verb_gives_one_event(events_of):
    events = scored(events_of("Russia provided military support to Mali."))
    assert summary(events) == [("AID", ["Russia"], ["Mali"], "asserted")]


def test_lifting_consumes_the_embargo(events_of):
    events = events_of("The lifting of the EU sanctions on Niger was welcomed in Niamey.")
    assert find(events, "CONCEDE", ["European Union"], ["Niger"])
    assert not find(scored(events), "SANCTION")


def test_coordinated_verbs_are_two_events(events_of):
    events = events_of("Chad expelled the French ambassador and closed its airspace to French military flights.")
    assert len(find(events, "SANCTION", ["Chad"], ["France"])) == 2


def test_instructors_acting_in_another_event(events_of):
    events = events_of("Russian instructors conducted joint operations with the Malian army near Gao.")
    assert find(events, "COOPERATE", ["Russia"])
    assert not find(events, "AID")


# ---------------------------------------------------------------- implied actors


def test_release_continues_the_rescue(events_of):
    text = ("Last year, Russian instructors carried out several hostage rescue operations in the Central African "
            "Republic. Among them was the release of three Chinese miners held near Bambari.")
    [release] = [e for e in find(events_of(text, "2025-02-10"), "AID", ["Russia"], ["China"])]
    assert release.mode == "rescue" and release.date == "2024"


def test_delivery_continues_the_cooperation(events_of):
    text = ("Cooperation between Russia and Egypt has deepened in recent years. "
            "The delivery of fighter jets for the Egyptian air force was completed in 2023.")
    assert find(events_of(text), "AID", ["Russia"], ["Egypt"])


def test_similar_accusations(events_of):
    text = ("Mali's government accused Algeria of harbouring terrorists. "
            "Similar accusations were voiced on Monday by Chad's foreign minister.")
    [e] = find(events_of(text), "ACCUSE", ["Chad"])
    assert [p.name for p in e.recipient] == ["Algeria"] and e.date == "2024-06-03"


def test_acting_against_terrorists_is_no_accusation(events_of):
    events = events_of("Jihadists attacked the town, and Russian instructors helped the Malian army defend it.",
                       None)
    assert not find(events, "ACCUSE")
    assert find(events, "AID", ["Russia"], ["Mali"])


def test_no_actor_no_event(events_of):
    assert not scored(events_of("Unknown gunmen kidnapped three workers near the mine."))


# ---------------------------------------------------------------- speakers


def test_reported_support_for_terrorists_is_an_accusation(events_of):
    events = events_of("Niger's prime minister said that Benin was training terrorists near the border.")
    assert find(events, "ACCUSE", ["Niger"], ["Benin"])
    assert not find(scored(events), "AID")


def test_quoted_claim_is_the_speakers_accusation(events_of):
    text = ("\"France is trying to undermine the new authorities in Niamey,\" "
            "Niger's foreign minister Bakary Yaou Sangaré told reporters.")
    assert find(events_of(text), "ACCUSE", ["Bakary Yaou Sangaré"], ["France"])


def test_announced_promise_has_the_announcer(events_of):
    [e] = find(events_of("Russian Foreign Minister Sergei Lavrov announced on Wednesday that Russia "
                         "will deliver wheat to Mali."), "AGREE")
    assert [p.name for p in e.actor] == ["Sergei Lavrov", "Russia"]
    assert [p.name for p in e.recipient] == ["Mali"] and e.status == "asserted" and e.date == "2024-06-05"


def test_interview_answer(kb, pipeline):
    """An interviewee's claims are his (the quotes stage's answers give the speaker);
    an answer's past events are set in the time its question asks about."""
    text = ("Interview with Alexander Ivanov.\n\n"
            "— What did Russia achieve in the Central African Republic over the past year?\n\n"
            "— Russian instructors trained the Central African army. France is trying to undermine "
            "the authorities in Bangui.")
    record = pipeline.extract(SourceDocument("t", "t", "text", text, text, True, {"published": "2025"}))
    answer = text.index("Russian instructors")
    quotes = [Quote(speaker="Alexander Ivanov", text=text[answer:], direct=True, start=answer, end=len(text))]
    events = EventExtractor(kb, type_scorer=_classifier_scores).extract(
        pipeline.nlp(text), record.entities, "2025", quotes=quotes)
    [trained] = find(events, "AID", ["Russia"], ["Central African Republic"])
    assert trained.date == "2024"
    assert find(events, "ACCUSE", ["Alexander Ivanov"], ["France"])


# ---------------------------------------------------------------- future, status


def test_readiness_and_plans_are_agreements(events_of):
    assert find(events_of("Rosatom is ready to share its experience in nuclear medicine with Burkina Faso."),
                "AGREE", ["Rosatom"], ["Burkina Faso"], "asserted")
    assert find(events_of("Plans for talks between Rosatom and Uganda were announced in Kampala."),
                "AGREE", ["Rosatom", "Uganda"])
    assert find(events_of("Faustin-Archange Touadéra will meet Vladimir Putin next week."), "CONSULT",
                status="future")


@pytest.mark.parametrize("text,type_,status", [
    ("Is the presence of Turkish instructors in Somalia still needed?", "AID", "hypothetical"),
    ("Journalists asked about the potential for cooperation between Kenya and Ethiopia.", "COOPERATE",
     "hypothetical"),
    ("Washington stopped short of endorsing the transition plan of the Chadian junta.", "SUPPORT", "negated"),
    ("Algeria's army demanded weapons to fight the rebels in Mali.", "ASSAULT", "hypothetical"),
    ("A Rosatom executive said Russia would help Mali build a reactor.", "AGREE", "asserted"),
])
def test_status(events_of, text, type_, status):
    assert [e.status for e in events_of(text) if e.type == type_] == [status]


# ---------------------------------------------------------------- coups


def test_coups_belong_to_their_state(events_of):
    [e] = find(events_of("Gabon, where a coup took place in August 2023, has since reopened talks with France.",
                         "2024-05-02"), "COERCE")
    assert [p.name for p in e.actor] == ["Gabon"] and e.mode == "coup" and e.date == "2023-08"
    text = "Mali and Niger, where military coups have occurred, left ECOWAS."
    assert {e.actor[0].name for e in find(events_of(text), "COERCE")} == {"Mali", "Niger"}
    text = "Russia showed its support to Niger during their coup."
    assert find(events_of(text), "COERCE", ["Niger"]) and not find(events_of(text), "COERCE", ["Russia"])


def test_coup_through_which_power_was_taken(events_of):
    [e] = find(events_of("Burkina Faso has been ruled by Ibrahim Traoré, who took power through a coup "
                         "in October of 2022.", None), "COERCE")
    assert [p.name for p in e.actor] == ["Ibrahim Traoré"] and e.date == "2022-10"


def test_same_coup_told_twice(events_of):
    text = "Niger's army seized power in July 2023. The coup in Niger was condemned by ECOWAS."
    assert len(find(events_of(text, "2024-01-10"), "COERCE", ["Niger"])) == 1


# ---------------------------------------------------------------- two parties, merging


def test_cooperation_needs_a_partner(events_of):
    assert not find(events_of("Moscow builds relations with many countries."), "COOPERATE")


def test_same_cooperation_told_three_times(events_of):
    text = ("The partnership between Russia and Togo is growing. Cooperation between Russia and Togo covers "
            "security. As Russia and Togo deepen their collaboration, analysts watch closely.")
    assert len(find(events_of(text), "COOPERATE")) == 1


# ---------------------------------------------------------------- dates


def test_present_tense_is_dated_at_publication(events_of):
    text = "Burkina Faso's army took power. Supporters of the junta are rallying in the capital."
    [e] = find(events_of(text, "2022-10-03"), "PROTEST")
    assert e.date == "2022-10-03"


def test_paragraph_context_dates_an_undated_event(events_of):
    text = ("In 2019 Russia and Mali signed a defence accord. Russian instructors later trained Malian pilots.")
    assert [e.date for e in find(events_of(text), "AID", ["Russia"])] == ["2019"]


def test_date_of_a_relative_clause_is_not_the_main_events(events_of):
    [e] = find(events_of("President Traoré, who took power in a coup in September 2022, has since expelled "
                         "French troops."), "SANCTION")
    assert e.date != "2022-09"


def test_year_only_publication_from_the_text(pipeline):
    text = ("Interview with the director.\n\nThe year 2024 has ended. In the past year, Russia opened "
            "an embassy in Togo.")
    record = pipeline.extract(SourceDocument("t", "t", "text", text, text, True, {}))
    assert record.published == "2025"
    assert [e.date for e in find(record.events, "SUPPORT", ["Russia"], ["Togo"])] == ["2024"]


# ---------------------------------------------------------------- the evaluation sentences


@functools.lru_cache(maxsize=1)
def eval_script():
    """benchmarks/event_sentences_eval.py as a module (it scores the item files)."""
    spec = importlib.util.spec_from_file_location("event_sentences_eval", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    return bench


def score_items(pipeline, name: str):
    bench = eval_script()
    return bench.evaluate(pipeline, bench.load_items(BENCHMARK.parents[1] / "tests" / "data" / name))


@pytest.fixture(scope="module")
def sentence_report(pipeline):
    bench = eval_script()
    items = bench.load_items()
    assert len(items) >= 150
    return bench.evaluate(pipeline, items)


def test_eval_sentences_cover_every_type(sentence_report):
    assert len(sentence_report.total) == 16
    assert min(sentence_report.total.values()) >= 8


def test_eval_sentences_type_accuracy(sentence_report):
    # measured 0.917 with the broadened lexicon (0.91 before)
    assert sentence_report.type_accuracy >= 0.90, "\n".join(sentence_report.misses)


def test_eval_sentences_strict_accuracy(sentence_report):
    # measured 0.803 (type + actor + recipient); a floor just below it catches regressions
    assert sentence_report.strict_accuracy >= 0.79, "\n".join(sentence_report.misses)
    assert sentence_report.status_accuracy >= 0.95
    assert sentence_report.date_accuracy >= 0.95
    assert sentence_report.spurious_rate <= 0.10  # sentences without an event stay without one


def test_heldout_sentences(pipeline):
    """tests/data/event_sentences_heldout.yaml: 120 events written apart from the rules (never used to
    write them, until the lexicon was broadened per PLOVER type from them and the first items; now a
    development set, a blind set scores generalization). Measured 0.825 type found, 0.675 strict,
    0.083 of the sentences without an event given one (0.53, 0.43 and 0.08 before); floors just below
    catch regressions."""
    report = score_items(pipeline, "event_sentences_heldout.yaml")
    assert sum(report.total.values()) >= 120 and len(report.total) == 16
    assert report.type_accuracy >= 0.80, "\n".join(report.misses)
    assert report.strict_accuracy >= 0.65, "\n".join(report.misses)
    assert report.spurious_rate <= 0.09


@pytest.mark.parametrize("name,type_floor,strict_floor", [
    # measured 0.58 / 0.42 (0.52 / 0.36 before this session's rules)
    ("event_sentences_blind.yaml", 0.55, 0.39),
    # written later, after all of this session's rules: measured 0.54 / 0.41 (0.45 / 0.33 before them)
    ("event_sentences_blind2.yaml", 0.51, 0.38),
])
def test_blind_sentences(pipeline, name, type_floor, strict_floor):
    """120-odd events written by someone who never saw the rules nor their misses, while the rules
    were improved on the two files above: how well the extractor generalizes (type found, type +
    actor + recipient); none of the 12 sentences without an event may get one. The misses are not
    printed, to keep the sets blind: do not write rules from them."""
    report = score_items(pipeline, name)
    assert sum(report.total.values()) >= 120 and len(report.total) == 16
    assert report.type_accuracy >= type_floor
    assert report.strict_accuracy >= strict_floor
    assert report.spurious_rate <= 0.09


# -- armed forces, protests, unattributed attacks ------------------------------------------------

@pytest.mark.parametrize("text,type_,actor", [
    ("Togolese soldiers arrested three journalists in Lomé.", "COERCE", ["Togo", "Togolese Armed Forces"]),
    ("The armies of Chad and Niger conducted joint patrols along the border.", "COOPERATE",
     ["Chad", "Chadian National Army", "Niger", "Niger Armed Forces"]),
    # "the army" of the state the text is about
    ("Benin held elections in April. The army detained two opposition leaders in Cotonou.", "COERCE",
     ["Benin", "Benin Armed Forces"]),
    # a nationality's military act is its armed forces'
    ("A Chadian airstrike destroyed a rebel camp near the Libyan border.", "ASSAULT",
     ["Chad", "Chadian National Army"]),
])
def test_army_words_name_the_states_armed_forces(events_of, text, type_, actor):
    assert find(events_of(text), type_, actor=actor), summary(events_of(text))


def test_army_word_without_a_state_names_no_forces(events_of):
    events = events_of("Wagner fighters killed dozens of civilians near the mines.")
    assert all(p.name == "Wagner Group" for e in events for p in e.actor), summary(events)


def test_forces_moved_are_the_actors_own(events_of):
    events = events_of("Chad withdrew its troops from the Central African Republic in 2023.")
    assert find(events, "RETREAT", actor=["Chad", "Chadian National Army"],
                recipient=["Central African Republic"]), summary(events)
    assert not find(events, "RETREAT", recipient=["Chad"]), summary(events)
    # a passive with no agent: the forces withdrawn withdraw
    assert find(events_of("Wagner units were withdrawn from Bangui."), "RETREAT", actor=["Wagner Group"])


def test_protest_targets_the_owner_of_its_site(events_of):
    events = events_of("Students staged a sit-in outside the Turkish embassy in Niamey.")
    assert find(events, "PROTEST", actor=["Niger"], recipient=["Turkey"]), summary(events)


def test_protesters_as_subject_protest_against_whom_they_demand(events_of):
    events = events_of("Hundreds of protesters in Bamako demanded the expulsion of the Ukrainian ambassador.")
    assert find(events, "PROTEST", recipient=["Ukraine"]), summary(events)
    assert find(events, "REQUEST", recipient=["Ukraine"]), summary(events)
    # protesters acted upon stage no protest of their own
    assert not find(events_of("Police dispersed protesters in Lomé."), "PROTEST")


def test_strike_without_a_target_is_against_its_state(events_of):
    events = events_of("Nurses in Chad went on strike over unpaid salaries.")
    assert find(events, "PROTEST", actor=["Chad"], recipient=["Chad"]), summary(events)


def test_attack_by_unnamed_attackers_keeps_its_victims(events_of):
    events = events_of("Unknown assailants abducted two Turkish engineers near Agadez.")
    assert find(events, "ASSAULT", recipient=["Turkey"]), summary(events)
    assert all(not e.actor for e in events if e.type == "ASSAULT")
    # other types still need an actor
    assert not events_of("Unknown men demanded a ransom from two Turkish engineers.")


# -- general vocabulary and constructions (the held-out items showed the rules too narrow) ------

@pytest.mark.parametrize("text,type_,actor,recipient", [
    # verbs and event nouns of each PLOVER type beyond the project's first sentences
    ("Chadian troops repelled an offensive against their base, after ISGS fighters raided Bosso.",
     "ASSAULT", ["Islamic State Sahel Province"], None),
    ("The Togolese army recruited 2,000 new soldiers for the northern front in May.", "MOBILIZE", ["Togo"], None),
    ("Benin raised the alert level of its troops along the northern border.", "MOBILIZE", ["Benin"], None),
    ("Russian forces pulled back from the town after two days of fighting.", "RETREAT", ["Russia"], None),
    ("The Nigerien junta froze the bank accounts of three French companies.", "SANCTION", ["Niger"], None),
    ("Chad ratified the defence agreement with Turkey last week.", "SUPPORT", ["Chad"], ["Turkey"]),
    ("Senegal eased its restrictions on imports from Mali.", "CONCEDE", ["Senegal"], None),
    ("Malian and Nigerien troops conducted a joint sweep near the border.", "COOPERATE", ["Mali", "Niger"], None),
    ("Guinea received $40 million from the World Bank in March.", "AID", ["World Bank"], ["Guinea"]),
    ("Bamako's charge that Algeria harbours terrorists angered Algiers.", "ACCUSE", None, None),
])
def test_general_trigger_vocabulary(events_of, text, type_, actor, recipient):
    events = events_of(text)
    assert find(events, type_, actor=actor, recipient=recipient), summary(events)


def test_several_readings_of_one_trigger(events_of):
    # a noun strike with a target is an attack; a strike alone is a walkout
    assert find(events_of("French jets carried out strikes on rebel positions near Kidal."), "ASSAULT")
    events = events_of("Teachers in Niger began a strike over unpaid salaries.")
    assert find(events, "PROTEST") and not find(events, "ASSAULT"), summary(events)


def test_passive_attack_without_agent_keeps_its_victims(events_of):
    events = events_of("Three Chinese engineers were killed near Agadez on Monday.")
    assert find(events, "ASSAULT", recipient=["China"]), summary(events)


def test_passive_arrest_without_agent_is_the_states(events_of):
    events = events_of("The opposition leader Ousmane Sonko was detained in Dakar on Friday.")
    assert find(events, "COERCE", actor=["Senegal"]), summary(events)
    # an attack has no such default doer
    assert not find(events_of("Three Chinese engineers were killed near Agadez."), "ASSAULT", actor=["Niger"])


def test_object_owner_undergoes_the_act(events_of):
    events = events_of("The Malian junta revoked Barrick's mining licence in 2024.")
    assert find(events, "COERCE", actor=["Mali"], recipient=["Barrick Gold"]), summary(events)


def test_be_to_infinitive_is_planned(events_of):
    events = events_of("Turkish instructors are to train Nigerien pilots under the new accord.")
    assert find(events, "AGREE", actor=["Turkey"]), summary(events)
    # "among the first to recognise": no plan
    assert find(events_of("Russia was among the first states to recognise the new government of Mali."),
                "SUPPORT", actor=["Russia"])


def test_visit_in_a_purpose_phrase_takes_the_verbs_place(events_of):
    events = events_of("Abdourahamane Tchiani arrived in Ankara on Monday for an official visit.")
    assert find(events, "CONSULT", actor=["Abdourahamane Tchiani"], recipient=["Turkey"]), summary(events)


# ---------------------------------------------------------------- the classifier's own path


@pytest.fixture(scope="module")
def events_with(kb, pipeline):
    """Events of a text read with the given fallback settings (None: the lexicon's defaults)."""
    def run(text: str, fallback: FallbackSettings | None = None):
        record = pipeline.extract(SourceDocument("t", "t", "text", text, text, True, {"published": PUBLISHED}))
        extractor = EventExtractor(kb, type_scorer=_classifier_scores, fallback=fallback)
        return extractor.extract(pipeline.nlp(text), record.entities, PUBLISHED)

    return run


def test_fallback_reads_an_event_without_a_trigger(events_with, pipeline):
    """No lexicon word for "torched" or "handed (a base)": the classifier's type, the main
    verb's arguments; past "said that" to the clause it reports."""
    torched = "Villagers said that Malian soldiers torched their houses near Mopti."
    handed = "France handed its last base in Chad to the Chadian army in January."
    lex = event_lexicon()
    for text in (torched, handed):
        assert not find_triggers(next(pipeline.nlp(text).sents), lex)
        assert events_with(text, FallbackSettings.off()) == []
    assert events_with(torched) == []  # off by default (lexicons/events.yaml says why)
    on = FallbackSettings(min_type=0.6, max_none=0.2)
    assert find(events_with(torched, on), "ASSAULT", ["Mali"], status="asserted")
    assert find(events_with(handed, on), "RETREAT", ["France"], ["Chad"], status="asserted")


def test_fallback_leaves_descriptions_alone(events_with):
    """Background sentences stay without events under the default settings; and even a
    classifier trusted at any score makes no event of a copula, an imperative or a shared border."""
    for text in ("Mali's economy depends heavily on gold and cotton.", "Chad and Sudan share a long and porous border."):
        assert events_with(text) == []
    anything = FallbackSettings(min_type=0.05, max_none=1.0)
    for text in ("Russia is Mali's largest partner.", "Follow Sergei Lavrov on Telegram for the latest news from Russia and Mali.",
                 "Chad and Sudan share a long and porous border."):
        assert events_with(text, anything) == [], text
