"""The quotes stage on texts written for these tests (not the dev or eval sets)."""
from __future__ import annotations

import re
import time

import pytest

from newsgraph.ingest.base import SourceDocument


@pytest.fixture(scope="module")
def quote_extractor(kb, extractor):
    import newsgraph.nlp.quotes  # noqa: F401  (registers the stage)
    from newsgraph.pipeline import DEFAULT_STAGES, Extractor

    stages = list(DEFAULT_STAGES) + (["quotes"] if "quotes" not in DEFAULT_STAGES else [])
    return Extractor(kb, stages=stages, nlp=extractor.nlp)


@pytest.fixture
def extract_text(quote_extractor):
    def run(text: str, doc_id: str = "t", **hints):
        return quote_extractor.extract(SourceDocument(doc_id, doc_id, "text", text, text, True, hints))

    return run


def words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"\w+", text)]


def share(expected: str, got: str) -> float:
    """Share of the expected words found in the extracted text (how the scorer matches)."""
    exp, have = words(expected), set(words(got))
    return sum(w in have for w in exp) / len(exp)


def name_of(record, alias: str) -> str:
    """Canonical name of the entity that has ``alias`` among its surface forms."""
    for e in record.entities:
        if alias in e.aliases or alias == e.name:
            return e.name
    raise AssertionError(f"no entity {alias!r} in {[e.name for e in record.entities]}")


def find(record, expected: str, minimum: float = 0.8):
    hits = [q for q in record.quotes if share(expected, q.text) >= minimum]
    assert hits, f"no quote like {expected!r} in {[(q.speaker, q.text) for q in record.quotes]}"
    return hits[0]


def check_offsets(record):
    for q in record.quotes:
        assert q.start is not None and q.end is not None and 0 <= q.start < q.end <= len(record.text)
        if "\n\n" not in q.text and record.text[q.start:q.end] != q.text:
            # only split quotes (two parts joined) may differ from the span they cover
            parts = q.text.split(" ")
            assert record.text[q.start:q.end].startswith(parts[0]) and q.text.split()[-1] in record.text[q.start:q.end]


# -- direct quotes -----------------------------------------------------------
def test_straight_quotes_with_attribution_after(extract_text):
    r = extract_text('Sergei Lavrov arrived in Bamako on Tuesday. "Russia will stand by its partners in the Sahel, '
                     'whatever the pressure from the West," Lavrov told reporters at the airport.')
    q = find(r, "Russia will stand by its partners in the Sahel, whatever the pressure from the West")
    assert q.speaker == name_of(r, "Sergei Lavrov") and q.direct
    assert r.text[q.start:q.end] == q.text
    assert not q.text.startswith('"') and not q.text.endswith('"')


def test_curly_quotes_with_colon_attribution_before(extract_text):
    r = extract_text("Ibrahim Traoré addressed the crowd in Ouagadougou. Ibrahim Traoré said: “Our soldiers will "
                     "defend every village of Burkina Faso until the last terrorist has left.”")
    q = find(r, "Our soldiers will defend every village of Burkina Faso until the last terrorist has left.")
    assert q.speaker == name_of(r, "Ibrahim Traoré") and q.direct
    assert r.text[q.start:q.end] == q.text


def test_inverted_attribution_said_name(extract_text):
    r = extract_text("“The convoy reached Gao without losses and the road is open again,” said Assimi Goïta "
                     "on state television.")
    q = find(r, "The convoy reached Gao without losses and the road is open again")
    assert q.speaker == name_of(r, "Assimi Goïta") and q.direct
    assert r.text[q.start:q.end] == q.text


def test_split_quote_is_one_quote(extract_text):
    r = extract_text("Sergei Lavrov met journalists after the talks in Ouagadougou. “We are ready,” he said, "
                     "“to send more instructors to Burkina Faso as soon as we receive a request.”")
    assert len(r.quotes) == 1
    q = r.quotes[0]
    assert q.speaker == name_of(r, "Sergei Lavrov") and q.direct
    assert share("We are ready to send more instructors to Burkina Faso as soon as we receive a request", q.text) == 1
    assert "he said" not in q.text
    covered = r.text[q.start:q.end]
    assert covered.startswith("We are ready") and covered.endswith("receive a request.")


