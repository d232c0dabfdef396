"""The roles stage: who holds which office, on sentences written for these tests (not the dev set)."""
from __future__ import annotations

import time

import pytest

import newsgraph.nlp.roles  # noqa: F401  (registers the "roles" stage)
from newsgraph.ingest.base import SourceDocument
from newsgraph.kb import name_key
from newsgraph.pipeline import DEFAULT_STAGES, Extractor


@pytest.fixture(scope="module")
def role_extractor(kb):
    return Extractor(kb, stages=[*DEFAULT_STAGES, "roles"])


@pytest.fixture(scope="module")
def extract(role_extractor):
    def run(text: str, doc_id: str = "t", **hints):
        return role_extractor.extract(SourceDocument(doc_id, doc_id, "text", text, text, True, hints))

    return run


def triples(record) -> set[tuple[str, str, str | None]]:
    return {(r.person, name_key(r.title), r.of) for r in record.roles}


def has(record, person: str, title: str, of: str | None) -> bool:
    return (person, name_key(title), of) in triples(record)


# (text, [(person, title, of), ...]): every expected role must be found.
POSITIVE = [
    # nationality adjective + title before the name
    ("Russian Foreign Minister Sergei Lavrov arrived in Ouagadougou on Tuesday.",
     [("Sergei Lavrov", "Foreign Minister", "Russia")]),
    ("French President Emmanuel Macron criticised the junta in Niamey.",
     [("Emmanuel Macron", "President", "France")]),
    ("Russian Deputy Foreign Minister Mikhail Bogdanov received the delegation.",
     [("Mikhail Bogdanov", "Deputy Foreign Minister", "Russia")]),
    ("Burkinabe Prime Minister Apollinaire Joachim Kyélem de Tambèla visited Moscow.",
     [("Apollinaire Joachim Kyélem de Tambèla", "Prime Minister", "Burkina Faso")]),
    # possessive + title, with and without the comma
    ("Burkina Faso's Defense Minister, Alain Simporé, said the talks went well.",
     [("Alain Simporé", "Defense Minister", "Burkina Faso")]),
    ("Burkina Faso’s Minister of Defence, Kassoum Coulibaly, received the Russian instructors.",
     [("Kassoum Coulibaly", "Minister of Defence", "Burkina Faso")]),
    ("Mali's Defence Minister Sadio Camara visited Moscow in March.",
     [("Sadio Camara", "Defence Minister", "Mali")]),
    ("Russia's Defense Minister Sergey Shoigu signed the agreement.",
     [("Sergei Shoigu", "Defense Minister", "Russia")]),
    ("The CAR's President Faustin-Archange Touadéra thanked the Russian instructors.",
     [("Faustin-Archange Touadéra", "President", "Central African Republic")]),
    ("Burkina Faso's President Ibrahim Traore met the delegation.",
     [("Ibrahim Traoré", "President", "Burkina Faso")]),
    # apposition after the name
    ("Alexander Ivanov, Head of the Officers Union for International Security, signed the statement.",
     [("Alexander Ivanov", "Head", "Officers Union for International Security")]),
    ("Faustin-Archange Touadéra, the President of the Central African Republic, thanked Moscow.",
     [("Faustin-Archange Touadéra", "President", "Central African Republic")]),
    ("Antony Blinken, the US Secretary of State, visited Niamey in March.",
     [("Antony Blinken", "Secretary of State", "United States")]),
    ("Fatou Ndiaye, director of Amnesty International in Dakar, condemned the arrests.",
     [("Fatou Ndiaye", "director", "Amnesty International")]),
    ("Abdoulaye Diop (Mali's foreign minister) met Lavrov in Moscow.",
     [("Abdoulaye Diop", "foreign minister", "Mali")]),
    ("“We will not back down,” said Sadio Camara, Mali's defence minister.",
     [("Sadio Camara", "defence minister", "Mali")]),
    ("Nikolai Volkov, Russia's ambassador to Mali, presented his credentials in Bamako.",
     [("Nikolai Volkov", "ambassador to Mali", "Russia")]),
    ("Yevgeny Prigozhin, the Wagner founder, died in a plane crash in August.",
     [("Yevgeny Prigozhin", "founder", "Wagner Group")]),
    ("Ousmane Kane, head of Senegal's junta, spoke to reporters.",
     [("Ousmane Kane", "head", "Senegal")]),
    ("Viktor Sokolov, the head of the Russian delegation, arrived in Bangui.",
     [("Viktor Sokolov", "head of delegation", "Russia")]),
    # possessive organization before the title
    ("Amnesty International's regional director Fatou Ndiaye condemned the arrests.",
     [("Fatou Ndiaye", "regional director", "Amnesty International")]),
    ("Kremlin spokesman Dmitry Peskov declined to comment on the report.",
     [("Dmitry Peskov", "spokesman", "Kremlin")]),
    # title + "of <state>" before the name
    ("The head of Burkina Faso, Ibrahim Traore, thanked Russia for the wheat.",
     [("Ibrahim Traoré", "head", "Burkina Faso")]),
    ("The Prime Minister of Mali, Choguel Kokalla Maïga, and Russian President Vladimir Putin spoke by phone.",
     [("Choguel Kokalla Maïga", "Prime Minister", "Mali"), ("Vladimir Putin", "President", "Russia")]),
    # titles chained before a name, and a rank
    ("President of the Transition, Head of State, Captain Ibrahim Traoré received the ambassador.",
     [("Ibrahim Traoré", "President of the Transition", "Burkina Faso"),
      ("Ibrahim Traoré", "Head of State", "Burkina Faso"), ("Ibrahim Traoré", "Captain", "Burkina Faso")]),
    ("President Captain Ibrahim Traoré received Colonel Assimi Goïta in Ouagadougou.",
     [("Ibrahim Traoré", "President", "Burkina Faso"), ("Ibrahim Traoré", "Captain", "Burkina Faso"),
      ("Assimi Goïta", "Colonel", "Mali")]),
    ("Defence Minister General Sadio Camara met Russian officials in Bamako.",
     [("Sadio Camara", "Defence Minister", "Mali"), ("Sadio Camara", "General", "Mali")]),
    ("Niger's military leader, General Abdourahamane Tchiani, received the Russian delegation.",
     [("Abdourahamane Tchiani", "military leader", "Niger"), ("Abdourahamane Tchiani", "General", "Niger")]),
    # bare title: the state from the KB person, or the state the text is about
    ("Sergei Lavrov met President Ibrahim Traoré in Ouagadougou.",
     [("Ibrahim Traoré", "President", "Burkina Faso")]),
    ("In Burkina Faso, military leader Ibrahim Traore praised the instructors. "
     "Burkina Faso has expelled French troops.",
     [("Ibrahim Traoré", "military leader", "Burkina Faso")]),
    ("Niger's junta expelled the French ambassador. Government spokesman Colonel Amadou Abdramane read the statement "
     "on television, and Niger's authorities confirmed it.",
     [("Amadou Abdramane", "Government spokesman", "Niger"), ("Amadou Abdramane", "Colonel", "Niger")]),
    # copula and appointment
    ("Sadio Camara is the defence minister of Mali.", [("Sadio Camara", "defence minister", "Mali")]),
    ("Assimi Goïta was sworn in as president of the transition in June 2021.",
     [("Assimi Goïta", "president of the transition", "Mali")]),
    ("Yevkurov, who serves as Russia's deputy defence minister, toured the Sahel.",
     [("Yunus-Bek Yevkurov", "deputy defence minister", "Russia")]),
    ("Bola Tinubu, Nigeria's president and ECOWAS chairman, threatened action against the junta.",
     [("Bola Tinubu", "president", "Nigeria"),
      ("Bola Tinubu", "chairman", "Economic Community of West African States")]),
    ("The president's son, Teodoro Nguema Obiang Mangue, is vice president of Equatorial Guinea.",
     [("Teodoro Nguema Obiang Mangue", "vice president", "Equatorial Guinea")]),
    # verbs: "who heads", "leads", "led by", "founded by"
    ("Fatoumata Diallo, who heads Human Rights Watch in West Africa, said the convoy was attacked.",
     [("Fatoumata Diallo", "head", "Human Rights Watch")]),
    ("Aliou Barry leads the Wagner Group in Mali.", [("Aliou Barry", "leader", "Wagner Group")]),
    ("The Wagner Group, led by Yevgeny Prigozhin, operated in Mali.",
     [("Yevgeny Prigozhin", "leader", "Wagner Group")]),
    ("Thomas Sankara was an officer and revolutionary. In 1983 the country was led by Thomas Sankara after "
     "Upper Volta changed its course.",
     [("Thomas Sankara", "leader", "Burkina Faso")]),
    ("Yevgeny Prigozhin, who founded the Wagner Group in 2014, died in August.",
     [("Yevgeny Prigozhin", "founder", "Wagner Group")]),
    ("The Officers Union for International Security, headed by Alexander Ivanov, denied the allegations.",
     [("Alexander Ivanov", "head", "Officers Union for International Security")]),
    # "its", the body named before
    ("The Wagner Group left Mali after the death of its founder Yevgeny Prigozhin.",
     [("Yevgeny Prigozhin", "founder", "Wagner Group")]),
    ("Their presence is managed by the Officers Union for International Security, whose head, Alexander Ivanov, "
     "denies it.", [("Alexander Ivanov", "head", "Officers Union for International Security")]),
    # parser apposition past a complement, and a named organisation's chief
    ("Commander of the Wagner forces in Mali, Ivan Maslov, was sanctioned by the United States.",
     [("Ivan Maslov", "Commander", "Wagner Group")]),
    ("UN Secretary-General António Guterres called for calm in Bamako.",
     [("António Guterres", "Secretary-General", "United Nations")]),
    ("Vladimir Putin appointed Andrei Belousov as defence minister in May 2024.",
     [("Andrei Belousov", "defence minister", "Russia")]),
    # counterparts
    ("Russian Defense Minister Sergei Shoigu met his Nicaraguan counterpart, Rosa Adelina Barahona, in Moscow.",
     [("Sergei Shoigu", "Defense Minister", "Russia"), ("Rosa Adelina Barahona", "Defense Minister", "Nicaragua")]),
    ("Lavrov held talks with his Malian counterpart Abdoulaye Diop.",
     [("Abdoulaye Diop", "Foreign Minister", "Mali")]),
    # a person of another state's office: a made-up NGO and its director
    ("Aminata Sow, the director of the Bamako Legal Aid Clinic, said detainees had no lawyers.",
     [("Aminata Sow", "director", None)]),
]