def test_split_straight_quote_with_name(extract_text):
    r = extract_text('"The instructors will stay," Alexander Ivanov told TASS, "as long as the government of the '
                     'Central African Republic wants them."')
    assert len(r.quotes) == 1
    q = r.quotes[0]
    assert q.speaker == name_of(r, "Alexander Ivanov")
    assert share("The instructors will stay as long as the government of the Central African Republic wants them",
                 q.text) == 1


def test_quote_spanning_sentences(extract_text):
    r = extract_text("Abdoulaye Diop spoke at the United Nations. “Mali has made its choice. We will not go back. "
                     "Our partners are those who help us fight terrorism,” Diop said.")
    q = find(r, "Mali has made its choice. We will not go back. Our partners are those who help us fight terrorism")
    assert q.speaker == name_of(r, "Abdoulaye Diop")
    assert r.text[q.start:q.end] == q.text


def test_quote_continued_in_next_paragraph(extract_text):
    r = extract_text("Sergei Lavrov spoke at length about the Sahel. He said: “The countries of the region have "
                     "chosen their own path and nobody can dictate to them.\n\n“Russia will help them build armies "
                     "that can defend their people.”\n\nThe talks ended on Wednesday.")
    lav = name_of(r, "Sergei Lavrov")
    q = find(r, "The countries of the region have chosen their own path and nobody can dictate to them. "
                "Russia will help them build armies that can defend their people.", minimum=1.0)
    assert q.speaker == lav and q.direct
    assert r.text[q.start:q.end].startswith("The countries") and r.text[q.start:q.end].endswith("their people.")
    assert "The talks ended" not in q.text


def test_standalone_quote_paragraph_continues_speaker(extract_text):
    r = extract_text("“We have trained six battalions this year,” Alexander Ivanov said in Bangui.\n\n"
                     "“Next year we will train the gendarmerie and the police as well.”")
    ivanov = name_of(r, "Alexander Ivanov")
    q = find(r, "Next year we will train the gendarmerie and the police as well.")
    assert q.speaker == ivanov and q.direct


def test_guillemets(extract_text):
    r = extract_text("Abdourahamane Tiani told the crowd in Niamey: « Niger will never again accept foreign "
                     "troops that do not respect its sovereignty ».")
    q = find(r, "Niger will never again accept foreign troops that do not respect its sovereignty")
    assert q.speaker == name_of(r, "Abdourahamane Tiani")
    assert r.text[q.start:q.end] == q.text


def test_british_single_quotes_and_apostrophes(extract_text):
    r = extract_text("Vladimir Putin received Burkina Faso’s leader in the Kremlin. Putin called Ibrahim Traoré "
                     "‘a close friend and ally of the Russian people’, and the soldiers’ families watched on "
                     "television.")
    q = find(r, "a close friend and ally of the Russian people")
    assert q.speaker == name_of(r, "Vladimir Putin") and q.direct
    assert r.text[q.start:q.end] == q.text
    assert not any("s leader" in x.text or "families" in x.text for x in r.quotes if x.direct)


def test_apostrophes_alone_make_no_quotes(extract_text):
    r = extract_text("Burkina Faso’s army and Mali’s soldiers met at the border. The soldiers’ families waited "
                     "in Dori while the convoy's trucks crossed the river.")
    assert [q for q in r.quotes if q.direct] == []


def test_nested_single_quotes_stay_inside(extract_text):
    r = extract_text("“They call it ‘partnership’, but for sixty years it was control,” Assimi Goïta said in "
                     "Bamako.")
    assert len(r.quotes) == 1
    q = r.quotes[0]
    assert q.text == "They call it ‘partnership’, but for sixty years it was control"
    assert q.speaker == name_of(r, "Assimi Goïta")


def test_scare_quotes_are_not_quotes(extract_text):
    r = extract_text("Supporters hail Ibrahim Traoré as the “African Che Guevara”, and Russian diplomats in "
                     "Ouagadougou speak of a “multipolar world” in which “neo-colonialism” has no place.")
    assert [q for q in r.quotes if q.direct] == []


def test_short_quote_attributed_by_described_as(extract_text):
    r = extract_text("Sergei Shoigu met Assimi Goïta in Moscow. Shoigu described the talks as “frank and useful”.")
    q = [q for q in r.quotes if q.direct]
    assert len(q) == 1 and q[0].text == "frank and useful"
    assert q[0].speaker == name_of(r, "Sergei Shoigu")


def test_phrase_quote_described_as_wins_over_reported_duplicate(extract_text):
    r = extract_text("Sergei Shoigu described the talks as “another step in our relations with Mali”.")
    assert len(r.quotes) == 1
    assert r.quotes[0].direct and r.quotes[0].text == "another step in our relations with Mali"


def test_short_quote_right_after_speech_verb(extract_text):
    r = extract_text("Asked whether Wagner fighters were in Burkina Faso, Ibrahim Traoré said: “Absolutely not.”")
    q = find(r, "Absolutely not.")
    assert q.speaker == name_of(r, "Ibrahim Traoré") and q.direct


def test_unattributed_quote_is_dropped(extract_text):
    r = extract_text("A banner in Bamako read “Russia is our friend, France must go home now”. Crowds gathered "
                     "near the French embassy.")
    assert r.quotes == []


def test_anonymous_speaker_is_dropped(extract_text):
    r = extract_text("Sergei Lavrov visited Niamey. “We are tired of waiting for help that never comes,” a trader "
                     "told reporters. A Russian official said that more instructors would arrive next month.")
    assert r.quotes == []


# -- reported speech ---------------------------------------------------------
def test_reported_said_that(extract_text):
    r = extract_text("Russian Defence Minister Sergei Shoigu said on Monday that Moscow would deliver two "
                     "transport helicopters to Mali before the end of the year.")
    q = find(r, "Moscow would deliver two transport helicopters to Mali before the end of the year")
    assert q.speaker == name_of(r, "Sergei Shoigu") and not q.direct
    assert r.text[q.start:q.end] == q.text and not q.text.startswith("that ")


def test_reported_told_reporters(extract_text):
    r = extract_text("Abdoulaye Diop told reporters in Bamako that the Russian instructors were in the country "
                     "at the invitation of the transitional government.")
    q = find(r, "the Russian instructors were in the country at the invitation of the transitional government")
    assert q.speaker == name_of(r, "Abdoulaye Diop") and not q.direct


def test_reported_inverted_said(extract_text):
    r = extract_text("Russia will open a military academy in Ouagadougou next year, Sergei Lavrov said after "
                     "meeting Ibrahim Traoré.")
    q = find(r, "Russia will open a military academy in Ouagadougou next year")
    assert q.speaker == name_of(r, "Sergei Lavrov") and not q.direct


def test_reported_stressed_and_warned(extract_text):
    r = extract_text("Vladimir Putin stressed that Russia would never abandon its African friends. Emmanuel "
                     "Macron warned that the Sahel risked becoming a base for terrorist groups.")
    a = find(r, "Russia would never abandon its African friends")
    b = find(r, "the Sahel risked becoming a base for terrorist groups")
    assert a.speaker == name_of(r, "Vladimir Putin") and b.speaker == name_of(r, "Emmanuel Macron")


def test_according_to(extract_text):
    r = extract_text("According to Alexander Ivanov, Russian instructors have trained more than 2,000 soldiers "
                     "in the Central African Republic since 2018.")
    q = find(r, "Russian instructors have trained more than 2,000 soldiers in the Central African Republic since 2018")
    assert q.speaker == name_of(r, "Alexander Ivanov") and not q.direct
    assert "According" not in q.text


def test_accused_of(extract_text):
    r = extract_text("Ibrahim Traoré accused France of arming the jihadist groups that attack villages in the north.")
    q = find(r, "France of arming the jihadist groups that attack villages in the north")
    assert q.speaker == name_of(r, "Ibrahim Traoré") and not q.direct


def test_described_as_without_quotes(extract_text):
    r = extract_text("Assimi Goïta described the Russian instructors as the only partners who had kept their word.")
    q = find(r, "the Russian instructors as the only partners who had kept their word")
    assert q.speaker == name_of(r, "Assimi Goïta") and not q.direct