@pytest.mark.parametrize("text,expected", POSITIVE, ids=[t[:40] for t, _ in POSITIVE])
def test_roles_found(extract, text, expected):
    record = extract(text)
    got = triples(record)
    for person, title, of in expected:
        assert (person, name_key(title), of) in got, f"missing {(person, title, of)} in {sorted(got, key=str)}"


# (text, person or None): no role for that person (None: no role at all)
NEGATIVE = [
    ("Lavrov met the president on Tuesday.", None),
    ("The minister said the deal would be signed soon. Sergei Lavrov later confirmed it.", None),
    ("Ibrahim Traoré, who assumed power through a coup in 2022, addressed the nation.", None),
    ("After meeting the minister, Lavrov said the talks went well.", None),
    ("Mali's Sadio Camara met Putin in Moscow.", None),
    ("Touadéra met Putin in Sochi, where the president praised Russia.", None),
    ("The leaders of Mali, Burkina Faso and Niger met in Niamey with Sergei Lavrov.", None),
    ("Emmanuel Macron, who was elected in 2017, withdrew French troops.", None),
    ("In general, Amadou Sangare said, the roads are safe.", None),
    ("Putin, President Emmanuel Macron and Xi Jinping spoke.", "Vladimir Putin"),
    ("A source close to the president said Sergei Lavrov would visit Bangui soon.", None),
    ("Malian Foreign Minister Abdoulaye Diop met Sergei Lavrov and Emmanuel Macron.", "Sergei Lavrov"),
]