def test_pronoun_speaker(extract_text):
    r = extract_text("Sergei Lavrov arrived in Ouagadougou on Tuesday for his first visit. He said that Russia "
                     "would reopen its embassy and send wheat to the country.")
    q = find(r, "Russia would reopen its embassy and send wheat to the country")
    assert q.speaker == name_of(r, "Sergei Lavrov")


def test_the_minister_prefers_the_titled_person(extract_text):
    r = extract_text("Russian Foreign Minister Sergei Lavrov met President Ibrahim Traoré in Ouagadougou. "
                     "The minister said that Moscow would send fuel and wheat to Burkina Faso. "
                     "The president said that his country had chosen its partners freely.")
    a = find(r, "Moscow would send fuel and wheat to Burkina Faso")
    b = find(r, "his country had chosen its partners freely")
    assert a.speaker == name_of(r, "Sergei Lavrov")
    assert b.speaker == name_of(r, "Ibrahim Traoré")


def test_organization_speaker_from_description(extract_text):
    r = extract_text("The Ministry of Foreign Affairs of Mali issued a statement on Sunday evening. The ministry "
                     "said that Bamako was cutting diplomatic ties with Kyiv with immediate effect.")
    q = find(r, "Bamako was cutting diplomatic ties with Kyiv with immediate effect")
    speaker = [e for e in r.entities if e.name == q.speaker][0]
    assert speaker.type == "ORG" and "Ministry" in speaker.name


def test_organization_named_as_subject(extract_text):
    r = extract_text("The Economic Community of West African States said on Friday that it would send a "
                     "mediation team to Niamey.")
    q = find(r, "it would send a mediation team to Niamey")
    assert q.speaker == name_of(r, "Economic Community of West African States")


def test_possessive_government_speaks_for_state(extract_text):
    r = extract_text("Niger's military government said on Tuesday that it was ending its military agreement "
                     "with the United States.")
    q = find(r, "it was ending its military agreement with the United States")
    assert q.speaker == name_of(r, "Niger")


def test_dedup_reported_and_direct_same_content(extract_text):
    r = extract_text("Sergei Lavrov said that “Russia will help Mali rebuild its army and its air force”.")
    assert len(r.quotes) == 1
    assert r.quotes[0].direct and r.quotes[0].speaker == name_of(r, "Sergei Lavrov")


# -- interviews ---------------------------------------------------------------
DASH_INTERVIEW = """Sahel Monitor

Colonel Moussa Diarra spoke to Sahel Monitor's Jean Kabore about the Russian instructors, the war in the north and relations with France.

— Colonel, how many Russian instructors are now in Mali?

— I will not give you figures, that is a military matter. What I can say is that they train our special forces and that the results are visible on the ground.

— Western governments say these are Wagner mercenaries.

— Western governments said many things about Mali for ten years. Our partners are chosen by the Malian state and by nobody else. The people see the difference.

— Will France come back?

— The door is not closed to anyone who respects us. But the era when Paris decided for Bamako is over.

— Thank you, Colonel.

— Thank you."""


def test_dash_interview_answers_are_quotes_by_interviewee(extract_text):
    r = extract_text(DASH_INTERVIEW)
    diarra = name_of(r, "Moussa Diarra")
    answers = [q for q in r.quotes if q.speaker == diarra]
    assert len(answers) == 3
    assert all(q.direct and r.text[q.start:q.end] == q.text for q in answers)
    assert answers[0].text.startswith("I will not give you figures")
    assert not any("?" in q.text for q in r.quotes)  # questions are not quotes
    assert not any(q.text.startswith("—") for q in r.quotes)
    assert not any("Jean Kabore" == q.speaker for q in r.quotes)


QA_INTERVIEW = """Gold, guns and instructors: a researcher on Russia in the Sahel

By Helen Marchetti

We asked Adama Konate, a researcher at the Sahel Conflict Observatory, what Russia has gained in Mali.

Q: What does Russia get from Mali?

A: Above all, access to gold. Russian firms are building a refinery near Bamako and are taking stakes in mines.

The second thing is influence: a government at the United Nations that votes with Moscow.

Q: Has security improved?

A: No. Attacks on civilians have increased since 2022, and the army controls fewer roads than before.

Q: What should we watch next year?

A: Whether the Africa Corps replaces Wagner completely, and whether the juntas can pay for it."""


def test_qa_interview_with_continuation_paragraph(extract_text):
    r = extract_text(QA_INTERVIEW)
    konate = name_of(r, "Adama Konate")
    assert all(q.speaker == konate for q in r.quotes)
    assert len(r.quotes) == 3
    first = r.quotes[0]
    assert first.text.startswith("Above all, access to gold.") and first.text.endswith("votes with Moscow.")
    assert r.text[first.start:first.end] == first.text
    assert not any(q.text.startswith(("Q:", "A:")) or "What does Russia" in q.text for q in r.quotes)


NAMED_INTERVIEW = """Sokolov: Captain, why did you turn to Russia?

Traore: Because Russia does not give us lessons. It gives us equipment and instructors.

Sokolov: And France?

Traore: France had nine years to defeat the terrorists and it failed. We turned the page.

Dmitry Sokolov interviewed Ibrahim Traore in Ouagadougou."""


def test_name_prefixed_interview(extract_text):
    r = extract_text(NAMED_INTERVIEW)
    traore = name_of(r, "Traore")
    answers = [q for q in r.quotes if q.direct]
    assert len(answers) == 2 and all(q.speaker == traore for q in answers)
    assert answers[1].text.startswith("France had nine years")


# -- signed statements ---------------------------------------------------------
STATEMENT = """Statement of the Sahel Solidarity Committee on the situation in Niger

I have followed with deep concern the events in Niamey over the past week. I want to say clearly that the people of Niger alone have the right to decide who governs them.

We reject any military intervention by ECOWAS. Such an intervention would set the whole region on fire, and we call on all parties to choose dialogue.

Our committee is ready to send humanitarian aid to the families affected by the sanctions. "We will not abandon Niger," I told journalists on Sunday, "whatever the pressure."

Glory to the peoples of the Sahel!

Mamadou Keita
Chairman of the Sahel Solidarity Committee

Bamako, 6 August 2023"""


def test_signed_statement_is_one_quote_by_signatory(extract_text):
    r = extract_text(STATEMENT)
    keita = name_of(r, "Mamadou Keita")
    assert len(r.quotes) == 1
    q = r.quotes[0]
    assert q.speaker == keita and q.direct
    assert q.text.startswith("I have followed with deep concern")
    assert q.text.endswith("Glory to the peoples of the Sahel!")
    assert r.text[q.start:q.end] == q.text
    assert "Statement of the Sahel" not in q.text and "Chairman of" not in q.text and "2023" not in q.text


def test_bylined_news_report_is_not_a_statement(extract_text):
    r = extract_text("Russia delivers helicopters to Mali\n\nBy Jane Doe\n\nTwo Mi-171 helicopters arrived at "
                     "Bamako airport on Thursday. The aircraft were handed over at a ceremony attended by "
                     "officers of both countries. The delivery follows an agreement signed last year.")
    assert r.quotes == []


# -- the stage ------------------------------------------------------------------
def test_stage_is_registered_and_output_validates(extract_text):
    from newsgraph.pipeline import STAGES
    from newsgraph.record import Record

    assert "quotes" in STAGES
    r = extract_text('"Mali will decide alone," Assimi Goïta said.')
    Record.model_validate(r.model_dump())
    check_offsets(r)


def test_text_without_quotes_or_speech_is_fast_and_empty(extract_text):
    body = " ".join(["Russian instructors trained soldiers in Mali and Burkina Faso."] * 100)
    t = time.perf_counter()
    r = extract_text(body)
    assert r.quotes == []
    assert time.perf_counter() - t < 5


def test_offsets_hold_for_every_quote(extract_text):
    for text in (DASH_INTERVIEW, QA_INTERVIEW, STATEMENT):
        check_offsets(extract_text(text))