@pytest.mark.parametrize("text,person", NEGATIVE, ids=[t[:40] for t, _ in NEGATIVE])
def test_no_role_where_none_is_stated(extract, text, person):
    record = extract(text)
    if person is None:
        assert record.roles == [], record.roles
    else:
        assert not [r for r in record.roles if r.person == person], record.roles


def test_persons_are_canonical_entities_and_evidence_is_exact(extract):
    text = ("OUAGADOUGOU — Russian Foreign Minister Sergey Lavrov arrived on Tuesday.\n\n"
            "Lavrov held talks with Burkina Faso's military leader, Captain Ibrahim Traore, and later "
            "with Foreign Minister Karamoko Jean-Marie Traoré.")
    record = extract(text)
    people = {e.name for e in record.entities if e.type == "PERSON"}
    assert record.roles
    for role in record.roles:
        assert role.person in people
        ev = role.evidence
        assert ev is not None and record.text[ev.start:ev.end] == ev.text
    assert has(record, "Sergei Lavrov", "Foreign Minister", "Russia")
    assert has(record, "Ibrahim Traoré", "military leader", "Burkina Faso")
    assert has(record, "Karamoko Jean-Marie Traoré", "Foreign Minister", "Burkina Faso")


def test_one_role_per_person_office_and_of(extract):
    text = ("Russian Foreign Minister Sergei Lavrov arrived in Bamako. Sergei Lavrov, Russia's foreign minister, "
            "met Assimi Goïta. Russian Foreign Minister Sergei Lavrov then left.")
    record = extract(text)
    lavrov = [r for r in record.roles if r.person == "Sergei Lavrov"]
    assert len(lavrov) == 1 and lavrov[0].of == "Russia"
    assert lavrov[0].evidence.start == 0  # the first statement is the evidence