# -- more attribution forms ------------------------------------------------------
def test_inverted_asked_name(extract_text):
    r = extract_text("“Why should Burkina Faso keep foreign bases on its soil?” asked Ibrahim Traoré at the summit.")
    q = find(r, "Why should Burkina Faso keep foreign bases on its soil?")
    assert q.speaker == name_of(r, "Ibrahim Traoré") and q.direct


def test_quote_ending_a_sentence_keeps_its_own_attribution(extract_text):
    r = extract_text("Sergei Lavrov said: “We will help Mali rebuild its army.” Assimi Goïta said the talks had "
                     "been very good for both countries.")
    a = find(r, "We will help Mali rebuild its army.")
    b = find(r, "the talks had been very good for both countries")
    assert a.speaker == name_of(r, "Sergei Lavrov") and b.speaker == name_of(r, "Assimi Goïta")


def test_subject_of_previous_sentence_speaks(extract_text):
    r = extract_text("Sergei Lavrov was blunt. “The West has lost Africa because it never listened to Africans.”")
    q = find(r, "The West has lost Africa because it never listened to Africans.")
    assert q.speaker == name_of(r, "Sergei Lavrov")


def test_colon_at_end_of_previous_paragraph(extract_text):
    r = extract_text("Ibrahim Traoré told the crowd:\n\n“We will never kneel before anyone. Burkina Faso is free "
                     "and it will remain free.”")
    q = find(r, "We will never kneel before anyone. Burkina Faso is free and it will remain free.")
    assert q.speaker == name_of(r, "Ibrahim Traoré")
    assert r.text[q.start:q.end] == q.text


def test_headline_quote_and_body_quote_once(extract_text):
    r = extract_text('Lavrov: "Russia will never abandon Africa"\n\nSergei Lavrov said on Monday in Addis Ababa: '
                     '"Russia will never abandon Africa."')
    assert len(r.quotes) == 1
    assert r.quotes[0].speaker == name_of(r, "Sergei Lavrov")


def test_quoted_as_saying(extract_text):
    r = extract_text("Sergei Shoigu was quoted by RIA Novosti as saying that Russia would train Malian pilots in "
                     "Krasnodar.")
    q = find(r, "Russia would train Malian pilots in Krasnodar")
    assert q.speaker == name_of(r, "Sergei Shoigu") and not q.direct


def test_relative_clause_speaker(extract_text):
    r = extract_text("Alexander Ivanov, who heads the Officers Union for International Security, said that 300 "
                     "more instructors would arrive in Bangui.")
    q = find(r, "300 more instructors would arrive in Bangui")
    assert q.speaker == name_of(r, "Alexander Ivanov")


def test_it_stands_for_the_organization(extract_text):
    r = extract_text("The Ministry of Foreign Affairs of Ukraine rejected the accusations. It called Mali's "
                     "decision “short-sighted and hasty”.")
    q = [q for q in r.quotes if q.direct]
    assert len(q) == 1 and q[0].text == "short-sighted and hasty"
    speaker = [e for e in r.entities if e.name == q[0].speaker][0]
    assert speaker.type == "ORG"


def test_qa_interview_with_dot_prefixes(extract_text):
    r = extract_text("Interview: the Russian envoy on Mali\n\nBy Jane Doe\n\nMikhail Bogdanov, the Russian deputy "
                     "foreign minister, answered our questions in Bamako.\n\nQ. How many instructors are in Mali?"
                     "\n\nA. I cannot give numbers, but there are enough to do the job well.\n\nQ. Are they Wagner?"
                     "\n\nA. No. They are Russian military specialists invited by the Malian government.")
    bogdanov = name_of(r, "Mikhail Bogdanov")
    assert len(r.quotes) == 2 and all(q.speaker == bogdanov and q.direct for q in r.quotes)
    assert r.quotes[1].text.startswith("No. They are Russian")


def test_interviewer_named_in_intro_is_not_the_interviewee(extract_text):
    r = extract_text("Our correspondent Dmitry Sokolov spoke with Abdoulaye Diop in Bamako.\n\n— Minister, why "
                     "Russia?\n\n— Because Russia respects our choices and does not lecture us.\n\n— And France?\n\n"
                     "— France had its chance for sixty years and wasted it completely.\n\n— What next?\n\n"
                     "— We will continue to diversify our partners.")
    diop = name_of(r, "Abdoulaye Diop")
    assert len(r.quotes) == 3 and all(q.speaker == diop for q in r.quotes)


def test_name_prefixed_interview_groups_full_and_short_names(extract_text):
    r = extract_text("RT: Mr. Lavrov, why is Russia returning to Africa?\n\nSergei Lavrov: We never left. Africa "
                     "has always been a partner for us, even in difficult years.\n\nRT: What about the West?\n\n"
                     "Lavrov: The West is losing influence because it keeps lecturing Africans instead of listening "
                     "to them.")
    lavrov = name_of(r, "Sergei Lavrov")
    assert len(r.quotes) == 2 and all(q.speaker == lavrov for q in r.quotes)
    assert r.quotes[0].text.startswith("We never left.")


def test_dash_list_is_not_an_interview(extract_text):
    r = extract_text("The summit's main outcomes\n\n— a new grain deal for six African states;\n\n— military "
                     "cooperation agreements with Mali and Niger;\n\n— a plan for a nuclear plant in Burkina Faso?"
                     "\n\n— debt relief worth 23 billion dollars.\n\nVladimir Putin said the summit had been a "
                     "success.")
    assert [q for q in r.quotes if q.direct] == []
    assert find(r, "the summit had been a success").speaker == name_of(r, "Vladimir Putin")


def test_statement_signed_with_name_and_title_on_one_line(extract_text):
    r = extract_text("Appeal to the people of Mali\n\nDear friends,\n\nI address you today because our country is "
                     "at a turning point. We have suffered for ten years from terrorism and from the indifference "
                     "of our so-called partners.\n\nWe ask every citizen to support the armed forces. Our future is "
                     "in our hands.\n\n— Oumar Mariko, President of the African Solidarity Party")
    assert len(r.quotes) == 1
    q = r.quotes[0]
    assert q.speaker == name_of(r, "Oumar Mariko") and q.direct
    assert q.text.startswith("I address you today") and q.text.endswith("Our future is in our hands.")


def test_spokesman_resolves_to_titled_person_or_body(extract_text):
    r = extract_text("Dmitry Peskov, the Kremlin spokesman, met reporters on Monday. The spokesman said that "
                     "Vladimir Putin would visit Africa next year.")
    assert find(r, "Vladimir Putin would visit Africa next year").speaker == name_of(r, "Dmitry Peskov")
    r = extract_text("The Ministry of Foreign Affairs of Mali summoned the French ambassador. The spokesman said "
                     "that Bamako would not accept lectures from Paris.")
    q = find(r, "Bamako would not accept lectures from Paris")
    assert "Ministry" in q.speaker
    r = extract_text("Sergei Lavrov met Ibrahim Traoré in Ouagadougou. A spokesman said that the talks lasted "
                     "three hours.")
    assert r.quotes == []


def test_object_and_clause_speech_verbs(extract_text):
    r = extract_text("Assimi Goïta highlighted the completion of three new barracks in the north. "
                     "Sadio Camara expressed confidence that the new drones would change the war.")
    by = {q.speaker: q for q in r.quotes}
    assert by[name_of(r, "Assimi Goïta")].text.startswith("the completion of three new barracks")
    assert by[name_of(r, "Sadio Camara")].text.startswith("the new drones would change the war")
    assert not any(q.direct for q in r.quotes)


def test_speaking_about_and_the_head_of_a_state(extract_text):
    r = extract_text("Mali's leaders met on Monday. The head of Niger stated that foreign bases threaten the region. "
                     "Later, Abdoulaye Diop spoke about the dangers posed by armed groups in the border area.")
    speakers = {q.speaker for q in r.quotes}
    assert "Niger" in speakers and name_of(r, "Abdoulaye Diop") in speakers


def test_headline_verbs_are_not_quotes(extract_text):
    r = extract_text("Russia Announces New Grain Deliveries To Mali\n\nRussia delivered grain on Monday.")
    assert r.quotes == []