def test_stated_of_wins_over_context(extract):
    text = ("Colonel Amadou Abdramane spoke on television about Ukraine and Mali. Ukraine denied it. "
            "Niger's government spokesman, Colonel Amadou Abdramane, repeated the charge.")
    record = extract(text)
    mine = [r for r in record.roles if r.person == "Amadou Abdramane"]
    assert {r.of for r in mine} == {"Niger"}, mine


def test_title_surname_picks_the_office_holder(extract):
    """Two Traorés: 'President Traore' is the one the KB makes president."""
    text = ("Captain Ibrahim Traore met Foreign Minister Karamoko Jean-Marie Traore in Ouagadougou. "
            "President Traore thanked Russia.")
    record = extract(text)
    assert has(record, "Ibrahim Traoré", "President", "Burkina Faso")
    assert not has(record, "Karamoko Jean-Marie Traoré", "President", "Burkina Faso")


def test_stage_is_fast(extract):
    paragraph = ("Russian Foreign Minister Sergei Lavrov met Burkina Faso's military leader, Captain Ibrahim Traore, "
                 "and Mali's Defence Minister Sadio Camara in Bamako. The talks covered wheat, fuel and security. "
                 "Alexander Ivanov, Head of the Officers Union for International Security, attended.\n\n")
    text = paragraph * 20
    t0 = time.perf_counter()
    record = extract(text)
    assert time.perf_counter() - t0 < 5
    assert len({(r.person, r.title, r.of) for r in record.roles}) == len(record.roles)


def test_ranks_can_be_switched_off(kb, monkeypatch):
    """With emit_ranks: false a rank still joins a title to its name but gives no role."""
    import dataclasses

    import newsgraph.nlp.roles as roles

    monkeypatch.setattr(roles, "_LEX", dataclasses.replace(roles.lexicon(), emit_ranks=False))
    ex = Extractor(kb, stages=[*DEFAULT_STAGES, "roles"])
    text = "President Captain Ibrahim Traoré received Colonel Assimi Goïta."
    record = ex.extract(SourceDocument("t", "t", "text", text, text, True, {}))
    assert triples(record) == {("Ibrahim Traoré", "president", "Burkina Faso")}


def test_signature_block_role(kb):
    from newsgraph.ingest.base import SourceDocument
    from newsgraph.pipeline import DEFAULT_STAGES, Extractor

    text = ("Statement on the crisis\n\nWe call for calm and for dialogue between all parties.\n\n"
            "14.02.2023\nMoussa Keita,\nDirector of the Sahel Peace Forum")
    ex = Extractor(kb, stages=[s for s in DEFAULT_STAGES if s in ("clean", "metadata", "entities")] + ["roles"])
    r = ex.extract(SourceDocument("t", "t", "text", text, text, True, {}))
    assert any(x.person == "Moussa Keita" and x.title == "Director" for x in r.roles), r.roles
